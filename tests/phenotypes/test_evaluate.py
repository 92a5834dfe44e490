"""``kg evaluate phenotypes``' scoring on a hand-built GSC+ file and hand-made predictions: concept (document-level)
and strict mention P/R/F1 worked out by hand; only PhenotypicFeature text mentions with an HPO id count."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.phenotypes.evaluate import evaluate_phenotypes, format_report, predicted_phenotypes
from extractors.pipeline import Pipeline
from kg.schema import Category, Document, Mention, MentionSource

A = "Short stature and seizures and fever in a boy."
B = "Ataxia, ataxia and nausea."
GOLD = f"""1001
{A}
0\t13\tShort stature\tHP:0004322
18\t26\tseizures\tHP:0001250
31\t36\tfever\tHP:0001945

1002
{B}
0\t6\tAtaxia\tHP:0001251
8\t14\tataxia\tHP:0001251
19\t25\tnausea\tHP:0002018
"""


def phenotype(text: str, start: int, end: int, curie: str, source: MentionSource = MentionSource.TEXT,
              category: Category = Category.PHENOTYPE) -> Mention:
    return Mention(start, end, text[start:end], category, curie, 0.9, source)


PREDICTED = {
    "1001": [phenotype(A, 0, 13, "HP:0004322"),  # right
             phenotype(A, 18, 26, "HP:0001251"),  # right span, wrong term
             phenotype(A, 42, 45, "HP:0012378"),  # spurious
             phenotype(A, 31, 36, "HP:0001945", category=Category.DISEASE),  # not a phenotype mention
             phenotype(A, 0, 0, "HP:0001945", source=MentionSource.MESH)],  # not a text mention
    "1002": [phenotype(B, 0, 6, "HP:0001251"),  # right
             phenotype(B, 8, 14, "HP:0002315"),  # right span, wrong (and spurious) term
             phenotype(B, 19, 25, "HP:0002018"),  # right
             phenotype(B, 19, 24, "HP:0002018"),  # wrong span, right term
             phenotype(B, 19, 25, "MESH:D009325")],  # not an HPO id
}


class Predictions:
    """A pipeline component that adds the hand-made predictions above."""

    name = "hand-made"
    version = "1"

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            assert doc.mentions == []  # the gold is not handed to the pipeline
            doc.mentions.extend(PREDICTED[doc.pmid])
        return docs


@pytest.fixture()
def report(tmp_path: Path) -> dict:
    gold = tmp_path / "gold.tsv"
    gold.write_text(GOLD, encoding="utf-8")
    return evaluate_phenotypes(file=gold, pipeline=Pipeline([Predictions()]), errors=5)


def test_only_hpo_phenotype_text_mentions_count() -> None:
    assert [m.entity_id for m in predicted_phenotypes(PREDICTED["1001"])] == ["HP:0004322", "HP:0001251",
                                                                              "HP:0012378"]


def test_concept_scores(report: dict) -> None:
    # 1001: gold {4322, 1250, 1945}, predicted {4322, 1251, 12378}: tp 1, fp 2, fn 2
    # 1002: gold {1251, 2018}, predicted {1251, 2315, 2018}: tp 2, fp 1, fn 0
    assert report["documents"] == 2 and report["gold_concepts"] == 5 and report["gold_mentions"] == 6
    assert report["concepts"] == {"tp": 3, "fp": 3, "fn": 2, "precision": 50.0, "recall": 60.0, "f1": 54.55}


def test_strict_mention_and_span_scores(report: dict) -> None:
    # strict: 1001 tp 1 fp 2 fn 2; 1002 tp 2 fp 2 fn 1 → P 3/7, R 3/6, F1 6/13
    assert report["mentions"] == {"tp": 3, "fp": 4, "fn": 3, "precision": 42.86, "recall": 50.0, "f1": 46.15}
    # spans only: 1001 tp 2 fp 1 fn 1; 1002 tp 3 fp 1 fn 0 → P 5/7, R 5/6, F1 10/13
    assert report["spans"] == {"tp": 5, "fp": 2, "fn": 1, "precision": 71.43, "recall": 83.33, "f1": 76.92}


def test_errors_and_the_printed_report(report: dict) -> None:
    assert set(report["missed"]) == {"HP:0001250 'seizures'", "HP:0001945 'fever'"}
    assert set(report["spurious"]) == {"HP:0001251 'seizures'", "HP:0012378 'boy'", "HP:0002315 'ataxia'"}
    assert report["pipeline"] == "hand-made@1"
    text = format_report(report)
    assert "2 documents, 5 gold concepts" in text
    assert "HPO concepts (document)     50.00  60.00  54.55" in text


def test_a_missing_or_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        evaluate_phenotypes(file=tmp_path / "absent.tsv", pipeline=Pipeline([Predictions()]))
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="no documents"):
        evaluate_phenotypes(file=empty, pipeline=Pipeline([Predictions()]))
