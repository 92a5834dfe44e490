"""Document-level concept scoring (``kg evaluate concepts``): the arithmetic, the gold, and the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractors.concept_evaluation import load_concept_docs, predicted_concepts, score_concepts
from kg.cli import main
from kg.schema import Category, Mention, MentionSource

CHEM, DIS = Category.CHEMICAL, Category.DISEASE


def test_each_concept_counts_once_per_document() -> None:
    gold = [{(CHEM, "MESH:D1"), (DIS, "MESH:D2"), (DIS, "MESH:D3")}, {(DIS, "MESH:D2")}]
    predicted = [{(CHEM, "MESH:D1"), (DIS, "MESH:D2"), (DIS, "MESH:D9")}, set()]
    counts = score_concepts(gold, predicted, {CHEM, DIS})
    assert (counts["ChemicalEntity"].tp, counts["ChemicalEntity"].fp, counts["ChemicalEntity"].fn) == (1, 0, 0)
    assert (counts["Disease"].tp, counts["Disease"].fp, counts["Disease"].fn) == (1, 1, 2)
    assert counts["micro"].f1 == pytest.approx(2 * (2 / 3) * (2 / 4) / (2 / 3 + 2 / 4))


def test_local_ids_unscored_types_and_indexing_assert_no_concept() -> None:
    mentions = [
        Mention(0, 7, "aspirin", CHEM, "MESH:D001241"),
        Mention(10, 17, "aspirin", CHEM, "MESH:D001241"),  # the same concept again
        Mention(20, 25, "blorp", DIS, "medkg:disease:0123456789ab"),  # no vocabulary match
        Mention(30, 34, "BRCA", Category.GENE, "NCBIGene:672"),  # a type the corpus does not annotate
        Mention(0, 0, "Fever", DIS, "MESH:D005334", source=MentionSource.MESH),  # NLM indexing, not the text
        Mention(40, 45, "tumor", DIS, None),
    ]
    assert predicted_concepts(mentions, {CHEM, DIS}) == {(CHEM, "MESH:D001241")}


def test_gold_concepts_take_every_identifier_of_a_composite(shared_data: Path) -> None:
    docs = load_concept_docs("ncbi_disease", shared_data / "corpora/ncbi_disease/NCBIdevelopset_corpus.txt")
    assert len(docs) == 100
    assert all(curie.split(":")[0] in {"MESH", "OMIM"} for doc in docs for _, curie in doc.concepts)
    # at least one composite mention ("breast and ovarian cancer") gives two concepts from one mention
    assert any(len(doc.concepts) > len({m.entity_id for m in doc.gold.gold}) for doc in docs)


def _first_documents(source: Path, target: Path, count: int) -> Path:
    """The first ``count`` blank-line separated PubTator documents of ``source``."""
    blocks = source.read_text(encoding="utf-8").strip().split("\n\n")[:count]
    target.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return target


def test_command_reports_mentions_concepts_and_accuracy(shared_data: Path, tmp_path: Path) -> None:
    sample = _first_documents(shared_data / "corpora/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt",
                              tmp_path / "bc5cdr-sample.txt", 5)
    result = CliRunner().invoke(main, ["evaluate", "concepts", "--corpus", "bc5cdr", "--file", str(sample),
                                       "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["documents"] == 5
    assert set(report["concepts"]) == {"ChemicalEntity", "Disease", "micro"}
    micro = report["concepts"]["micro"]
    assert micro["tp"] + micro["fn"] == report["gold_concepts"]
    assert micro["f1"] > 40  # the shipped pipeline finds most of five BC5CDR abstracts' chemicals and diseases
    assert report["mentions"]["micro"]["f1"] > 40
    assert set(report["accuracy"]) == {"ChemicalEntity", "Disease", "micro"}


def test_command_fails_clearly_without_the_corpus(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", "concepts", "--corpus", "biored", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "corpus not found" in result.output and "Traceback" not in result.output
