"""The import/query/evaluate commands end to end on a small embedded graph (the lead registers them in ``kg``)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.commands.evaluate_symptoms import symptoms as evaluate_symptoms
from kg.commands.import_hpo import hpo
from kg.commands.query_symptoms import symptoms as query_symptoms

SUBSET = ["OMIM:154700", "OMIM:219700", "OMIM:249100", "OMIM:143100", "OMIM:162200"]


def test_import_query_and_evaluate_commands(tmp_path):
    runner = CliRunner()
    db = ["--store", "embedded", "--db", str(tmp_path / "graph.lbug")]
    disease_args = [arg for d in SUBSET for arg in ("--disease", d)]
    result = runner.invoke(hpo, [*disease_args, *db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["diseases"] == 5
    again = runner.invoke(hpo, [*disease_args, *db])
    assert again.exit_code == 0 and "store changes: none" in again.output

    result = runner.invoke(query_symptoms, ["salty tasting skin, bronchiectasis, no chorea", "--top", "2", *db])
    assert result.exit_code == 0, result.output
    assert "absent: Chorea" in result.output and " 1. OMIM:219700  Cystic fibrosis" in result.output

    result = runner.invoke(evaluate_symptoms, ["--n", "4", "--seed", "3", "--noise", "--use-store", *db, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [r["condition"] for r in report["results"]] == ["clean", "noise"]
    assert all(r["n"] == 4 and 0 <= r["metrics"]["top1"] <= 1 for r in report["results"])
