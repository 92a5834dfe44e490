"""Documents → pipeline → store, incrementally, idempotently and safe to kill.

Progress lives in the store, not in side files: a publication is stored with a
*pending* content hash before anything it contributes, and with its real hash after. On a re-run a
document whose PMID, version, content hash and pipeline version match the store is skipped; any other
stored state (changed text, other pipeline, pending after a crash) is deleted with the evidence it
contributed and written again. So ``kill -9`` at any point followed by the same command gives the
graph of one clean run.
"""

from __future__ import annotations

import copy
import dataclasses
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TextIO, TypeVar

from tqdm import tqdm

from extractors.pipeline import Pipeline, default_pipeline
from extractors.readers import read_sourced_documents
from extractors.readers.records import Deletion, ReadError
from kg.schema import Document, Entity, MentionSource, PublicationMention, PublicationRecord, Relation
from kg.store.base import GraphStore

PENDING_HASH = "pending"

MAX_TEXT_CHARS = 100_000
"""Longest ``Document.text`` (title + abstract) given to the pipeline; a longer one fails alone, named by file and
PMID, and the rest of its batch is stored.

Refused rather than cut into chunks: PubMed abstracts stay far below it (the longest in the shared test files has
3,907 characters, real ones stay under 20,000), so a text this long is a full text or a data error, and chunking it
would store mentions and relations of something that is not an abstract. Without a limit spaCy raises E088 over
1,000,000 characters (``nlp.max_length``), and NER and normalization time and memory grow with the length below it.
"""

CHECKPOINT_EVERY_S = 30.0
"""Default for :attr:`Ingester.checkpoint_every_s`. Measured on 2 cores with tiny records and a model-free pipeline
(~950 stored/s, the fastest case: ~2 MB of write-ahead log per second): a run killed after 90k records with no
checkpoint left a 192 MB log, replayed in 20.5 s by the next open; checkpoints every 30 s kept the log under 75 MB
(about 8 s to replay) for 3 % of the run's time (0.3-1 s each), every 10 s under 32 MB for 5 %."""


@dataclass(slots=True)
class IngestSummary:
    read: int = 0
    stored: int = 0  # new documents written
    replaced: int = 0  # documents whose stored version was deleted and written again
    skipped: int = 0  # unchanged documents
    deleted: int = 0  # DeleteCitation records that removed a stored publication
    deletions_not_found: int = 0  # DeleteCitation records for PMIDs that were not stored (nothing to remove)
    duplicates: int = 0  # records whose PMID was read before in this run (the last one read is kept)
    failed: list[str] = field(default_factory=list)  # one message per record that could not be read/stored
    written: Counter[str] = field(default_factory=Counter)  # entities, mentions, relations, evidence

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, object]:
        return {"read": self.read, "stored": self.stored, "replaced": self.replaced, "skipped": self.skipped,
                "deleted": self.deleted, "deletions_not_found": self.deletions_not_found,
                "duplicates": self.duplicates, "failed": len(self.failed), "failures": self.failed,
                "written": dict(self.written)}


@dataclass(slots=True)
class StoreWrites:
    """Everything one batch of processed documents writes, in store-protocol terms."""

    publications: list[PublicationRecord]
    entities: list[Entity]
    mentions: list[PublicationMention]
    relations: list[Relation]

    @classmethod
    def from_documents(cls, docs: Iterable[Document], pipeline_version: str) -> StoreWrites:
        publications, entities, relations = [], [], []
        mention_counts: Counter[tuple[str, str, MentionSource]] = Counter()
        for doc in docs:
            publications.append(PublicationRecord.from_document(doc, pipeline_version))
            entities.extend(doc.entities)
            relations.extend(doc.relations)
            for mention in doc.mentions:
                if mention.entity_id:
                    mention_counts[(doc.pmid, mention.entity_id, mention.source)] += 1
        major = {(doc.pmid, h.descriptor_id) for doc in docs for h in doc.mesh_headings if h.major_topic}
        mentions = [PublicationMention(pmid, entity_id, source, n,
                                       major=source == MentionSource.MESH and (pmid, entity_id) in major)
                    for (pmid, entity_id, source), n in mention_counts.items()]
        return cls(publications, entities, mentions, relations)

    @classmethod
    def concat(cls, parts: Iterable[StoreWrites]) -> StoreWrites:
        """One batch's writes from the writes of its documents, in document order: the same lists, in the same
        order, as :meth:`from_documents` of those documents together (a batch holds each PMID once)."""
        out = cls([], [], [], [])
        for part in parts:
            out.publications.extend(part.publications)
            out.entities.extend(part.entities)
            out.mentions.extend(part.mentions)
            out.relations.extend(part.relations)
        return out


