"""Decisions from pair logits: BioRED classes, and the learned CID output read for chemical–disease pairs only."""

from __future__ import annotations

import torch

from extractors.relations.candidates import EntityMentions, RelDoc
from extractors.relations.encoding import Encoded
from extractors.relations.labels import CID, CLASSES
from extractors.relations.predict import decide
from kg.schema import Category

TEXT = "Cisplatin caused nephrotoxicity. TP53 was mutated."


def _doc() -> tuple[RelDoc, Encoded, torch.Tensor]:
    entities = [EntityMentions("MESH:D002945", Category.CHEMICAL, [(0, 9)]),
                EntityMentions("NCBIGene:7157", Category.GENE, [(33, 37)]),
                EntityMentions("MESH:D007674", Category.DISEASE, [(17, 31)])]
    doc = RelDoc("1", TEXT, entities, [(0, 32), (33, len(TEXT))], pairs=[(0, 2), (0, 1), (1, 2)])
    enc = Encoded(input_ids=[[0] * 6], marker_ids=[[-1] * 6], token_sentence=[[-1, 0, 0, 1, 1, -1]],
                  mention_pos=[[(0, 1)], [(0, 3)], [(0, 2)]])
    weights = torch.full((3, 6), 1 / 6)
    return doc, enc, weights


def _logits(none_wins: bool, cid_logit: float) -> torch.Tensor:
    row = torch.zeros(len(CLASSES) + 1)
    row[0 if none_wins else CLASSES.index("Association")] = 5.0
    row[-1] = cid_logit
    return row.repeat(3, 1)


def test_cid_output_keeps_a_chemical_disease_pair_that_the_biored_classes_drop():
    doc, enc, weights = _doc()
    predictions = decide(_logits(True, 3.0), weights, 6, doc, enc, none_bias=0.0, cid_min_score=0.5)
    assert [(p.head, p.tail, p.type) for p in predictions] == [(0, 2, CID)]
    assert predictions[0].score == predictions[0].cid > 0.9
    assert predictions[0].sentence == 0  # the sentence mentioning both


def test_cid_below_threshold_and_non_chemical_disease_pairs_give_no_cid():
    doc, enc, weights = _doc()
    assert decide(_logits(True, -3.0), weights, 6, doc, enc, none_bias=0.0, cid_min_score=0.5) == []
    typed = decide(_logits(False, 3.0), weights, 6, doc, enc, none_bias=0.0, cid_min_score=0.5)
    assert [p.type for p in typed] == ["Association"] * 3
    assert [p.cid > 0.9 for p in typed] == [True, False, False]


def test_models_without_cid_output_report_zero_cid():
    doc, enc, weights = _doc()
    logits = _logits(False, 0.0)[:, : len(CLASSES)]
    predictions = decide(logits, weights, 6, doc, enc, none_bias=0.0, cid_min_score=0.5)
    assert len(predictions) == 3 and all(p.cid == 0.0 for p in predictions)


def test_cid_triples_read_the_learned_output_or_else_positive_correlation():
    from extractors.relations.evaluate import cid_triples
    from extractors.relations.predict import PairPrediction

    doc, _, _ = _doc()
    predictions = [[PairPrediction(0, 2, "Association", 0.9, 0, cid=0.7),
                    PairPrediction(0, 1, "Positive_Correlation", 0.9, 0, cid=0.0)]]
    assert cid_triples([doc], predictions, 0.5, learned=True) == {("1", "MESH:D002945", "MESH:D007674")}
    assert cid_triples([doc], predictions, 0.8, learned=True) == set()
    assert cid_triples([doc], predictions, 0.5) == set()  # Positive_Correlation, but chemical–gene
