"""``kg ingest`` through its command line: JSON summary, exit codes, --dry-run, --workers."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from kg.store.embedded import EmbeddedStore

MODERN = Path("pubmed/pmparser_samples")


def run(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["ingest", *args, "--json", "--no-progress"])
    return result.exit_code, json.loads(result.stdout)


def test_json_summary_and_rerun(shared_data, tmp_path):
    db = str(tmp_path / "g.lbug")
    code, first = run(str(shared_data / MODERN), "--db", db)
    assert code == 0, first
    assert (first["read"], first["stored"], first["deleted"], first["failed"]) == (60, 60, 0, 0)
    assert (first["deletions_not_found"], first["duplicates"]) == (6, 0)  # its deletions are of PMIDs it lacks
    code, second = run(str(shared_data / MODERN), "--db", db, "--batch-size", "7")
    assert code == 0 and (second["skipped"], second["stored"]) == (60, 0)


def test_dry_run_writes_nothing(shared_data, tmp_path):
    db = tmp_path / "g.lbug"
    code, summary = run(str(shared_data / MODERN), "--db", str(db), "--dry-run")
    assert code == 0 and summary["dry_run"] and summary["stored"] == 60
    assert not db.exists()


def test_workers_give_the_same_graph(shared_data, tmp_path):
    one, two = tmp_path / "one.lbug", tmp_path / "two.lbug"
    assert run(str(shared_data / MODERN), "--db", str(one))[0] == 0
    assert run(str(shared_data / MODERN), "--db", str(two), "--workers", "2", "--batch-size", "9")[0] == 0
    with EmbeddedStore(one, read_only=True) as a, EmbeddedStore(two, read_only=True) as b:
        assert a.stats().as_dict() == b.stats().as_dict()
        query = "MATCH (p:Publication)-[m:mentions]->(e:Entity) RETURN p.pmid AS pmid, e.id AS eid ORDER BY pmid, eid"
        assert a.read_cypher(query) == b.read_cypher(query)


def test_failed_records_give_exit_code_1(shared_data, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<?xml version='1.0'?><NotPubmed/>", encoding="utf-8")
    code, summary = run(str(bad), str(shared_data / MODERN), "--db", str(tmp_path / "g.lbug"))
    assert code == 1
    assert summary["failed"] == 1 and "bad.xml" in summary["failures"][0] and summary["stored"] == 60


def test_unreachable_neo4j_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["ingest", str(tmp_path), "--neo4j", "bolt://127.0.0.1:9", "--no-progress"])
    assert result.exit_code != 0
    assert "bolt://127.0.0.1:9" in result.output and "running" in result.output


def test_fetch_cache_directory_ingests_without_its_manifests(shared_data, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    for source in sorted((shared_data / MODERN).iterdir()):
        (cache / source.name).write_bytes(source.read_bytes())
    (cache / "cyp2d6-1a2b3c4d.manifest.json").write_text('{"query": "CYP2D6"}', encoding="utf-8")
    code, summary = run(str(cache), "--db", str(tmp_path / "g.lbug"))
    assert code == 0 and summary["failed"] == 0 and summary["stored"] == 60


def test_text_summary_names_duplicates_and_deletions_not_found(shared_data, tmp_path):
    args = ["ingest", str(shared_data / MODERN), str(shared_data / MODERN), "--db", str(tmp_path / "g.lbug"),
            "--no-progress", "--checkpoint-every", "0"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert ("read 120, stored 60, replaced 0, skipped 60 unchanged, deleted 0 (and 12 DeleteCitation for PMIDs not "
            "stored), duplicates 60, failed 0") in result.stderr
    assert "duplicates: 60 records repeated a PMID read earlier in this run; the last one read is kept" in result.stderr
