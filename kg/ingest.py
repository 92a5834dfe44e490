"""Documents → pipeline → store, incrementally, idempotently and safe to kill.

Progress lives in the store, not in side files (see ARCHITECTURE): a publication is stored with a
*pending* content hash before anything it contributes, and with its real hash after. On a re-run a
document whose PMID, version, content hash and pipeline version match the store is skipped; any other
stored state (changed text, other pipeline, pending after a crash) is deleted with the evidence it
contributed and written again. So ``kill -9`` at any point followed by the same command gives the
graph of one clean run.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TextIO

from tqdm import tqdm

from extractors.pipeline import Pipeline, default_pipeline
from extractors.readers import read_documents
from extractors.readers.records import Deletion, ReadError
from kg.schema import Document, Entity, MentionSource, PublicationMention, PublicationRecord, Relation
from kg.store.base import GraphStore

PENDING_HASH = "pending"


@dataclass(slots=True)
class IngestSummary:
    read: int = 0
    stored: int = 0  # new documents written
    replaced: int = 0  # documents whose stored version was deleted and written again
    skipped: int = 0  # unchanged documents
    deleted: int = 0  # DeleteCitation records applied
    failed: list[str] = field(default_factory=list)  # one message per record that could not be read/stored
    written: Counter[str] = field(default_factory=Counter)  # entities, mentions, relations, evidence

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, object]:
        return {"read": self.read, "stored": self.stored, "replaced": self.replaced, "skipped": self.skipped,
                "deleted": self.deleted, "failed": len(self.failed), "failures": self.failed,
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


_worker_pipeline: Pipeline | None = None


def _init_worker(factory: Callable[[], Pipeline]) -> None:
    global _worker_pipeline
    _worker_pipeline = factory()


def _run_worker(docs: list[Document]) -> list[Document]:
    assert _worker_pipeline is not None
    return _worker_pipeline(docs)


class Ingester:
    """Reads inputs, runs the pipeline over batches of new or changed documents, writes them to a store."""

    def __init__(self, store: GraphStore | None, *, pipeline_factory: Callable[[], Pipeline] = default_pipeline,
                 batch_size: int = 500, workers: int = 1, dry_run: bool = False, progress: bool = True,
                 report: TextIO = sys.stderr) -> None:
        self.store = store
        self.pipeline_factory = pipeline_factory
        self.pipeline = pipeline_factory()
        self.batch_size = batch_size
        self.workers = workers
        self.dry_run = dry_run
        self.progress = progress
        self.report = report
        self.summary = IngestSummary()

    def run(self, inputs: Iterable[str]) -> IngestSummary:
        executor = (ProcessPoolExecutor(self.workers, initializer=_init_worker, initargs=(self.pipeline_factory,))
                    if self.workers > 1 else None)
        bar = tqdm(desc="ingest", unit="doc", disable=not self.progress, file=sys.stderr, smoothing=0.1)
        try:
            for item in self._batches(read_documents(list(inputs))):
                if isinstance(item, Deletion):
                    self._delete(item)
                else:
                    self._process(item, executor)
                    bar.update(len(item))
                bar.set_postfix(stored=self.summary.stored + self.summary.replaced, skipped=self.summary.skipped,
                                failed=len(self.summary.failed), refresh=False)
        finally:
            bar.close()
            if executor is not None:
                executor.shutdown()
            if self.store is not None and not self.dry_run:
                self.store.flush()
        return self.summary

    # ---- reading ---------------------------------------------------------------------------------
    def _batches(self, records: Iterator[Document | Deletion | ReadError]) -> Iterator[list[Document] | Deletion]:
        """Group documents into batches; a deletion closes the current batch so that file order is kept."""
        batch: dict[str, Document] = {}  # by PMID: a later duplicate in the same batch replaces the earlier
        for record in records:
            if isinstance(record, ReadError):
                self._fail(str(record))
                continue
            if isinstance(record, Deletion):
                if batch:
                    yield list(batch.values())
                    batch = {}
                yield record
                continue
            self.summary.read += 1
            batch.pop(record.pmid, None)
            batch[record.pmid] = record
            if len(batch) >= self.batch_size:
                yield list(batch.values())
                batch = {}
        if batch:
            yield list(batch.values())

    # ---- writing ---------------------------------------------------------------------------------
    def _process(self, docs: list[Document], executor: ProcessPoolExecutor | None) -> None:
        version = self.pipeline.version
        stored = self._stored_state([d.pmid for d in docs])
        todo, stale = [], []
        for doc in docs:
            state = stored.get(doc.pmid)
            if state == (doc.version, doc.content_hash(), version):
                self.summary.skipped += 1
                continue
            todo.append(doc)
            if state is not None:
                stale.append(doc.pmid)
        if not todo:
            return
        processed = self._extract(todo, executor)
        writes = StoreWrites.from_documents(processed, version)
        if self.dry_run:
            self._describe(writes, stale)
        else:
            try:
                self._write(writes, stale)
            except Exception as exc:  # one bad batch must not lose the rest of the run
                pmids = ", ".join(d.pmid for d in todo[:5]) + (" …" if len(todo) > 5 else "")
                self._fail(f"store write failed for {len(todo)} documents (PMIDs {pmids}): {exc}")
                return
        self.summary.replaced += len(stale)
        self.summary.stored += len(todo) - len(stale)

    def _extract(self, docs: list[Document], executor: ProcessPoolExecutor | None) -> list[Document]:
        if executor is None:
            return self.pipeline(docs)
        size = max(1, -(-len(docs) // self.workers))
        chunks = [docs[i:i + size] for i in range(0, len(docs), size)]
        return [doc for chunk in executor.map(_run_worker, chunks) for doc in chunk]

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
        if self.dry_run:
            print(f"would delete PMID {deletion.pmid} ({deletion.source})", file=self.report)
        elif self.store is not None:
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
