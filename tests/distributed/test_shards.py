"""Shards and their manifest without Ray: a round trip of every table, a torn manifest line, coverage lookup."""

from __future__ import annotations

from kg.distributed.shards import MANIFEST, DocRef, DocResult, Manifest, ShardTask, read_shard, shard_id, write_shard
from kg.ingest import StoreWrites
from kg.schema import Category, Entity, Evidence, MentionSource, PublicationMention, PublicationRecord, Relation


def ref(index: int, pmid: str) -> DocRef:
    return DocRef(pmid, 1, f"h{pmid}", 100, "a.xml", "/data/a.xml", index, "10:20")


def writes(pmid: str) -> StoreWrites:
    evidence = Evidence(pmid, "X treats Y.", 0, 11, 0.8125, "re", "2", negated=False, speculative=True, year=2020)
    return StoreWrites([PublicationRecord(pmid, 1, "T", "J", None, "", f"h{pmid}", "p@1")],
                       [Entity("MESH:D000001", Category.CHEMICAL, "X", ("x1", "x2")), Entity("MESH:D000002",
                                                                                         "Disease", "Y")],
                       [PublicationMention(pmid, "MESH:D000001", MentionSource.MESH, 2, True)],
                       [Relation("MESH:D000001", "treats", "MESH:D000002", [evidence])])


def test_round_trip_and_manifest(tmp_path):
    refs = [ref(0, "1"), ref(3, "2"), ref(4, "3")]
    task = ShardTask(shard_id("p@1", refs), "p@1", [refs[:2], refs[2:]])
    results = [DocResult("1", writes("1")), DocResult("2", None, "a.xml: PMID 2: pipeline failed"),
               DocResult("3", writes("3"))]
    meta = write_shard(tmp_path, task, results)
    assert meta["rows"]["evidence"] == 2 and meta["failures"] == 1
    assert write_shard(tmp_path, task, results) == meta  # a retry finds the shard in place
    back = read_shard(tmp_path, task.shard_id)
    assert back[("a.xml", 0, "h1")].writes == writes("1")
    assert back[("a.xml", 3, "h2")].failure == "a.xml: PMID 2: pipeline failed"
    manifest = Manifest.load(tmp_path)
    manifest.record(task, meta)
    with open(tmp_path / MANIFEST, "a", encoding="utf-8") as out:
        out.write('{"format": 1, "shard": "torn')  # a driver killed mid-line
    again = Manifest.load(tmp_path)
    assert [again.shard_of(r, "p@1") for r in refs] == [task.shard_id] * 3
    assert again.shard_of(ref(1, "9"), "p@1") is None and again.shard_of(refs[0], "other@1") is None
    other = ShardTask(shard_id("p@1", [ref(1, "9")]), "p@1", [[ref(1, "9")]])
    again.record(other, write_shard(tmp_path, other, [DocResult("9", writes("9"))]))
    assert set(Manifest.load(tmp_path).shards) == {task.shard_id, other.shard_id}