class _Record(Protocol):
    @property
    def pmid(self) -> str: ...


R = TypeVar("R", bound=_Record)  # a Document, or the Ray engine's reference to one (kg.distributed)


@dataclass(slots=True)
class Batch(Generic[R]):
    """Documents processed and stored together (one per PMID), with the input each was read from."""

    docs: list[R]
    sources: dict[str, str]  # PMID → input name, for messages

    @classmethod
    def of(cls, items: dict[str, tuple[str, R]]) -> Batch[R]:
        return cls([doc for _, doc in items.values()], {pmid: source for pmid, (source, _) in items.items()})


class SeenPmids:
    """The PMIDs read so far in a run, in about one bit per PMID number, so memory stays flat on a whole baseline.

    Numeric PMIDs below :attr:`BITMAP_LIMIT` (PubMed's are under 50 million today: a 6 MB bitmap) are bits of a
    bytearray that grows as needed; other identifiers (some corpora's document ids) go to a set.
    """

    BITMAP_LIMIT = 1 << 28  # 32 MiB of bitmap at most

    def __init__(self) -> None:
        self._bits = bytearray()
        self._others: set[str] = set()

    def add(self, pmid: str) -> bool:
        """Remember ``pmid``; whether it had been seen before."""
        plain = pmid.isascii() and pmid.isdigit() and len(pmid) <= 9 and not pmid.startswith("0")
        number = int(pmid) if plain else self.BITMAP_LIMIT
        if number >= self.BITMAP_LIMIT:
            seen = pmid in self._others
            self._others.add(pmid)
            return seen
        byte, bit = number >> 3, 1 << (number & 7)
        if byte >= len(self._bits):
            self._bits.extend(bytes(max(byte + 1, 2 * len(self._bits)) - len(self._bits)))
        seen = bool(self._bits[byte] & bit)
        self._bits[byte] |= bit
        return seen


def _fresh(doc: Document) -> Document:
    """A copy of ``doc`` that the pipeline can change without changing ``doc``: components fill documents (and
    mentions: normalization sets their ``entity_id``) in place, and a batch that failed half-way is processed
    again, one document at a time, from the originals."""
    return dataclasses.replace(doc, mentions=[copy.copy(m) for m in doc.mentions], entities=list(doc.entities),
                               relations=list(doc.relations))


_worker_pipeline: Pipeline | None = None


def _init_worker(factory: Callable[[], Pipeline]) -> None:
    global _worker_pipeline
    _worker_pipeline = factory()


def _run_worker(docs: list[Document]) -> list[Document]:
    assert _worker_pipeline is not None
    return _worker_pipeline(docs)


