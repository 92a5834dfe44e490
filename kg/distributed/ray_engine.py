"""``kg ingest --engine ray``: extraction on a pool of Ray actors, one writer in the driver.

The driver (this process) does what the local engine does, in the same order, with the extraction taken out:

1. **Scan.** Each input file is read by a Ray task into light records (:class:`DocRef`: PMID, version,
   content hash, text length, its place in the file), deletions and read errors, in file order.
2. **Plan.** The scanned records are grouped into the local engine's batches (:meth:`Ingester._batches`: the
   same duplicates, the same deletions closing a batch). Before anything is extracted, the stored content
   hashes decide which documents of a batch need the pipeline; those of a batch form one group, and groups
   form :class:`ShardTask` s of about ``records_per_task`` documents, sent to the least busy actor. An actor
   loads the pipeline once, runs each group through it as one batch (a failing batch is retried one document
   at a time, so a bad record fails alone, named by file and PMID) and writes a shard (:mod:`kg.distributed.
   shards`). A shard already in the manifest (a rerun after the driver was killed) is not extracted again.
3. **Write.** The writer walks the same batches in order and gives each to :meth:`Ingester._process`, which
   decides skip / replace / refuse against the store as it is then — so the graph, the summary and the pending
   hash commit point are the local engine's — and takes each document's results from its shard.
   ``DeleteCitation`` records are applied where they stand in the files.

Faults: actors are restarted and their tasks retried by Ray (``max_restarts``, ``max_task_retries``); a shard
is renamed into place whole, so a retried task writes it once. The driver writes the manifest as shards
complete; the store records what was written (the pending-hash commit point). A driver killed at any point is
completed by the same command again: stored documents are skipped, completed shards are read, the rest is
extracted. A document the plan thought unchanged but the writer finds it must process (e.g. a duplicate of a
document whose extraction failed) is extracted in the driver.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from tqdm import tqdm

from extractors.pipeline import Pipeline, default_pipeline
from extractors.readers import iter_paths, read_sourced_documents, source_name
from extractors.readers.records import Deletion, ReadError
from kg.distributed.graph_image import GraphImage
from kg.distributed.shards import (
    DocRef,
    DocResult,
    Manifest,
    ShardTask,
    fingerprint,
    read_shard,
    shard_id,
    shard_meta,
    write_shard,
)
from kg.ingest import CHECKPOINT_EVERY_S, MAX_TEXT_CHARS, Batch, Ingester, IngestSummary, SeenPmids, StoreWrites
from kg.schema import Document
from kg.store.base import GraphStore

MAX_RESTARTS = 4
"""How often Ray restarts an extraction actor whose process died (killed, out of memory, node lost)."""
MAX_TASK_RETRIES = 4
"""How often a task of a dead actor is retried on its restarted actor (or a scan task on another worker)."""
RAY_INSTALL_HINT = "pip install 'medkg[ray]'"
ONE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                  "TOKENIZERS_PARALLELISM": "false"}
"""An actor has one CPU: its math libraries and the tokenizer must not start a thread per core of the node
(on 2 cores, two actors whose torch and tokenizers each used both cores spent 40 % more CPU per document than
one actor alone: benchmarks/results/ray_ingest.json before this was set)."""


class RayEngineError(Exception):
    """The Ray engine cannot start; the message says what to do."""


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayEngineError(f"--engine ray needs Ray, which is not installed: {RAY_INSTALL_HINT}") from exc
    return ray


def default_shard_dir(backend: str, db_path: Path) -> Path:
    """Next to the store: ``<graph>.shards`` beside an embedded graph, ``medkg-shards`` in the working
    directory for Neo4j (whose files are not on this machine)."""
    if backend == "embedded":
        return db_path.with_name(db_path.name + ".shards")
    return Path("medkg-shards")


# ---- what runs on the workers --------------------------------------------------------------------------------
def scan_file(path: str, source: str) -> list[DocRef | Deletion | ReadError]:
    """The records of one file, documents as :class:`DocRef` (the text stays in the file)."""
    fp = fingerprint(path)
    out: list[DocRef | Deletion | ReadError] = []
    for index, (_, record) in enumerate(read_sourced_documents([path])):
        if isinstance(record, Document):
            out.append(DocRef(record.pmid, record.version, record.content_hash(), len(record.text), source, path,
                              index, fp))
        else:
            out.append(record)
    return out


def read_documents(refs: Iterable[DocRef]) -> dict[tuple[str, int], Document]:
    """The documents ``refs`` name, read again from their files, by (source, record number); a record that is
    no longer what the scan saw (the file changed) is left out."""
    wanted: dict[str, dict[int, DocRef]] = {}
    for ref in refs:
        wanted.setdefault(ref.path, {})[ref.index] = ref
    found: dict[tuple[str, int], Document] = {}
    for path, by_index in wanted.items():
        last = max(by_index)
        for index, (_, record) in enumerate(read_sourced_documents([path])):
            named = by_index.get(index)
            if named is not None and isinstance(record, Document) and record.pmid == named.pmid \
                    and record.content_hash() == named.content_hash:
                found[(named.source, index)] = record
            if index >= last:
                break
    return found


def _one_thread() -> None:
    """Torch's intra- and inter-op pools to one thread, in case it was imported before ONE_THREAD_ENV applied."""
    os.environ.update(ONE_THREAD_ENV)
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(1)
        with contextlib.suppress(RuntimeError):  # refused once inter-op work has started; then it is set already
            torch.set_num_interop_threads(1)


