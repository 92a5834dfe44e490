"""The store protocol that every backend implements, and the evidence bookkeeping they share.

Backends implement small write/read primitives (``_write_*``, ``_fetch_*``, ``_delete_*``) in their
own dialect; everything that decides *what* to write — merging evidence by its stable id, folding
it into edge aggregates, dropping edges that lost all support — lives here, once, so that the two
backends cannot drift apart.
"""

from __future__ import annotations

import contextlib
import gc
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from kg.provenance import TEXT_MINED_SOURCE, curated_sources
from kg.schema import (
    EDGE_PROPERTIES,
    Category,
    EdgeAggregate,
    EdgeProperty,
    Entity,
    Evidence,
    Kind,
    PublicationMention,
    PublicationRecord,
    Relation,
    aggregate_evidence,
    edge_key,
    split_edge_key,
)
from kg.store.errors import StoreError
from kg.store.queries import NAMED_QUERIES
from kg.store.readonly import check_parameters, check_read_only

Row = dict[str, Any]


@dataclass(slots=True)
class StoreStats:
    nodes: dict[str, int] = field(default_factory=dict)  # per label (Entity per category, too)
    relationships: dict[str, int] = field(default_factory=dict)  # per type

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"nodes": dict(sorted(self.nodes.items())),
                "relationships": dict(sorted(self.relationships.items()))}


@dataclass(slots=True)
class StoredEdge:
    """What a backend reports about an existing edge: enough to recompute it."""

    key: str
    knowledge_sources: tuple[str, ...]
    evidence_ids: tuple[str, ...] = ()


EVIDENCE_FIELDS = (
    "id", "edge_key", "subject", "predicate", "object", "pmid", "sentence", "start_offset", "end_offset", "score",
    "negated", "speculative", "extractor", "extractor_version", "year",
)
"""The stored properties of an ``Evidence`` node, in column order."""
EVIDENCE_IDS = EdgeProperty(Kind.TEXTS, kgx=None, rdf=None, name="evidence_ids")
"""The ids of all of an edge's Evidence nodes, negated ones included: stored on the edge so that its sentences are
found by primary key (LadybugDB indexes nothing else). The store's link, not a property of the edge's knowledge."""
STORED_EDGE_PROPERTIES = (*EDGE_PROPERTIES, EVIDENCE_IDS)
"""What a relationship stores: the edge model's properties (:class:`EdgeAggregate`) and its evidence ids."""
EDGE_FIELDS = (*EdgeAggregate._fields, EVIDENCE_IDS.name)
"""An edge's endpoints and stored properties, in column order."""


class Columns:
    """Rows of one kind held column by column: a list per field.

    Both engines take writes in this shape (LadybugDB an Arrow table, Neo4j ``UNWIND range(…)`` over one list per
    parameter), and appending a value to a list costs a fraction of building a dict per row and converting it back
    (measured: the row dicts were ~40 % of the Python time of a bulk load).
    """

    __slots__ = ("data",)

    def __init__(self, names: Sequence[str], data: dict[str, list[Any]] | None = None) -> None:
        self.data: dict[str, list[Any]] = data if data is not None else {name: [] for name in names}

    def __len__(self) -> int:
        return len(next(iter(self.data.values()), ()))

    def __getitem__(self, name: str) -> list[Any]:
        return self.data[name]

    def without(self, name: str, values: Collection[Any]) -> Columns:
        """The rows whose ``name`` is not among ``values`` (itself, uncopied, when there are none to drop)."""
        column = self.data[name]
        keep = [n for n, value in enumerate(column) if value not in values]
        if len(keep) == len(column):
            return self
        return Columns(tuple(self.data), {field: [cells[n] for n in keep] for field, cells in self.data.items()})

    def slices(self, size: int) -> Iterator[Columns]:
        """Consecutive pieces of at most ``size`` rows."""
        for start in range(0, len(self), size):
            yield Columns(tuple(self.data), {name: column[start:start + size] for name, column in self.data.items()})


