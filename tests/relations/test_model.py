"""The shipped relation model: loads offline and finds sensible relations in a real BioRED dev abstract."""

from __future__ import annotations

import json

from extractors.relations.labels import BIORED_TYPES, CID
from extractors.relations.model import CONFIG, DEFAULT_MODEL_DIR, WEIGHTS


def test_shipped_weights_are_small_and_documented():
    size = (DEFAULT_MODEL_DIR / WEIGHTS).stat().st_size
    assert size < 50e6
    config = json.loads((DEFAULT_MODEL_DIR / CONFIG).read_text())
    assert config["trained"]["dev_pair_type_f1"] > 0
    assert (DEFAULT_MODEL_DIR.parent / "README.md").is_file()


def test_predicts_gold_relations_of_a_dev_abstract(extractor, biored_dev):
    docs, records = biored_dev
    # the dev abstract with the most gold relations between mentioned entities
    doc, record = max(zip(docs, records, strict=True), key=lambda dr: len(dr[0].labels))
    (predictions,) = extractor.predict([doc])
    assert predictions, f"no relation predicted in PMID {doc.pmid}"
    gold_pairs = {frozenset((r.id1, r.id2)) for r in record.gold_relations}
    predicted_pairs = [frozenset((doc.entities[p.head].id, doc.entities[p.tail].id)) for p in predictions]
    correct = sum(pair in gold_pairs for pair in predicted_pairs)
    assert correct >= len(predictions) / 3, (correct, len(predictions))
    for p in predictions:
        assert p.type in (*BIORED_TYPES, CID) and 0 < p.score <= 1
        assert 0 <= p.sentence < len(doc.sentences)
        start, end = doc.sentences[p.sentence]
        spans = doc.entities[p.head].spans + doc.entities[p.tail].spans
        assert any(start <= s < end for s, _ in spans), "evidence sentence mentions neither entity"


def test_documents_without_pairs_give_nothing(extractor, biored_dev):
    docs, _ = biored_dev
    empty = docs[0].__class__(pmid="0", text="No entities here.", entities=[], sentences=[(0, 17)], pairs=[])
    assert extractor.predict([empty, docs[0]])[0] == []


def test_learned_cid_output_finds_a_gold_cid_of_a_bc5cdr_dev_abstract(extractor, shared_data):
    from extractors.relations import corpora
    from extractors.relations.evaluate import cid_triples

    assert extractor.config.cid_output and 0 < extractor.config.cid_min_score < 1
    docs, records = corpora.load("bc5cdr", "dev", shared_data)
    # the first dev abstracts with a gold CID between mentioned entities
    chosen = [(d, r) for d, r in zip(docs, records, strict=True) if d.cid][:5]
    docs, records = [d for d, _ in chosen], [r for _, r in chosen]
    found = cid_triples(docs, extractor.predict(docs), extractor.config.cid_min_score, learned=True)
    gold = {(r.pmid, g.id1, g.id2) for r in records for g in r.gold_relations if g.type == CID}
    assert found & gold, (found, gold)
    assert len(found & gold) >= len(found) / 3, (found, gold)