class ExtractionWorker:
    """A Ray actor's state: the pipeline, loaded once per process, run over the groups of a task."""

    def __init__(self, pipeline_factory: Callable[[], Pipeline], shard_dir: str) -> None:
        _one_thread()
        self.extractor = Ingester(None, pipeline_factory=pipeline_factory, progress=False)
        self.shard_dir = Path(shard_dir)

    def pipeline_version(self) -> str:
        return self.extractor.pipeline_version

    def pid(self) -> int:
        return os.getpid()

    def peak_rss_mib(self) -> float:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def extract(self, task: ShardTask) -> dict[str, Any]:
        done = shard_meta(self.shard_dir, task.shard_id)
        if done is not None:  # a retry of a task whose shard was written before its worker died
            return done
        start, cpu = time.time(), time.process_time()
        docs = read_documents(task.refs)
        results: list[DocResult] = []
        for group in task.groups:
            results.extend(self._extract_group(group, docs))
        timing = {"start": start, "end": time.time(), "cpu_s": time.process_time() - cpu, "pid": os.getpid()}
        return write_shard(self.shard_dir, task, results, timing=timing)

    def _extract_group(self, group: list[DocRef], docs: dict[tuple[str, int], Document]) -> list[DocResult]:
        found = [docs[(r.source, r.index)] for r in group if (r.source, r.index) in docs]
        sources = {r.pmid: r.source for r in group}
        failed = self.extractor.summary.failed
        before = len(failed)
        processed = {doc.pmid: doc for doc in self.extractor._extract(found, sources)} if found else {}
        messages = iter(failed[before:])  # one per document that failed, in the order of the group
        del failed[before:]
        version = self.extractor.pipeline_version
        results = []
        for ref in group:
            doc = processed.get(ref.pmid)
            if doc is not None:
                results.append(DocResult(ref.pmid, StoreWrites.from_documents([doc], version)))
            elif (ref.source, ref.index) not in docs:
                results.append(DocResult(ref.pmid, None, f"{ref.source}: PMID {ref.pmid}: the file changed "
                                                         "since it was scanned; run the ingest again"))
            else:
                results.append(DocResult(ref.pmid, None, next(messages, None)))
        return results


