"""Columnar shards of extraction results, and the manifest that says which are complete.

A shard is what one extraction task produced: a folder ``<shard id>/`` in the shard directory holding one
Parquet file per table — ``records`` (which input record each row of the others belongs to, and the failure
message of a record the pipeline could not process), ``publications``, ``entities``, ``mentions``, ``relations``
and ``evidence`` — and ``meta.json``. A worker writes it under a temporary name and renames it into place, so a
shard folder is complete or absent; a task retried after its worker died writes it once (a retry that finds the
folder returns it as it is). ``manifest.jsonl`` is written by the driver only: the shards completed so far,
one JSON object a line, appended as each shard completes (a torn last line is ignored), each with the input
records it covers (source, file fingerprint, record numbers) and the pipeline version that made it, so that a
rerun after the driver was killed takes what is done from the shards instead of extracting it again.

Nothing here imports Ray: the shards are plain files, read by the writer and, later, by bulk loaders.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from kg.ingest import StoreWrites
from kg.schema import Entity, Evidence, MentionSource, PublicationMention, PublicationRecord, Relation

MANIFEST = "manifest.jsonl"
FORMAT = 1
TABLES = ("records", "publications", "entities", "mentions", "relations", "evidence")


@dataclass(frozen=True, slots=True)
class DocRef:
    """A document as the driver knows it from a scan of its file: enough to decide skip, replace or refuse, and
    to find it again (``path``, ``index``: its place among the records of that file)."""

    pmid: str
    version: int
    content_hash: str
    text_length: int
    source: str
    path: str
    index: int
    fingerprint: str


@dataclass(slots=True)
class ShardTask:
    """Records to extract, in groups: each group is processed by the pipeline as one batch (the documents one
    batch of the writer extracts, so results do not depend on the engine)."""

    shard_id: str
    pipeline_version: str
    groups: list[list[DocRef]]

    @property
    def refs(self) -> list[DocRef]:
        return [ref for group in self.groups for ref in group]


@dataclass(slots=True)
class DocResult:
    """What one document contributes to the store, or why it could not be processed."""

    pmid: str
    writes: StoreWrites | None
    failure: str | None = None


def fingerprint(path: str) -> str:
    """Size and modification time: a file that changed since its shards were made is not taken from them."""
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}"


def shard_id(pipeline_version: str, refs: Sequence[DocRef]) -> str:
    h = hashlib.sha256(pipeline_version.encode())
    for ref in refs:
        h.update(f"\x00{ref.source}\x00{ref.fingerprint}\x00{ref.index}\x00{ref.content_hash}".encode())
    return h.hexdigest()[:24]


# ---- schemas -------------------------------------------------------------------------------------------------
_SCHEMAS = {
    "records": pa.schema([("record", pa.int32()), ("source", pa.string()), ("index", pa.int64()),
                          ("pmid", pa.string()), ("content_hash", pa.string()), ("failure", pa.string())]),
    "publications": pa.schema([("record", pa.int32()), ("pmid", pa.string()), ("version", pa.int64()),
                               ("title", pa.string()), ("journal", pa.string()), ("year", pa.int64()),
                               ("doi", pa.string()), ("content_hash", pa.string()),
                               ("pipeline_version", pa.string())]),
    "entities": pa.schema([("record", pa.int32()), ("id", pa.string()), ("category", pa.string()),
                           ("name", pa.string()), ("synonyms", pa.list_(pa.string()))]),
    "mentions": pa.schema([("record", pa.int32()), ("pmid", pa.string()), ("entity_id", pa.string()),
                           ("source", pa.string()), ("count", pa.int64()), ("major", pa.bool_())]),
    "relations": pa.schema([("record", pa.int32()), ("relation", pa.int32()), ("subject", pa.string()),
                            ("predicate", pa.string()), ("object", pa.string()),
                            ("primary_knowledge_source", pa.string())]),
    "evidence": pa.schema([("record", pa.int32()), ("relation", pa.int32()), ("pmid", pa.string()),
                           ("sentence", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                           ("score", pa.float64()), ("extractor", pa.string()), ("extractor_version", pa.string()),
                           ("negated", pa.bool_()), ("speculative", pa.bool_()), ("year", pa.int64())]),
}


def write_shard(directory: Path, task: ShardTask, results: Sequence[DocResult],
                timing: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write ``results`` (one per ``task.refs``, in order) as shard ``task.shard_id``, atomically; its meta
    (``timing``: when and how long the worker extracted, for benchmarks)."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i, (ref, result) in enumerate(zip(task.refs, results, strict=True)):
        rows["records"].append({"record": i, "source": ref.source, "index": ref.index, "pmid": ref.pmid,
                                "content_hash": ref.content_hash, "failure": result.failure})
        w = result.writes
        if w is None:
            continue
        for p in w.publications:
            rows["publications"].append({"record": i, "pmid": p.pmid, "version": p.version, "title": p.title,
                                         "journal": p.journal, "year": p.year, "doi": p.doi,
                                         "content_hash": p.content_hash, "pipeline_version": p.pipeline_version})
        for e in w.entities:
            rows["entities"].append({"record": i, "id": e.id, "category": str(e.category), "name": e.name,
                                     "synonyms": list(e.synonyms)})
        for m in w.mentions:
            rows["mentions"].append({"record": i, "pmid": m.pmid, "entity_id": m.entity_id, "source": str(m.source),
                                     "count": m.count, "major": m.major})
        for r, rel in enumerate(w.relations):
            rows["relations"].append({"record": i, "relation": r, "subject": rel.subject,
                                      "predicate": str(rel.predicate), "object": rel.object,
                                      "primary_knowledge_source": rel.primary_knowledge_source})
            for ev in rel.evidence:
                rows["evidence"].append({"record": i, "relation": r, "pmid": ev.pmid, "sentence": ev.sentence,
                                         "start": ev.start, "end": ev.end, "score": ev.score,
                                         "extractor": ev.extractor, "extractor_version": ev.extractor_version,
                                         "negated": ev.negated, "speculative": ev.speculative, "year": ev.year})
    final = directory / task.shard_id
    tmp = directory / f".{task.shard_id}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir(parents=True)
    meta = {"format": FORMAT, "shard": task.shard_id, "pipeline_version": task.pipeline_version,
            "rows": {name: len(rows[name]) for name in TABLES},
            "failures": sum(1 for r in results if r.failure is not None), "timing": timing or {}}
    try:
        for name in TABLES:
            pq.write_table(pa.Table.from_pylist(rows[name], schema=_SCHEMAS[name]), tmp / f"{name}.parquet")
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        try:
            os.rename(tmp, final)  # atomic; fails if a retry of this task got there first
        except OSError:
            if not (final / "meta.json").exists():
                raise
            return json.loads((final / "meta.json").read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return meta


def shard_meta(directory: Path, shard: str) -> dict[str, Any] | None:
    """The meta of a complete shard, or None."""
    try:
        return json.loads((directory / shard / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_shard(directory: Path, shard: str) -> dict[tuple[str, int, str], DocResult]:
    """A shard's results by (source, record number, content hash). A record the pipeline dropped without an
    error (no publication row, no failure) has neither writes nor failure."""
    tables = {name: pq.read_table(directory / shard / f"{name}.parquet").to_pylist() for name in TABLES}
    by_record: dict[int, StoreWrites] = {}
    out: dict[tuple[str, int, str], DocResult] = {}
    published = {row["record"] for row in tables["publications"]}
    for row in tables["records"]:
        key = (row["source"], row["index"], row["content_hash"])
        if row["failure"] is not None or row["record"] not in published:
            out[key] = DocResult(row["pmid"], None, row["failure"])
        else:
            by_record[row["record"]] = writes = StoreWrites([], [], [], [])
            out[key] = DocResult(row["pmid"], writes)
    for row in tables["publications"]:
        by_record[row["record"]].publications.append(PublicationRecord(
            row["pmid"], row["version"], row["title"], row["journal"], row["year"], row["doi"],
            row["content_hash"], row["pipeline_version"]))
    for row in tables["entities"]:
        by_record[row["record"]].entities.append(Entity(row["id"], row["category"], row["name"],
                                                        tuple(row["synonyms"] or ())))
    for row in tables["mentions"]:
        by_record[row["record"]].mentions.append(PublicationMention(
            row["pmid"], row["entity_id"], MentionSource(row["source"]), row["count"], row["major"]))
    relations: dict[tuple[int, int], Relation] = {}
    for row in tables["relations"]:
        relations[(row["record"], row["relation"])] = rel = Relation(
            row["subject"], row["predicate"], row["object"], [], row["primary_knowledge_source"])
        by_record[row["record"]].relations.append(rel)
    for row in tables["evidence"]:
        relations[(row["record"], row["relation"])].evidence.append(Evidence(
            row["pmid"], row["sentence"], row["start"], row["end"], row["score"], row["extractor"],
            row["extractor_version"], row["negated"], row["speculative"], row["year"]))
    return out


# ---- the manifest --------------------------------------------------------------------------------------------
def _ranges(numbers: Iterable[int]) -> list[list[int]]:
    """Sorted numbers as [first, last] runs."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return runs


