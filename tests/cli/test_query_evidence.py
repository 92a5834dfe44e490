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