# ---- the driver ----------------------------------------------------------------------------------------------
class RayIngester(Ingester):
    """:class:`Ingester` with extraction on Ray actors (module docstring). ``workers``: actors; ``address``: a
    running cluster (``auto``, ``ray://host:10001``, ``host:6379``), or None for a local Ray instance of
    ``workers`` CPUs (unless this process has already called ``ray.init``). With ``image`` (and no store) the
    writer assembles a first load's graph in it, for a bulk loader (:mod:`kg.distributed.neo4j_import`), with the
    same decisions it takes on a store."""

    loads_pipeline = False

    def __init__(self, store: GraphStore | None, *, shard_dir: Path | str,
                 pipeline_factory: Callable[[], Pipeline] = default_pipeline, address: str | None = None,
                 batch_size: int = 500, workers: int = 1, records_per_task: int | None = None,
                 dry_run: bool = False, progress: bool = True, checkpoint_every_s: float = CHECKPOINT_EVERY_S,
                 image: GraphImage | None = None, report: Any = sys.stderr) -> None:
        if image is not None and store is not None:
            raise ValueError("a graph image is assembled instead of writing a store, not beside one")
        super().__init__(store, pipeline_factory=pipeline_factory, batch_size=batch_size, workers=1,
                         dry_run=dry_run, progress=progress, checkpoint_every_s=checkpoint_every_s, report=report)
        self.image = image
        self.actors_wanted = workers
        self.address = address
        self.shard_dir = Path(shard_dir).absolute()
        self.records_per_task = records_per_task or batch_size
        self.tasks_submitted = 0  # extraction tasks sent to actors in this run
        self.shards_reused = 0  # completed shards of an earlier run that this run read
        self.extracted_here = 0  # documents the driver had to extract itself
        self._ray: Any = None
        self._started_ray = False
        self._actors: list[Any] = []
        self._load: list[int] = []
        self._version: str | None = None
        self._manifest = Manifest(self.shard_dir)
        self._assigned: dict[tuple[str, int], ShardTask | str] = {}
        self._remaining: dict[str, int] = {}
        self._inflight: dict[str, tuple[Any, ShardTask, int]] = {}  # shard id → (ObjectRef, task, actor)
        self._finished: dict[str, dict[str, Any] | BaseException] = {}
        self._loaded: dict[str, dict[tuple[str, int, str], DocResult]] = {}
        self._pending: list[list[DocRef]] = []
        self._pending_n = 0
        self._pending_keys: set[tuple[str, int]] = set()
        self._plan_seen = SeenPmids()
        self._deleted_in_run: set[str] = set()

    @property
    def pipeline_version(self) -> str:
        assert self._version is not None
        return self._version

    # ---- running -------------------------------------------------------------------------------------------
    def run(self, inputs: Iterable[str]) -> IngestSummary:
        inputs = list(inputs)
        if "-" in inputs:
            raise RayEngineError("--engine ray reads files by name on its workers; standard input (-) can only "
                                 "be read by --engine local")
        self._start()
        self._last_flush = time.monotonic()
        bar = tqdm(desc="ingest (ray)", unit="doc", disable=not self.progress, file=sys.stderr, smoothing=0.1)
        queue: deque[Batch | Deletion] = deque()
        batches = self._batches(self._records(inputs))
        ahead = max(8, 4 * len(self._actors) * math.ceil(self.records_per_task / self.batch_size))
        planning = True
        try:
            while True:
                while planning and len(queue) < ahead and len(self._inflight) <= 2 * len(self._actors):
                    item = next(batches, None)
                    if item is None:
                        planning = False
                        self._submit_pending()
                        break
                    self._plan(item)
                    queue.append(item)
                self._harvest()
                if not queue:
                    break
                item = queue.popleft()
                if isinstance(item, Deletion):
                    self._delete(item)
                else:
                    self._process(item)
                    self._release(item)
                    bar.update(len(item.docs))
                self._flush_if_due()
                bar.set_postfix(stored=self.summary.stored + self.summary.replaced, skipped=self.summary.skipped,
                                failed=len(self.summary.failed), tasks=self.tasks_submitted, refresh=False)
            self._remove_leftovers()
        finally:
            bar.close()
            self._stop()
            if self.store is not None and not self.dry_run:
                self.store.flush()
        return self.summary

    def _start(self) -> None:
        ray = self._ray = import_ray()
        if not ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if self.address:
                options["address"] = self.address
            else:
                options["num_cpus"] = self.actors_wanted
            try:
                ray.init(**options)
            except ConnectionError as exc:
                raise RayEngineError(f"cannot connect to the Ray cluster at {self.address}: {exc}; is it running "
                                     "(`ray status`)? Without --address a local Ray instance is started") from exc
            self._started_ray = True
        self.shard_dir.mkdir(parents=True, exist_ok=True)
        self._manifest = Manifest.load(self.shard_dir)
        self._scan = ray.remote(num_cpus=0, max_retries=MAX_TASK_RETRIES)(scan_file)
        actor = ray.remote(num_cpus=1, max_restarts=MAX_RESTARTS, max_task_retries=MAX_TASK_RETRIES,
                           runtime_env={"env_vars": ONE_THREAD_ENV})(ExtractionWorker)
        self._actors = [actor.remote(self.pipeline_factory, str(self.shard_dir)) for _ in range(self.actors_wanted)]
        self._load = [0] * len(self._actors)
        try:
            self._version = ray.get(self._actors[0].pipeline_version.remote())
        except Exception as exc:
            self._stop()
            raise RayEngineError(f"the extraction workers could not load the pipeline: {exc}") from exc

    def _stop(self) -> None:
        ray = self._ray
        for actor in self._actors:
            with contextlib.suppress(Exception):
                ray.kill(actor)
        self._actors = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def _remove_leftovers(self) -> None:
        """Temporary shard folders of workers killed while writing (no task is in flight at the end of a run)."""
        for path in self.shard_dir.glob(".*.tmp"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    def worker_pids(self) -> list[int]:
        """The process ids of the extraction actors (for tests and diagnostics)."""
        return list(self._ray.get([a.pid.remote() for a in self._actors]))

    # ---- scanning ------------------------------------------------------------------------------------------
    def _records(self, inputs: list[str]) -> Iterator[tuple[str, DocRef | Deletion | ReadError]]:
        """Every record of every input in order, as the local engine reads them; files scanned a few ahead."""
        items: list[tuple[str, str | ReadError]] = []
        for item in inputs:
            try:
                items.extend((source_name(p), p) for p in iter_paths(item))
            except OSError as exc:
                items.append((source_name(item), ReadError(source_name(item), str(exc))))
        scans: deque[tuple[str, Any]] = deque()
        todo = deque(items)
        while todo or scans:
            while todo and len(scans) < max(2, len(self._actors) + 1):
                source, path = todo.popleft()
                scans.append((source, path if isinstance(path, ReadError) else self._scan.remote(path, source)))
            source, scan = scans.popleft()
            if isinstance(scan, ReadError):
                yield source, scan
                continue
            try:
                records = self._ray.get(scan)
            except Exception as exc:  # the file could not be read on the worker: named, and the run goes on
                yield source, ReadError(source, f"scan failed: {type(exc).__name__}: {exc}")
                continue
            for record in records:
                yield source, record

    # ---- planning ------------------------------------------------------------------------------------------
    def _plan(self, item: Batch | Deletion) -> None:
        """Send the documents of a batch that will need the pipeline to the actors (before the writer gets there)."""
        if isinstance(item, Deletion):
            self._deleted_in_run.add(item.pmid)
            return
        version = self.pipeline_version
        stored = self._stored_state([ref.pmid for ref in item.docs])
        group = []
        for ref in item.docs:
            earlier = self._plan_seen.add(ref.pmid)  # stored state may change in this run: extract to be sure
            unchanged = stored.get(ref.pmid) == (ref.version, ref.content_hash, version)
            if (unchanged and not earlier and ref.pmid not in self._deleted_in_run) or ref.text_length > MAX_TEXT_CHARS:
                continue
            done = self._manifest.shard_of(ref, version)
            if done is not None:
                self._assign(ref, done)
            else:
                group.append(ref)
        if group:
            self._pending.append(group)
            self._pending_n += len(group)
            self._pending_keys.update((ref.source, ref.index) for ref in group)
            if self._pending_n >= self.records_per_task:
                self._submit_pending()

    def _assign(self, ref: DocRef, shard: ShardTask | str) -> None:
        self._assigned[(ref.source, ref.index)] = shard
        key = shard if isinstance(shard, str) else shard.shard_id
        if isinstance(shard, str) and key not in self._remaining and key not in self._loaded:
            self.shards_reused += 1
        self._remaining[key] = self._remaining.get(key, 0) + 1

    def _submit_pending(self) -> None:
        if not self._pending:
            return
        refs = [ref for group in self._pending for ref in group]
        task = ShardTask(shard_id(self.pipeline_version, refs), self.pipeline_version, self._pending)
        self._pending, self._pending_n = [], 0
        self._pending_keys.clear()
        for ref in refs:
            self._assign(ref, task)
        meta = shard_meta(self.shard_dir, task.shard_id)
        if meta is not None:  # finished by a worker after its driver was stopped: not in the manifest yet
            self._manifest.record(task, meta)
            self._finished[task.shard_id] = meta
            self.shards_reused += 1
            return
        actor = min(range(len(self._actors)), key=self._load.__getitem__)
        self._load[actor] += 1
        self._inflight[task.shard_id] = (self._actors[actor].extract.remote(task), task, actor)
        self.tasks_submitted += 1

    def _harvest(self, wait_for: str | None = None) -> None:
        """Note the tasks that have finished (the manifest is written as each does); with ``wait_for``, wait
        for that one first."""
        if wait_for is not None and wait_for in self._inflight:
            self._collect(wait_for)
        if not self._inflight:
            return
        refs = {ref: shard for shard, (ref, _, _) in self._inflight.items()}
        ready, _ = self._ray.wait(list(refs), num_returns=len(refs), timeout=0)
        for ref in ready:
            self._collect(refs[ref])

    def _collect(self, shard: str) -> None:
        ref, task, actor = self._inflight.pop(shard)
        self._load[actor] -= 1
        try:
            meta = self._ray.get(ref)
        except Exception as exc:  # retries used up, or the task itself failed: its documents fail, the rest goes on
            self._finished[shard] = exc
            return
        self._manifest.record(task, meta)
        self._finished[shard] = meta

    # ---- writing (Ingester._process calls these) -----------------------------------------------------------
    @staticmethod
    def _record_state(doc: DocRef) -> tuple[int, str, int]:  # type: ignore[override]
        return doc.version, doc.content_hash, doc.text_length

    @staticmethod
    def _store_writes(processed: list[DocResult], pipeline_version: str) -> StoreWrites:  # type: ignore[override]
        return StoreWrites.concat(r.writes for r in processed if r.writes is not None)

    def _extract(self, docs: list[DocRef], sources: dict[str, str]) -> list[DocResult]:  # type: ignore[override]
        processed: list[DocResult] = []
        missing: list[DocRef] = []
        if any((ref.source, ref.index) in self._pending_keys for ref in docs):
            self._submit_pending()  # the writer caught up with the planner
        for ref in docs:
            result = self._result_of(ref)
            if result is None:
                missing.append(ref)
            elif result.writes is not None:
                processed.append(result)
            elif result.failure:
                self._fail(result.failure)
        if missing:  # the plan expected these unchanged: extract them here, as the local engine would
            found = read_documents(missing)
            texts = [found[(r.source, r.index)] for r in missing if (r.source, r.index) in found]
            for ref in missing:
                if (ref.source, ref.index) not in found:
                    self._fail(f"{ref.source}: PMID {ref.pmid}: the file changed since it was scanned; run the "
                               "ingest again")
            self.extracted_here += len(texts)
            extracted = {doc.pmid: doc for doc in Ingester._extract(self, texts, sources)} if texts else {}
            by_pmid = {r.pmid: r for r in processed}
            for doc in extracted.values():
                by_pmid[doc.pmid] = DocResult(doc.pmid, StoreWrites.from_documents([doc], self.pipeline_version))
            processed = [by_pmid[ref.pmid] for ref in docs if ref.pmid in by_pmid]  # in the batch's order
        return processed

    def _stored_state(self, pmids: list[str]) -> dict[str, tuple[int, str, str]]:
        if self.image is not None:
            return self.image.publication_state(pmids)
        return super()._stored_state(pmids)

    def _write(self, writes: StoreWrites, stale: list[str]) -> None:
        image = self.image
        if image is None:
            super()._write(writes, stale)
            return
        if stale:
            image.delete_publications(stale)
        image.upsert_publications(writes.publications)
        image.upsert_entities(writes.entities)
        image.upsert_mentions(writes.mentions)
        image.upsert_relations(writes.relations)
        self.summary.written.update(entities=len({e.id for e in writes.entities}), mentions=len(writes.mentions),
                                    relations=len(writes.relations),
                                    evidence=sum(len(r.evidence) for r in writes.relations))

    def _delete(self, deletion: Deletion) -> None:
        if self.image is None or self.dry_run:
            super()._delete(deletion)
        elif deletion.pmid in self.image.publications:
            self.image.delete_publications([deletion.pmid])
            self.summary.deleted += 1
        else:
            self.summary.deletions_not_found += 1

    def _result_of(self, ref: DocRef) -> DocResult | None:
        shard = self._assigned.get((ref.source, ref.index))
        if shard is None:
            return None
        key = shard if isinstance(shard, str) else shard.shard_id
        if key not in self._loaded:
            self._harvest(wait_for=key)
            outcome = self._finished.get(key)
            if isinstance(outcome, BaseException):
                return DocResult(ref.pmid, None, f"{ref.source}: PMID {ref.pmid}: extraction task failed: "
                                                 f"{type(outcome).__name__}: {outcome}")
            try:
                self._loaded[key] = read_shard(self.shard_dir, key)
            except OSError:
                return None
        return self._loaded[key].get((ref.source, ref.index, ref.content_hash))

    def _release(self, batch: Batch) -> None:
        """Forget the shards the writer no longer needs."""
        for ref in batch.docs:
            shard = self._assigned.pop((ref.source, ref.index), None)
            if shard is None:
                continue
            key = shard if isinstance(shard, str) else shard.shard_id
            self._remaining[key] -= 1
            if self._remaining[key] <= 0:
                del self._remaining[key]
                self._loaded.pop(key, None)
                self._finished.pop(key, None)
