"""Relation scores on small hand-checked cases."""

from __future__ import annotations

import pytest

from extractors.relations.metrics import prf, score_biored, score_cid


def test_prf_counts():
    assert prf({1, 2, 3}, {2, 3, 4, 5}) == {"precision": 66.67, "recall": 50.0, "f1": 57.14, "tp": 2, "fp": 1, "fn": 2}
    assert prf(set(), {1})["f1"] == 0.0 and prf({1}, set())["precision"] == 0.0


def test_biored_pair_ignores_order_and_type_pair_type_does_not():
    gold = [("1", "A", "B", "Association"), ("1", "C", "D", "Bind"), ("2", "A", "B", "Positive_Correlation")]
    predicted = [
        ("1", "B", "A", "Association"),  # right pair, reversed order, right type
        ("1", "C", "D", "Association"),  # right pair, wrong type
        ("2", "A", "C", "Positive_Correlation"),  # wrong pair
    ]
    scores = score_biored(predicted, gold)
    assert scores["pair"]["tp"] == 2 and scores["pair"]["fp"] == 1 and scores["pair"]["fn"] == 1
    assert scores["pair"]["f1"] == pytest.approx(66.67)
    assert scores["pair_type"]["tp"] == 1 and scores["pair_type"]["f1"] == pytest.approx(33.33)
    assert scores["per_type"]["Association"] == {"precision": 50.0, "recall": 100.0, "f1": 66.67,
                                                 "tp": 1, "fp": 1, "fn": 0}
    assert scores["per_type"]["Bind"]["fn"] == 1


def test_cid_counts_unique_document_triples():
    gold = {("1", "MESH:D1", "MESH:D2"), ("2", "MESH:D1", "MESH:D2")}
    predicted = [("1", "MESH:D1", "MESH:D2"), ("1", "MESH:D1", "MESH:D2"), ("3", "MESH:D1", "MESH:D2")]
    assert score_cid(predicted, gold) == {"precision": 50.0, "recall": 50.0, "f1": 50.0, "tp": 1, "fp": 1, "fn": 1}
