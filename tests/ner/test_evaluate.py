"""The evaluation arithmetic on hand-made examples."""

from __future__ import annotations

import pytest

from extractors.ner.corpora import GoldDoc
from extractors.ner.evaluate import score
from kg.schema import Category, Document, Mention

CHEM, DIS, GENE = Category.CHEMICAL, Category.DISEASE, Category.GENE


def m(start: int, end: int, category: Category) -> Mention:
    return Mention(start, end, "x" * (end - start), category)


def test_strict_per_type_and_micro() -> None:
    gold = [GoldDoc(Document("1", "t"), [m(0, 5, CHEM), m(10, 20, DIS), m(30, 35, DIS)])]
    pred = [[
        m(0, 5, CHEM),    # TP chemical
        m(10, 19, DIS),   # boundary off by one: FP and the gold stays FN
        m(30, 35, CHEM),  # right span, wrong type: FP chemical, FN disease
        m(40, 45, GENE),  # a type the corpus does not annotate: ignored
        m(0, 5, CHEM),    # duplicate prediction counts once
    ]]
    counts = score(gold, pred, {CHEM, DIS})
    assert (counts["ChemicalEntity"].tp, counts["ChemicalEntity"].fp, counts["ChemicalEntity"].fn) == (1, 1, 0)
    assert (counts["Disease"].tp, counts["Disease"].fp, counts["Disease"].fn) == (0, 1, 2)
    micro = counts["micro"]
    assert (micro.tp, micro.fp, micro.fn) == (1, 2, 2)
    assert micro.precision == pytest.approx(1 / 3)
    assert micro.recall == pytest.approx(1 / 3)
    assert micro.f1 == pytest.approx(1 / 3)
    assert "Gene" not in counts


def test_alternatives_match_their_gold_once() -> None:
    gold = [GoldDoc(Document("s1", "t"), [m(0, 10, GENE)], alternatives={(0, 4): (0, 10), (5, 10): (0, 10)})]
    counts = score(gold, [[m(0, 4, GENE), m(5, 10, GENE)]], {GENE})
    assert (counts["Gene"].tp, counts["Gene"].fp, counts["Gene"].fn) == (1, 1, 0)


def test_category_map_and_empty() -> None:
    gold = [GoldDoc(Document("1", "t"), [m(0, 5, Category.PHENOTYPE)]), GoldDoc(Document("2", "t"), [])]
    counts = score(gold, [[m(0, 5, DIS)], []], {Category.PHENOTYPE}, {DIS: Category.PHENOTYPE})
    assert counts["micro"].f1 == 1.0
    empty = score(gold, [[], []], {Category.PHENOTYPE})["micro"]
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)
