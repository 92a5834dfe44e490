"""``kg ingest --engine ray``: the same graph as the local engine on both stores, a worker killed with SIGKILL
mid-batch, a driver interrupted mid-run and a driver killed with SIGKILL, each completed without loss or
duplication. Ray runs locally (tests/distributed/conftest.py); nothing is mocked."""

from __future__ import annotations

import functools
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.distributed.ray_engine import RayIngester
from kg.distributed.shards import MANIFEST, Manifest
from kg.ingest import Ingester
from kg.store.embedded import EmbeddedStore
from tests.distributed import pipelines
from tests.distributed.conftest import snapshot
from tests.ingest_support import kill_when_stored


def ray_ingest(store, paths, shard_dir: Path, **options) -> tuple[RayIngester, dict]:
    options = {"batch_size": 16, "records_per_task": 16, "workers": 2, "progress": False, **options}
    ingester = RayIngester(store, shard_dir=shard_dir, **options)
    summary = ingester.run([str(p) for p in paths])
    return ingester, summary.as_dict()


def local_ingest(store, paths, **options) -> dict:
    options = {"batch_size": 16, "progress": False, **options}
    return Ingester(store, **options).run([str(p) for p in paths]).as_dict()


def test_ray_writes_the_same_graph_as_the_local_engine(store, ray_cluster, corpus, tmp_path):
    """NER, normalization and relation extraction: publications, entities, mentions, edges, evidence, exactly."""
    local = local_ingest(store, corpus, pipeline_factory=pipelines.with_relations)
    expected = snapshot(store)
    assert expected["stats"]["nodes"]["Publication"] == 50 and expected["evidence"], expected["stats"]
    store.clear()
    ingester, summary = ray_ingest(store, corpus, tmp_path / "shards", pipeline_factory=pipelines.with_relations)
    assert summary == local
    assert snapshot(store) == expected
    assert ingester.tasks_submitted >= 3 and ingester.extracted_here == 0
    # a rerun extracts nothing: every document is unchanged in the store
    again, rerun = ray_ingest(store, corpus, tmp_path / "shards", pipeline_factory=pipelines.with_relations)
    assert (rerun["skipped"], rerun["stored"], again.tasks_submitted) == (50, 0, 0)
    assert snapshot(store) == expected


def completed_shards(shard_dir: Path) -> dict:
    return Manifest.load(shard_dir).shards


def test_a_worker_killed_mid_batch_is_retried_and_its_shard_written_once(store, ray_cluster, corpus, tmp_path):
    marker = tmp_path / "killed"
    factory = functools.partial(pipelines.killing_pipeline, str(marker))
    shards = tmp_path / "shards"
    ingester, summary = ray_ingest(store, corpus, shards, pipeline_factory=factory)
    assert marker.exists(), "no worker was killed"
    killed = int(marker.read_text())
    assert not os.path.exists(f"/proc/{killed}"), "the killed worker is still running"
    assert summary["failed"] == 0 and summary["stored"] == 50
    got = snapshot(store)
    # one shard per task, complete, none left half-written
    assert len(completed_shards(shards)) == ingester.tasks_submitted
    assert sorted(p.name for p in shards.iterdir() if p.name.startswith(".")) == []
    store.clear()
    local = local_ingest(store, corpus, pipeline_factory=factory)  # the marker exists: nothing dies now
    assert summary == local
    assert got == snapshot(store)  # nothing lost, nothing duplicated


