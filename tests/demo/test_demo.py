"""``kg demo`` end to end on a fresh embedded store: the bundled abstracts, the HPO import and both questions."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli import main


def test_demo_runs_offline_and_rerun_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    db = tmp_path / "demo.lbug"
    runner = CliRunner()

    first = runner.invoke(main, ["demo", "--db", str(db), "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.output)
    assert report["ingest"]["read"] == 10 and report["ingest"]["stored"] == 10 and not report["ingest"]["failures"]
    assert report["hpo"]["has_phenotype"] > 100_000
    answers = report["symptoms"]["answers"]
    assert "OMIM:154700" in [a["disease_id"] for a in answers]  # Marfan syndrome
    assert [t["term_id"] for t in report["symptoms"]["absent"]] == ["HP:0001250"]  # "no seizures"
    assert all(a["matched"] for a in answers)

    gene = report["gene"]
    assert gene["gene"]["id"] == "NCBIGene:1565" and "*10" in gene["genotype"]
    drugs = {a["drug_name"].lower() for a in gene["answers"]}
    cyp2d6_drugs = {"codeine", "morphine", "tamoxifen", "paroxetine", "fluoxetine", "metoprolol", "tramadol",
                    "sertraline"}
    assert len(drugs & cyp2d6_drugs) >= 3, drugs  # the demo abstracts name these with CYP2D6
    direct = [s for a in gene["answers"] for p in a["paths"] if p["kind"] == "direct" for e in p["edges"]
              for s in e["sentences"]]
    assert direct and all(s["pmid"].startswith("9900000") and "CYP2D6" in s["sentence"] for s in direct)

    digest = report["evidence"]  # the evidence summary of the best-supported edge of the gene answer
    assert digest["subject"] == "NCBIGene:1565" or digest["object"] == "NCBIGene:1565"
    assert digest["n_papers"] >= 1 and digest["statements"] and digest["strongest"]
    cited = [p for statement in digest["statements"] for p in statement["pmids"]]
    assert cited and all(p.startswith("PMID:9900000") for p in cited), cited

    second = runner.invoke(main, ["demo", "--db", str(db), "--json"])
    assert second.exit_code == 0, second.output
    rerun = json.loads(second.output)
    assert rerun["ingest"]["skipped"] == 10 and rerun["ingest"]["stored"] == 0
    assert rerun["hpo"]["store_delta"] == {} or not any(
        n for values in rerun["hpo"]["store_delta"].values() for n in values.values())
    assert [a["disease_id"] for a in rerun["symptoms"]["answers"]] == [a["disease_id"] for a in answers]
    assert [a["drug_id"] for a in rerun["gene"]["answers"]] == [a["drug_id"] for a in gene["answers"]]

    table = runner.invoke(main, ["query", "drugs-for-gene", "CYP2D6*10", "--db", str(db)])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert any(line.strip().startswith("“") for line in lines)
    # a 2-hop path whose two edges rest on the same sentence prints it once
    assert not any(a == b and a.strip().startswith("“") for a, b in zip(lines, lines[1:], strict=False))
