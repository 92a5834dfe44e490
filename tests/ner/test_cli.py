"""The ``train``/``evaluate`` click groups (registered in kg.cli by name): help and a tiny evaluation."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.commands.evaluate import evaluate
from kg.commands.train import train


def test_help() -> None:
    runner = CliRunner()
    assert "--max-epochs" in runner.invoke(train, ["ner", "--help"]).output
    assert "--corpus" in runner.invoke(evaluate, ["ner", "--help"]).output


def test_evaluate_gsc_plus_json(shared_data: Path) -> None:
    result = CliRunner().invoke(evaluate, ["ner", "--corpus", "gsc_plus", "--data", str(shared_data), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["documents"] == 22
    assert set(report["scores"]) == {"PhenotypicFeature", "micro"}
    micro = report["scores"]["micro"]
    assert micro["tp"] + micro["fn"] == report["gold_mentions"]


def test_evaluate_missing_split(shared_data: Path) -> None:
    result = CliRunner().invoke(evaluate, ["ner", "--corpus", "gsc_plus", "--split", "train",
                                           "--data", str(shared_data)])
    assert result.exit_code != 0
    assert "no 'train' split" in result.output