def test_a_driver_interrupted_mid_write_resumes_from_the_manifest(store, ray_cluster, corpus, tmp_path):
    shards = tmp_path / "shards"
    writes = {"n": 0}
    upsert_mentions = store.upsert_mentions

    def dies_on_the_third_batch(mentions):
        writes["n"] += 1
        if writes["n"] == 3:  # after the batch's pending publications, before its commit point
            raise KeyboardInterrupt
        return upsert_mentions(mentions)

    store.upsert_mentions = dies_on_the_third_batch
    with pytest.raises(KeyboardInterrupt):
        ray_ingest(store, corpus, shards, pipeline_factory=pipelines.model_free, batch_size=8, records_per_task=8)
    del store.upsert_mentions
    done = completed_shards(shards)
    assert len(done) >= 2
    pending = store.read_cypher("MATCH (p:Publication) WHERE p.content_hash = 'pending' RETURN count(*) AS n")
    assert pending[0]["n"] == 8  # the interrupted batch left its commit point unwritten
    again, rerun = ray_ingest(store, corpus, shards, pipeline_factory=pipelines.model_free, batch_size=8,
                              records_per_task=8)
    assert rerun["failed"] == 0 and rerun["skipped"] == 16 and rerun["replaced"] == 8
    assert again.shards_reused >= 1  # the interrupted batch's shard (and any finished after it) is read, not redone
    on_disk = {p.name for p in shards.iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert set(completed_shards(shards)) == on_disk  # a shard finished after the interruption is noted too
    assert again.tasks_submitted < len(on_disk)
    got = snapshot(store)
    store.clear()
    local_ingest(store, corpus, pipeline_factory=pipelines.model_free, batch_size=8)
    assert got == snapshot(store)


def test_a_driver_killed_with_sigkill_is_completed_by_the_same_command(ray_cluster, corpus, tmp_path):
    """The real CLI, joining the session's Ray cluster with --address, killed mid-run and run again."""
    address = ray_cluster.get_runtime_context().gcs_address
    db, shards = tmp_path / "g.lbug", tmp_path / "shards"
    cmd = [sys.executable, "-m", "kg.cli", "ingest", *map(str, corpus), "--engine", "ray", "--address", address,
           "--workers", "2", "--batch-size", "4", "--shards", str(shards), "--db", str(db), "--progress"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    kill_when_stored(cmd, tmp_path, env)
    assert (shards / MANIFEST).exists()
    subprocess.run([*cmd[:-1], "--no-progress"], cwd=tmp_path, env=env, check=True, capture_output=True,
                   timeout=600)
    with EmbeddedStore(tmp_path / "local.lbug") as local:
        local_ingest(local, corpus, batch_size=4)
        expected = snapshot(local)
    with EmbeddedStore(db, read_only=True) as crashed:
        assert snapshot(crashed) == expected


VICTIM = "41576697"  # the second citation of pubmed26n1334


def test_a_bad_record_fails_alone_with_its_file_and_pmid(store, ray_cluster, corpus, tmp_path):
    factory = functools.partial(pipelines.failing_on, VICTIM)
    _, summary = ray_ingest(store, corpus, tmp_path / "shards", pipeline_factory=factory)
    assert summary["failures"] == [f"{corpus[0]}: PMID {VICTIM}: pipeline failed: ValueError: [E088] cannot process "
                                   f"PMID {VICTIM}"]
    got = snapshot(store)
    store.clear()
    assert local_ingest(store, corpus, pipeline_factory=factory) == summary
    assert snapshot(store) == got and len(got["publications"]) == 49


def test_deletions_duplicates_and_revisions_in_file_order(store, ray_cluster, corpus, tmp_path):
    """A citation stored, deleted by a later file, then revised by a third; the rest repeated unchanged."""
    data = gzip.decompress(corpus[0].read_bytes())
    deletion = tmp_path / "delete.xml"
    deletion.write_text("<?xml version='1.0'?><PubmedArticleSet><DeleteCitation>"
                        f"<PMID Version='1'>{VICTIM}</PMID></DeleteCitation></PubmedArticleSet>", encoding="utf-8")
    title = data.index(b"<ArticleTitle>", data.index(f">{VICTIM}</PMID>".encode())) + len(b"<ArticleTitle>")
    revised = tmp_path / "revised.xml"
    revised.write_bytes(data[:title] + b"Revised: " + data[title:])
    inputs = [corpus[0], deletion, revised, corpus[1], deletion]
    for run in range(2):  # the second run starts from the first one's graph
        _, summary = ray_ingest(store, inputs, tmp_path / "shards", pipeline_factory=pipelines.model_free,
                                batch_size=7, records_per_task=10)
        got = snapshot(store)
        if run == 0:
            assert (summary["deleted"], summary["duplicates"]) == (2, 30)
        with EmbeddedStore(tmp_path / f"local{run}.lbug") as local:
            for _ in range(run + 1):
                expected_summary = local_ingest(local, inputs, pipeline_factory=pipelines.model_free, batch_size=7)
            assert summary == expected_summary
            assert got == snapshot(local)