class Ingester:
    """Reads inputs, runs the pipeline over batches of new or changed documents, writes them to a store.

    ``checkpoint_every_s``: the store is flushed (the embedded store checkpoints: its write-ahead log is folded
    into the database and emptied) after the first batch or deletion stored that many seconds after the last
    flush, and at the end. A killed run thus leaves a write-ahead log of at most that many seconds of stored work
    plus one batch, which is what the next open of the store replays. 0 flushes after every batch.
    """

    def __init__(self, store: GraphStore | None, *, pipeline_factory: Callable[[], Pipeline] = default_pipeline,
                 batch_size: int = 500, workers: int = 1, dry_run: bool = False, progress: bool = True,
                 checkpoint_every_s: float = CHECKPOINT_EVERY_S, report: TextIO = sys.stderr) -> None:
        self.store = store
        self.pipeline_factory = pipeline_factory
        self._pipeline = pipeline_factory() if self.loads_pipeline else None
        self.batch_size = batch_size
        self.workers = workers
        self.dry_run = dry_run
        self.progress = progress
        self.checkpoint_every_s = checkpoint_every_s
        self.report = report
        self.summary = IngestSummary()
        self._seen = SeenPmids()
        self._executor: ProcessPoolExecutor | None = None
        self._last_flush = time.monotonic()

    loads_pipeline = True
    """Whether the pipeline (its models) is loaded when the ingester is made; an engine that extracts elsewhere
    (kg.distributed) loads it only if it ever has to extract in this process."""

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = self.pipeline_factory()
        return self._pipeline

    @property
    def pipeline_version(self) -> str:
        """Stored on every publication; a stored publication of another version is processed again."""
        return self.pipeline.version

    def run(self, inputs: Iterable[str]) -> IngestSummary:
        self._executor = self._start_workers()
        self._last_flush = time.monotonic()
        bar = tqdm(desc="ingest", unit="doc", disable=not self.progress, file=sys.stderr, smoothing=0.1)
        try:
            for item in self._batches(read_sourced_documents(list(inputs))):
                if isinstance(item, Deletion):
                    self._delete(item)
                else:
                    self._process(item)
                    bar.update(len(item.docs))
                self._flush_if_due()
                bar.set_postfix(stored=self.summary.stored + self.summary.replaced, skipped=self.summary.skipped,
                                failed=len(self.summary.failed), refresh=False)
        finally:
            bar.close()
            if self._executor is not None:
                self._executor.shutdown()
                self._executor = None
            if self.store is not None and not self.dry_run:
                self.store.flush()
        return self.summary

    def _start_workers(self) -> ProcessPoolExecutor | None:
        if self.workers <= 1:
            return None
        return ProcessPoolExecutor(self.workers, initializer=_init_worker, initargs=(self.pipeline_factory,))

    def _flush_if_due(self) -> None:
        if self.store is None or self.dry_run or time.monotonic() - self._last_flush < self.checkpoint_every_s:
            return
        self.store.flush()
        self._last_flush = time.monotonic()

    # ---- reading ---------------------------------------------------------------------------------
    def _batches(self, records: Iterator[tuple[str, R | Deletion | ReadError]]) -> Iterator[Batch[R] | Deletion]:
        """Group documents into batches; a deletion closes the current batch so that file order is kept."""
        batch: dict[str, tuple[str, R]] = {}  # by PMID: a later duplicate in the same batch replaces it
        for source, record in records:
            if isinstance(record, ReadError):
                self._fail(str(record))
                continue
            if isinstance(record, Deletion):
                if batch:
                    yield Batch.of(batch)
                    batch = {}
                yield record
                continue
            self.summary.read += 1
            if self._seen.add(record.pmid):
                self.summary.duplicates += 1
            batch.pop(record.pmid, None)
            batch[record.pmid] = (source, record)
            if len(batch) >= self.batch_size:
                yield Batch.of(batch)
                batch = {}
        if batch:
            yield Batch.of(batch)

    # ---- writing ---------------------------------------------------------------------------------
    def _process(self, batch: Batch[Any]) -> None:  # Documents; the Ray engine's DocRefs through its hooks
        version = self.pipeline_version
        stored = self._stored_state([d.pmid for d in batch.docs])
        todo = []
        for doc in batch.docs:
            doc_version, content_hash, length = self._record_state(doc)
            if stored.get(doc.pmid) == (doc_version, content_hash, version):
                self.summary.skipped += 1
            elif length > MAX_TEXT_CHARS:
                self._fail(f"{batch.sources[doc.pmid]}: PMID {doc.pmid}: text of {length:,} characters is "
                           f"over the pipeline's limit of {MAX_TEXT_CHARS:,} (abstracts are far shorter); not stored")
            else:
                todo.append(doc)
        processed = self._extract(todo, batch.sources) if todo else []
        if not processed:
            return
        stale = [doc.pmid for doc in processed if doc.pmid in stored]
        writes = self._store_writes(processed, version)
        if self.dry_run:
            self._describe(writes, stale)
        else:
            try:
                self._write(writes, stale)
            except Exception as exc:  # one bad batch must not lose the rest of the run
                pmids = ", ".join(d.pmid for d in processed[:5]) + (" …" if len(processed) > 5 else "")
                self._fail(f"store write failed for {len(processed)} documents (PMIDs {pmids}): {exc}")
                return
        self.summary.replaced += len(stale)
        self.summary.stored += len(processed) - len(stale)

    @staticmethod
    def _record_state(doc: Document) -> tuple[int, str, int]:
        """Version, content hash and text length of a record read: what decides skip, replace or refuse."""
        return doc.version, doc.content_hash(), len(doc.text)

    @staticmethod
    def _store_writes(processed: list[Document], pipeline_version: str) -> StoreWrites:
        return StoreWrites.from_documents(processed, pipeline_version)

    def _extract(self, docs: list[Document], sources: dict[str, str]) -> list[Document]:
        """The documents through the pipeline, as one batch; if that fails, one at a time, so that a document the
        pipeline cannot process fails alone (in ``summary.failed``, with its file and PMID) and the others of its
        batch are stored. The retries run in this process, from the unchanged originals."""
        try:
            return self._run_pipeline(docs)
        except Exception:  # which document failed, and why, is found out and reported one at a time
            return self._extract_one_by_one(docs, sources)

    def _extract_one_by_one(self, docs: list[Document], sources: dict[str, str]) -> list[Document]:
        processed = []
        for doc in docs:
            try:
                processed.extend(self.pipeline([_fresh(doc)]))
            except Exception as exc:
                self._fail(f"{sources[doc.pmid]}: PMID {doc.pmid}: pipeline failed: {type(exc).__name__}: {exc}")
        return processed

    def _run_pipeline(self, docs: list[Document]) -> list[Document]:
        if self._executor is None:
            return self.pipeline([_fresh(doc) for doc in docs])
        size = max(1, -(-len(docs) // self.workers))
        chunks = [docs[i:i + size] for i in range(0, len(docs), size)]
        try:
            return [doc for chunk in self._executor.map(_run_worker, chunks) for doc in chunk]
        except BrokenProcessPool:  # a worker died (killed, out of memory): the next batches get new ones
            self._executor.shutdown()
            self._executor = self._start_workers()
            raise

    def _write(self, writes: StoreWrites, stale: list[str]) -> None:
        store = self.store
        assert store is not None
        if stale:
            store.delete_publications(stale)
        pending = [PublicationRecord(p.pmid, p.version, p.title, p.journal, p.year, p.doi, PENDING_HASH,
                                     p.pipeline_version) for p in writes.publications]
        store.upsert_publications(pending)
        store.upsert_entities(writes.entities)
        store.upsert_mentions(writes.mentions)
        store.upsert_relations(writes.relations)
        store.upsert_publications(writes.publications)  # the commit point of this batch
        self.summary.written.update(entities=len({e.id for e in writes.entities}), mentions=len(writes.mentions),
                                    relations=len(writes.relations),
                                    evidence=sum(len(r.evidence) for r in writes.relations))

    def _delete(self, deletion: Deletion) -> None:
        """Apply a DeleteCitation; only one that removes a stored publication counts as ``deleted``."""
        if deletion.pmid not in self._stored_state([deletion.pmid]):
            self.summary.deletions_not_found += 1
            return
        if self.dry_run:
            print(f"would delete PMID {deletion.pmid} ({deletion.source})", file=self.report)
        else:
            assert self.store is not None
            try:
                self.store.delete_publications([deletion.pmid])
            except Exception as exc:
                self._fail(f"{deletion.source}: PMID {deletion.pmid}: deletion failed: {exc}")
                return
        self.summary.deleted += 1

    def _stored_state(self, pmids: list[str]) -> dict[str, tuple[int, str, str]]:
        if self.store is None:
            return {}
        rows = self.store.query("publication_state", pmids=pmids)
        return {r["pmid"]: (r["version"], r["content_hash"], r["pipeline_version"]) for r in rows}

    def _describe(self, writes: StoreWrites, stale: list[str]) -> None:
        print(f"would write {len(writes.publications)} publications ({len(stale)} replacing stored versions), "
              f"{len({e.id for e in writes.entities})} entities, {len(writes.mentions)} mentions, "
              f"{len(writes.relations)} relations", file=self.report)
        for pub in writes.publications[:3]:
            print(f"  PMID {pub.pmid} v{pub.version}: {pub.title[:90]}", file=self.report)

    def _fail(self, message: str) -> None:
        self.summary.failed.append(message)
        if self.progress:  # otherwise the final summary lists it once
            tqdm.write(f"error: {message}", file=sys.stderr)