@dataclass(slots=True)
class Manifest:
    """The completed shards of a shard directory; appended to by the driver alone."""

    directory: Path
    shards: dict[str, dict[str, Any]] = field(default_factory=dict)
    _index: dict[tuple[str, str, str], list[tuple[int, int, str]]] = field(default_factory=dict)
    _torn: bool = False  # the file ends in a line a killed driver left half-written

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        manifest = cls(directory)
        text = ""
        with contextlib.suppress(FileNotFoundError):
            text = (directory / MANIFEST).read_text(encoding="utf-8")
        manifest._torn = bool(text) and not text.endswith("\n")
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:  # a line torn by a driver killed while appending it
                continue
            shard = entry.get("shard")
            if entry.get("format") == FORMAT and shard and shard_meta(directory, shard) is not None:
                manifest._add(shard, entry)  # a shard folder removed by hand is gone
        return manifest

    def _add(self, shard: str, entry: dict[str, Any]) -> None:
        self.shards[shard] = entry
        for source, covered in entry["records"].items():
            runs = self._index.setdefault((entry["pipeline_version"], source, covered["fingerprint"]), [])
            for first, last in covered["ranges"]:
                bisect.insort(runs, (first, last, shard))

    def record(self, task: ShardTask, meta: dict[str, Any]) -> None:
        """Note ``task``'s shard as complete and write the manifest."""
        by_source: dict[str, list[DocRef]] = defaultdict(list)
        for ref in task.refs:
            by_source[ref.source].append(ref)
        entry = {"pipeline_version": task.pipeline_version, "rows": meta.get("rows", {}),
                 "failures": meta.get("failures", 0), "timing": meta.get("timing", {}),
                 "records": {source: {"fingerprint": refs[0].fingerprint, "ranges": _ranges(r.index for r in refs)}
                             for source, refs in by_source.items()}}
        if task.shard_id in self.shards:
            return
        self._add(task.shard_id, entry)
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / MANIFEST, "a", encoding="utf-8") as out:
            out.write(("\n" if self._torn else "") + json.dumps({"format": FORMAT, "shard": task.shard_id, **entry})
                      + "\n")
            self._torn = False
            out.flush()
            os.fsync(out.fileno())

    def shard_of(self, ref: DocRef, pipeline_version: str) -> str | None:
        """The completed shard that holds ``ref``'s result, if any."""
        runs = self._index.get((pipeline_version, ref.source, ref.fingerprint))
        if not runs:
            return None
        i = bisect.bisect_right(runs, (ref.index, float("inf"), "")) - 1
        while i >= 0 and runs[i][0] <= ref.index:
            if runs[i][1] >= ref.index:
                return runs[i][2]
            i -= 1
        return None
