"""``kg query evidence``: an edge's digest from the command line (embedded store)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli import main
from tests import graph_fixture as g


def test_evidence_digest_text_json_and_failures(tmp_path) -> None:
    from kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "graph.lbug") as store:
        g.build(store)
    db = ["--store", "embedded", "--db", str(tmp_path / "graph.lbug")]
    runner = CliRunner()
    key = f"{g.PNEUMONIA}|has_phenotype|{g.FEVER}"
    result = runner.invoke(main, ["query", "evidence", key, *db])
    assert result.exit_code == 0, result.output
    assert "2 papers state Pneumonia has_phenotype Fever (2001–2005).  [PMID:101, PMID:102]" in result.output
    result = runner.invoke(main, ["query", "evidence", key, "--json", *db])
    assert result.exit_code == 0, result.output
    digest = json.loads(result.output)
    assert digest["n_papers"] == 2 and digest["strongest"][0]["pmid"] == "PMID:101"

    missing = runner.invoke(main, ["query", "evidence", f"{g.MIGRAINE}|treats|{g.FEVER}", *db])
    assert missing.exit_code == 1 and "no edge" in missing.output and "Traceback" not in missing.output
    malformed = runner.invoke(main, ["query", "evidence", "MESH:D011014 has_phenotype", *db])
    assert malformed.exit_code == 2 and "SUBJECT|predicate|OBJECT" in malformed.output


def test_gene_answers_mark_literature_candidates_with_their_belief(tmp_path) -> None:
    """An edge below the precision-first belief is shown, and said to be a candidate (kg.provenance.is_asserted)."""
    from kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "graph.lbug") as store:
        g.build(store)
    db = ["--store", "embedded", "--db", str(tmp_path / "graph.lbug")]
    result = CliRunner().invoke(main, ["query", "drugs-for-gene", "CYP2D6", *db])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # tamoxifen physically_interacts_with CYP2D6 rests on one sentence of score 0.66: belief 0.627
    assert any("physically_interacts_with" in line and "(literature candidate, belief 0.63)" in line for line in lines)
    assert not any("affects" in line and "candidate" in line for line in lines)  # codeine: belief 0.88, asserted
    as_json = json.loads(CliRunner().invoke(main, ["query", "drugs-for-gene", "CYP2D6", "--json", *db]).output)
    edges = [e for a in as_json["answers"] for p in a["paths"] for e in p["edges"]]
    assert {e["asserted"] for e in edges} == {True, False}
