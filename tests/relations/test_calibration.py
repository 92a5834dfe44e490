"""The shipped score calibration (monotone, bounded, loaded from models/re/calibration.json) and the
evaluation's reliability table / ECE on real model output (BioRED dev, gold entities)."""

from __future__ import annotations

import json

import pytest

from extractors.relations.calibration import (
    DEFAULT_CALIBRATION,
    FAMILIES,
    Calibration,
    features,
    reliability,
)
from extractors.relations.candidates import EntityMentions, RelDoc
from extractors.relations.evaluate import candidate_rows, emitted, gold_set, pair_sets, score_rows
from extractors.relations.predict import PairPrediction
from kg.schema import Category


@pytest.fixture(scope="module")
def shipped() -> Calibration:
    return Calibration.load()


def _doc(confidence: float = 1.0) -> RelDoc:
    text = "Cisplatin causes nephrotoxicity. Cisplatin was given."
    entities = [EntityMentions("MESH:D002945", Category.CHEMICAL, [(0, 9), (33, 42)], confidence=confidence),
                EntityMentions("MESH:D007674", Category.DISEASE, [(17, 31)])]
    return RelDoc("1", text, entities, [(0, 32), (33, len(text))], [(0, 1)], title_end=32)


def test_shipped_file_loads_with_both_families_and_thresholds(shipped):
    data = json.loads(DEFAULT_CALIBRATION.read_text())
    assert set(data["models"]) == set(FAMILIES) == set(shipped.models) == set(shipped.thresholds)
    assert all(0 < t < 1 for t in shipped.thresholds.values()) and 0 <= shipped.floor < min(shipped.thresholds.values())
    assert "command" in shipped.info  # how to reproduce it
    for model in shipped.models.values():
        assert model.features and len(model.features) == len(model.coef)


@pytest.mark.parametrize("kind", ["CID", "Association"])
def test_calibrated_probability_is_bounded_and_monotone_in_the_model_scores(shipped, kind):
    doc = _doc()
    grid = [0.001, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999]
    for vary in ("score", "related", "cid"):
        values = []
        for v in grid:
            kw = {"score": 0.5, "related": 0.5, "cid": 0.5, vary: v}
            p = PairPrediction(0, 1, kind, kw["score"], 0, cid=kw["cid"], related=kw["related"])
            family, probability = shipped.probability(p, doc)
            assert family == ("cid" if kind == "CID" else "biored")
            assert 0.0 <= probability <= 1.0
            values.append(probability)
        assert values == sorted(values), (kind, vary, values)


def test_weakly_normalized_endpoints_never_raise_the_probability(shipped):
    p = PairPrediction(0, 1, "CID", 0.9, 0, cid=0.9, related=0.9)
    by_confidence = [shipped.probability(p, _doc(c))[1] for c in (0.0, 0.7, 0.85, 1.0)]
    assert by_confidence == sorted(by_confidence)
    assert by_confidence[0] < by_confidence[-1]  # a local id endpoint lowers it
    assert features(p, _doc(0.0))["local"] == 1.0 and features(p, _doc(1.0))["local"] == 0.0


def test_reliability_table_and_ece_by_hand():
    scored = [(0.05, False), (0.15, False), (0.15, True), (0.95, True), (1.0, True)]
    table = reliability(scored)
    bins = {b["bin"]: b for b in table["bins"]}
    assert bins["0.0-0.1"]["count"] == 1 and bins["0.1-0.2"]["precision"] == 0.5
    assert bins["0.9-1.0"]["count"] == 2 and bins["0.9-1.0"]["mean_score"] == pytest.approx(0.975)
    expected = (1 * 0.05 + 2 * abs(0.15 - 0.5) + 2 * abs(0.975 - 1.0)) / 5
    assert table["ece"] == pytest.approx(expected, abs=1e-4) and table["edges"] == 5


@pytest.fixture(scope="module")
def real_rows(extractor, biored_dev):
    docs, records = biored_dev
    docs, records = docs[:8], records[:8]
    predictions = extractor.predict(docs)
    return candidate_rows("biored", docs, records, predictions, extractor), records


def test_reliability_of_real_edges_matches_their_labels(real_rows, extractor):
    rows, records = real_rows
    assert rows and all(0 <= r["probability"] <= 1 and isinstance(r["right"], bool) for r in rows)
    gold = gold_set("biored", records)
    assert all(r["right"] == ((r["pmid"], frozenset((r["head"], r["tail"]))) in gold) for r in rows)
    chosen = emitted(rows, extractor.calibration.thresholds)
    report = score_rows("biored", rows, gold, chosen)
    table = report["reliability"]
    assert sum(b["count"] for b in table["bins"]) == table["edges"] == len(chosen)
    ece = sum(b["count"] * abs(b["mean_score"] - b["precision"]) for b in table["bins"] if b["count"]) / len(chosen)
    assert report["ece"] == pytest.approx(ece, abs=1e-3) and 0 <= ece <= 1
    right = sum(r["right"] for r in chosen)
    assert report["pair"]["tp"] == right and report["pair"]["fp"] == len(chosen) - right
    # P/R at score thresholds: recall never rises with the threshold, and 0.0 takes every candidate
    recalls = [s["recall"] for s in report["at_threshold"].values()]
    assert recalls == sorted(recalls, reverse=True)
    assert report["at_threshold"]["0.0"]["tp"] == len(pair_sets("biored", [r for r in rows if r["right"]]))


def test_component_emits_calibrated_scores_at_its_thresholds_and_more_at_a_low_floor(extractor, biored_dev):
    from extractors.relations.component import RelationExtractor
    from extractors.relations.model import DEFAULT_MODEL_DIR

    docs, _ = biored_dev
    doc = docs[0]
    (predictions,) = extractor.predict([doc])
    strict = extractor.scored(doc, predictions)
    low = RelationExtractor(DEFAULT_MODEL_DIR, min_score=0.0, calibration=extractor.calibration)
    everything = low.scored(doc, predictions)
    assert len(strict) <= len(everything) == len(predictions)
    for _, family, probability in strict:
        assert probability >= extractor.calibration.thresholds[family]
