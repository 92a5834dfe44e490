"""drugcentral import, drugs-for-gene, patient and gene-drugs evaluation commands end to end (embedded store)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli import main

SLICE = ["gefitinib", "quinidine", "ivacaftor", "warfarin", "codeine", "omeprazole"]


def test_import_query_patient_and_evaluate_commands(tmp_path, shared_data):
    runner = CliRunner()
    db = ["--store", "embedded", "--db", str(tmp_path / "graph.lbug")]
    drug_args = [arg for d in SLICE for arg in ("--drug", d)]
    result = runner.invoke(main, ["import", "drugcentral", "--data", str(shared_data), *drug_args, *db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["drugs"] == len(SLICE)
    again = runner.invoke(main, ["import", "drugcentral", "--data", str(shared_data), *drug_args, *db])
    assert again.exit_code == 0 and "store changes: none" in again.output

    result = runner.invoke(main, ["query", "drugs-for-gene", "EGFR", "--top", "3", *db, "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["gene"]["id"] == "NCBIGene:1956" and answer["answers"][0]["drug_name"] == "gefitinib"
    assert answer["answers"][0]["paths"][0]["type"] == "decreases_activity_of"

    result = runner.invoke(main, ["query", "drugs-for-gene", "CYP2D6*10", *db])
    assert result.exit_code == 0, result.output
    assert "genotype *10" in result.output and "quinidine" in result.output

    result = runner.invoke(main, ["query", "drugs-for-gene", "CYP2D66", *db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["unrecognized"]["close_matches"][0]["name"] == "CYP2D6"

    result = runner.invoke(main, ["query", "patient", "--history", "Respiratory Cystic Fibrosis", "--drugs",
                                  "quinidine, codine", "--genotype", "CYP2D6*4/*4", *db, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [d["name"] for d in report["drugs"]] == ["quinidine"]
    assert [m["name"] for m in report["unrecognized"]["drugs"][0]["close_matches"]] == ["codeine"]
    assert [(f["kind"], f["drug_name"]) for f in report["risk_flags"]] == [("pharmacogenomic", "quinidine")]
    table = runner.invoke(main, ["query", "patient", "--drugs", "quinidine", "--genotype", "CYP2D6*4", *db])
    assert table.exit_code == 0 and "[pharmacogenomic, current drug] quinidine decreases activity of CYP2D6" \
        in table.output
    assert runner.invoke(main, ["query", "patient", *db]).exit_code == 2  # nothing given: usage error

    result = runner.invoke(main, ["evaluate", "gene-drugs", "--data", str(shared_data), "--use-store", *db,
                                  "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    genes = {g["gene"]: g for g in report["genes"]}
    assert genes["EGFR"]["found_at"] == {"gefitinib": 1} and genes["EGFR"]["reciprocal_rank"] == 1.0
    assert genes["CFTR"]["recall_at_k"] == 1.0  # ivacaftor and its two combinations
    assert genes["VKORC1"]["found_at"]["warfarin"] == 1
    assert report["n_genes"] == 28 and 0 < report["metrics"]["mrr"] < 1