def evidence_columns(edges: Iterable[tuple[str, str, str, str, dict[str, Evidence]]]) -> Columns:
    """The stored form of evidence items: ``(edge key, subject, predicate, object, {evidence id: evidence})``."""
    columns = Columns(EVIDENCE_FIELDS)
    (ids, keys, subjects, predicates, objects, pmids, sentences, starts, ends, scores, negated, speculative,
     extractors, versions, years) = columns.data.values()
    for key, subject, predicate, object_, evidence in edges:
        for evidence_id, ev in evidence.items():
            ids.append(evidence_id)
            keys.append(key)
            subjects.append(subject)
            predicates.append(predicate)
            objects.append(object_)
            pmids.append(ev.pmid)
            sentences.append(ev.sentence)
            starts.append(ev.start)
            ends.append(ev.end)
            scores.append(float(ev.score))
            negated.append(ev.negated)
            speculative.append(ev.speculative)
            extractors.append(ev.extractor)
            versions.append(ev.extractor_version)
            years.append(ev.year)
    return columns


def evidence_from_row(row: Row) -> Evidence:
    return Evidence(
        pmid=row["pmid"], sentence=row["sentence"], start=row["start_offset"], end=row["end_offset"],
        score=row["score"], extractor=row["extractor"], extractor_version=row["extractor_version"],
        negated=row["negated"], speculative=row["speculative"], year=row["year"],
    )


def edge_columns(edges: Iterable[tuple[EdgeAggregate, Iterable[str]]]) -> Columns:
    """The stored form of edges (:data:`EDGE_FIELDS`): ``(edge, ids of all its Evidence nodes)`` each."""
    pairs = list(edges)
    transposed = zip(*(edge for edge, _ in pairs), strict=True) if pairs else ([] for _ in EdgeAggregate._fields)
    data = {name: list(column) for name, column in zip(EdgeAggregate._fields, transposed, strict=True)}
    data[EVIDENCE_IDS.name] = [sorted(ids) for _, ids in pairs]
    return Columns(EDGE_FIELDS, data)


def entity_rows(entities: Sequence[Entity]) -> list[Row]:
    """One row per CURIE; when a batch names an entity twice, the most informative version wins."""
    rows: dict[str, Row] = {}
    for e in entities:
        row = {"id": e.id, "category": str(e.category), "name": e.name, "synonyms": list(e.synonyms)}
        previous = rows.get(e.id)
        if previous is not None:
            if row["category"] == Category.NAMED_THING.value:
                row["category"] = previous["category"]
            row["name"] = row["name"] or previous["name"]
            row["synonyms"] = row["synonyms"] or previous["synonyms"]
        rows[e.id] = row
    return list(rows.values())


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is converted.

    A batch allocates a few dicts and tuples per relation, none of them in cycles, and every ~700 of them
    trigger a collection that walks all tracked objects, including a large store's key sets: measured,
    ~40 % of the Python time of a 10k-relation batch. Reference counting still frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(slots=True)
class _PendingEdge:
    """One edge touched by an ``upsert_relations`` batch: its curated sources and new evidence by id."""

    subject: str
    predicate: str
    object: str
    curated: set[str] | None = None
    evidence: dict[str, Evidence] = field(default_factory=dict)


class GraphStore(ABC):
    """One protocol, two engines: Neo4j (server) and LadybugDB (embedded)."""

    backend: str = ""
    location: str = ""

    # ---- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create node/relationship tables, constraints and indexes if they do not exist."""

    @abstractmethod
    def clear(self) -> None:
        """Delete every node and relationship (schema is kept)."""

    def flush(self) -> None:  # noqa: B027 - optional hook
        """Make everything written so far durable (the embedded store checkpoints here)."""

    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """A first load into a store without relations: backends may stage what is written inside and store
        it in one go at the end (durable when the block exits). If the process dies inside the block, none of
        the relations written in it are stored: run the load again. Elsewhere the block changes nothing.
        """
        yield

    # ---- reads -----------------------------------------------------------------------------------
    @abstractmethod
    def _read(self, cypher: str, params: dict[str, Any]) -> list[Row]:
        """Run a trusted read query and return rows as dicts (column order kept)."""

    def query(self, name: str, **params: Any) -> list[Row]:
        """Run one of the named read queries in :mod:`kg.store.queries`."""
        try:
            named = NAMED_QUERIES[name]
        except KeyError:
            raise KeyError(f"unknown query {name!r}; known: {', '.join(sorted(NAMED_QUERIES))}") from None
        return self._read(*named.bind(params))

    def read_cypher(self, cypher: str, params: dict[str, Any] | None = None, *, timeout_s: float | None = None,
                    max_rows: int | None = None) -> list[Row]:
        """Run user-supplied Cypher on the read-only path; anything that could write is refused.

        With ``timeout_s`` the query is stopped (:class:`QueryTimeout`) when it runs longer; with ``max_rows``
        at most ``max_rows + 1`` rows are fetched, so that a caller can tell that the answer was cut.
        """
        check_read_only(cypher)
        check_parameters(params)
        if timeout_s is None and max_rows is None:
            return self._read(cypher, params or {})
        return self._read_bounded(cypher, params or {}, timeout_s, max_rows)

    @abstractmethod
    def _read_bounded(self, cypher: str, params: dict[str, Any], timeout_s: float | None,
                      max_rows: int | None) -> list[Row]:
        """Like ``_read``, stopped after ``timeout_s`` (QueryTimeout) and fetching at most ``max_rows + 1`` rows."""

    @abstractmethod
    def stats(self) -> StoreStats: ...

    # ---- writes: nodes ---------------------------------------------------------------------------
    @abstractmethod
    def upsert_publications(self, publications: Sequence[PublicationRecord]) -> int: ...

    @abstractmethod
    def upsert_entities(self, entities: Sequence[Entity]) -> int:
        """Create or update entities by CURIE; a known name/category is never overwritten by a blank."""

    @abstractmethod
    def upsert_mentions(self, mentions: Sequence[PublicationMention]) -> int: ...

    # ---- writes: relations with evidence ---------------------------------------------------------
    def upsert_relations(self, relations: Iterable[Relation]) -> int:
        """Add relations and their evidence; recompute the aggregates of every edge touched.

        Idempotent: evidence is keyed by (PMID, edge, sentence offsets, extractor), so writing the same
        batch twice changes nothing. Edges that do not exist yet (the bulk of a first load) are aggregated
        straight from the batch's ``Evidence`` objects; only existing edges read their stored evidence back.
        """
        with _no_cyclic_gc():
            return self._upsert_relations(relations)

    def _upsert_relations(self, relations: Iterable[Relation]) -> int:
        edges: dict[str, _PendingEdge] = {}
        for rel in relations:
            subject, predicate, object_ = rel.subject, rel.predicate.value, rel.object
            key = edge_key(subject, predicate, object_)
            edge = edges.get(key)
            if edge is None:  # every relation touches its edge, even without evidence
                edge = edges[key] = _PendingEdge(subject, predicate, object_)
            if rel.primary_knowledge_source != TEXT_MINED_SOURCE:
                if edge.curated is None:
                    edge.curated = set()
                edge.curated.add(rel.primary_knowledge_source)
            for ev in rel.evidence:
                edge.evidence[ev.key(subject, predicate, object_)] = ev
        if not edges:
            return 0
        self._ensure_entities({e.subject for e in edges.values()} | {e.object for e in edges.values()})
        evidence = evidence_columns((key, e.subject, e.predicate, e.object, e.evidence) for key, e in edges.items())
        if len(evidence):
            self._write_evidence(evidence)
        existing = self._fetch_edges(list(edges))
        stored = self._fetch_evidence([i for e in existing.values() for i in e.evidence_ids]) if existing else {}
        created: dict[str, list[tuple[EdgeAggregate, Iterable[str]]]] = defaultdict(list)  # by predicate
        updated: dict[str, list[tuple[EdgeAggregate, Iterable[str]]]] = defaultdict(list)
        for key, edge in edges.items():
            curated = edge.curated or set()
            if key in existing:
                curated = curated.union(curated_sources(existing[key].knowledge_sources))
                merged = {row["id"]: evidence_from_row(row) for row in stored.get(key, [])}
                merged.update(edge.evidence)
            else:
                merged = edge.evidence
            agg = aggregate_evidence(edge.subject, edge.predicate, edge.object, list(merged.values()),
                                     tuple(sorted(curated)))
            if agg.knowledge_sources:  # negated/speculative-only evidence creates no edge
                (updated if key in existing else created)[edge.predicate].append((agg, merged))
        self._write_edges({predicate: edge_columns(group) for predicate, group in created.items()}, new=True)
        self._write_edges({predicate: edge_columns(group) for predicate, group in updated.items()}, new=False)
        return sum(map(len, created.values())) + sum(map(len, updated.values()))

    def delete_publications(self, pmids: Sequence[str]) -> int:
        """Remove publications, their mentions and the evidence they contributed; recompute the edges.

        An edge left with no supporting evidence and no curated source disappears. The steps are ordered
        so that a process killed at any point leaves a state the same call repairs: edges are recomputed
        (without these publications' evidence) before that evidence is deleted, and the publication node
        goes last. Returns the number of edges that were recomputed or removed.
        """
        pmids = list(pmids)
        if not pmids:
            return 0
        affected = [r["edge_key"] for r in self.query("edge_keys_of_publications", pmids=pmids)]
        recomputed = self._recompute_edges(affected, excluding=set(pmids))
        self._delete_evidence_of(pmids)
        self._delete_publication_nodes(pmids)
        return recomputed

    def retract_source(self, predicate: str, source: str, extractor: str = "") -> int:
        """Withdraw a knowledge source from every ``predicate`` edge that carries it, with its evidence items
        (those whose ``extractor`` is ``extractor``); an edge left with no other support disappears.

        For sources whose edges are recomputed as a whole on every run (medkg's statistics): the run withdraws
        what it wrote last time and writes the new result. Edges are recomputed before the evidence is deleted,
        so that a process killed in between leaves a state that the same call repairs. Returns the number of
        edges that were recomputed or removed.
        """
        keys = [edge_key(r["subject"], predicate, r["object"])
                for r in self.query("edges_with_source", predicate=predicate, source=source)]
        return self._recompute_edges(keys, without_source=source, without_extractor=extractor)

    def _recompute_edges(self, keys: Sequence[str], excluding: Collection[str] = (), *, without_source: str = "",
                         without_extractor: str = "") -> int:
        """Recompute these edges from their stored evidence and curated sources, leaving out the evidence of the
        ``excluding`` PMIDs, the source ``without_source`` and the evidence items of ``without_extractor`` (which
        are then deleted, after the edges are written); an edge left with no support is removed."""
        if not keys:
            return 0
        existing = self._fetch_edges(list(keys))
        stored = self._fetch_evidence([i for e in existing.values() for i in e.evidence_ids])
        update: dict[str, list[tuple[EdgeAggregate, Iterable[str]]]] = defaultdict(list)  # by predicate
        remove = []
        withdrawn: list[str] = []
        for key, edge in existing.items():
            curated = set(curated_sources(edge.knowledge_sources)) - {without_source}
            rows = []
            for row in stored.get(key, []):
                if without_extractor and row["extractor"] == without_extractor:
                    withdrawn.append(row["id"])
                elif row["pmid"] not in excluding:
                    rows.append(row)
            agg = self._aggregate(key, rows, curated)
            if agg.knowledge_sources:
                update[agg.predicate].append((agg, [r["id"] for r in rows]))
            else:
                remove.append(key)
        self._write_edges({predicate: edge_columns(group) for predicate, group in update.items()}, new=False)
        self._delete_edges(remove)
        if withdrawn:
            self._delete_evidence(withdrawn)
        return len(existing)

    @staticmethod
    def _aggregate(key: str, rows: list[Row], curated: set[str]) -> EdgeAggregate:
        subject, predicate, object_ = split_edge_key(key)
        return aggregate_evidence(subject, predicate, object_, [evidence_from_row(r) for r in rows],
                                  tuple(sorted(curated)))

    def _ensure_entities(self, ids: set[str]) -> None:
        """Create placeholder entities for relation endpoints that no document introduced."""
        missing = ids - self._existing_entity_ids(ids)
        if missing:
            self.upsert_entities([Entity(i, Category.NAMED_THING) for i in sorted(missing)])

    # ---- migration -------------------------------------------------------------------------------
    MIGRATION_BATCH = 10_000
    """Edges recomputed per step of :meth:`migrate` (each step is durable on its own)."""

    def migrate(self) -> int:
        """Recompute every edge that lacks one of the edge model's properties (:data:`EDGE_PROPERTIES`): an edge
        written by a medkg from before that property, e.g. ``belief``. Returns the number of edges recomputed.

        The one migration of edge properties, for both backends and any property added to
        :class:`~kg.schema.EdgeAggregate`: the edge is recomputed from its stored evidence and curated sources
        through :func:`~kg.schema.aggregate_evidence`, as a new write would compute it. Every writable open runs it
        (``kg init`` once upgrades a store); a read-only open does not, and reads :attr:`EdgeProperty.missing` on
        such edges. In steps of :data:`MIGRATION_BATCH` edges, so that an interrupted migration is finished by the
        next writable open.
        """
        recomputed, previous = 0, None
        while True:
            rows = self.query("edges_lacking_properties", limit=self.MIGRATION_BATCH)
            keys = [edge_key(r["subject"], r["predicate"], r["object"]) for r in rows]
            if not keys:
                return recomputed
            if keys == previous:
                raise StoreError(f"{self.backend} store ({self.location}): recomputing {len(keys)} edges left them "
                                 f"without all edge properties (first: {keys[0]})")
            recomputed += self._recompute_edges(keys)
            previous = keys

    # ---- backend primitives ----------------------------------------------------------------------
    @abstractmethod
    def _existing_entity_ids(self, ids: set[str]) -> set[str]: ...

    @abstractmethod
    def _write_evidence(self, evidence: Columns) -> None:
        """Insert evidence (:data:`EVIDENCE_FIELDS`); items whose ``id`` is already stored are left as they are."""

    @abstractmethod
    def _fetch_evidence(self, evidence_ids: list[str]) -> dict[str, list[Row]]:
        """The stored evidence rows with these ids (an edge's ``evidence_ids``: primary keys), by edge key."""

    @abstractmethod
    def _fetch_edges(self, keys: list[str]) -> dict[str, StoredEdge]:
        """The edges among ``keys`` that exist."""

    @abstractmethod
    def _write_edges(self, edges: Mapping[str, Columns], *, new: bool) -> None:
        """Create (``new``) or overwrite the properties of existing edges (:data:`EDGE_FIELDS`), by predicate."""

    @abstractmethod
    def _delete_edges(self, keys: list[str]) -> None: ...

    @abstractmethod
    def _delete_evidence(self, evidence_ids: list[str]) -> None:
        """Delete these Evidence nodes (ids that are not stored are ignored)."""

    @abstractmethod
    def _delete_evidence_of(self, pmids: list[str]) -> None:
        """Delete all evidence from these publications."""

    @abstractmethod
    def _delete_publication_nodes(self, pmids: list[str]) -> None:
        """Delete the publications and their ``mentions`` links."""
