"""The graph of a first load, assembled in memory with the store protocol's write semantics, for bulk loaders.

A bulk loader (``neo4j-admin database import``, the embedded store's ``COPY``) wants the finished graph, while
ingestion produces it as a sequence of batch writes and deletions: a PMID read twice keeps its last record, a
replaced document loses the mentions and evidence of its earlier version, ``DeleteCitation`` removes what was
stored before it, entities are never removed and merge as :meth:`GraphStore.upsert_entities` merges them. The
writer of ``kg ingest --engine ray`` applies its batches to a :class:`GraphImage` instead of a store; the image
answers the writer's questions (which documents are stored, in which state) as the store would, so skip, replace
and delete are decided as on a store, and at the end holds exactly what the same writes leave in an empty store.

It is held in the driver's memory, sentences included (not yet measured at scale): meant for a first load that
fits in the driver's memory, not the whole baseline in one image.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from kg.schema import (
    TEXT_MINED_SOURCE,
    Category,
    EdgeAggregate,
    Entity,
    Evidence,
    PublicationMention,
    PublicationRecord,
    Relation,
    aggregate_evidence,
)
from kg.store.base import Row, entity_rows

PLACEHOLDER = Category.NAMED_THING.value


@dataclass(slots=True)
class StoredEvidence:
    edge_key: str
    subject: str
    predicate: str
    object: str
    evidence: Evidence


@dataclass(slots=True)
class _Edge:
    """An edge as a store holds it: its curated sources and the ids of its Evidence nodes."""

    subject: str
    predicate: str
    object: str
    curated: set[str] = field(default_factory=set)
    evidence_ids: set[str] = field(default_factory=set)


@dataclass(slots=True)
class GraphImage:
    """Publications, entities, mentions, evidence and edges as an empty store would hold them after the same
    calls of :meth:`upsert_publications`, :meth:`upsert_entities`, :meth:`upsert_mentions`,
    :meth:`upsert_relations` and :meth:`delete_publications` (the :class:`GraphStore` methods of those names,
    whose rules these follow)."""

    publications: dict[str, PublicationRecord] = field(default_factory=dict)
    entities: dict[str, Row] = field(default_factory=dict)
    mentions: dict[str, dict[tuple[str, str], PublicationMention]] = field(default_factory=dict)  # by PMID
    evidence: dict[str, StoredEvidence] = field(default_factory=dict)  # by evidence id
    evidence_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # PMID → evidence ids
    edges: dict[str, _Edge] = field(default_factory=dict)  # by edge key

    # ---- what the writer asks ------------------------------------------------------------------------------
    def publication_state(self, pmids: Iterable[str]) -> dict[str, tuple[int, str, str]]:
        """(version, content hash, pipeline version) of the stored ones among ``pmids``, like the store's
        ``publication_state`` query."""
        found = (self.publications.get(pmid) for pmid in pmids)
        return {p.pmid: (p.version, p.content_hash, p.pipeline_version) for p in found if p is not None}

    # ---- writes --------------------------------------------------------------------------------------------
    def upsert_publications(self, publications: Sequence[PublicationRecord]) -> None:
        for p in publications:
            self.publications[p.pmid] = p
            self.mentions.setdefault(p.pmid, {})

    def upsert_entities(self, entities: Sequence[Entity]) -> None:
        for row in entity_rows(entities):
            old = self.entities.get(row["id"])
            if old is None:
                self.entities[row["id"]] = row
            elif row["category"] != PLACEHOLDER:  # a placeholder never changes an entity that exists
                old["category"] = row["category"]
                old["name"] = row["name"] or old["name"]
                old["synonyms"] = row["synonyms"] or old["synonyms"]

    def _ensure_entities(self, ids: Iterable[str]) -> None:
        missing = sorted(set(ids) - self.entities.keys())
        if missing:
            self.upsert_entities([Entity(i, Category.NAMED_THING) for i in missing])

    def upsert_mentions(self, mentions: Sequence[PublicationMention]) -> None:
        self._ensure_entities(m.entity_id for m in mentions)
        for m in mentions:
            if m.pmid in self.publications:  # the store matches the publication node first
                self.mentions[m.pmid][(m.entity_id, str(m.source))] = m

    def upsert_relations(self, relations: Iterable[Relation]) -> None:
        """:meth:`GraphStore.upsert_relations`: evidence by its stable id (the first write stays), an edge's
        aggregate from its stored and new evidence, no edge from unsupported evidence alone."""
        pending: dict[str, tuple[_Edge, dict[str, Evidence]]] = {}
        for rel in relations:
            subject, predicate, object_ = rel.subject, rel.predicate.value, rel.object
            key = f"{subject}|{predicate}|{object_}"
            edge, new = pending.setdefault(key, (_Edge(subject, predicate, object_), {}))
            if rel.primary_knowledge_source != TEXT_MINED_SOURCE:
                edge.curated.add(rel.primary_knowledge_source)
            for ev in rel.evidence:
                new[ev.key(subject, predicate, object_)] = ev
        self._ensure_entities({e.subject for e, _ in pending.values()} | {e.object for e, _ in pending.values()})
        for key, (edge, new) in pending.items():
            for evidence_id, ev in new.items():
                if evidence_id not in self.evidence:
                    self.evidence[evidence_id] = StoredEvidence(key, edge.subject, edge.predicate, edge.object, ev)
                    self.evidence_of[ev.pmid].add(evidence_id)
            existing = self.edges.get(key)
            if existing is not None:
                edge.curated |= existing.curated
                edge.evidence_ids = existing.evidence_ids | new.keys()
            else:
                edge.evidence_ids = set(new)
            if self.aggregate(edge).knowledge_sources:
                self.edges[key] = edge

    def delete_publications(self, pmids: Sequence[str]) -> None:
        """:meth:`GraphStore.delete_publications`: the edges their evidence touched are recomputed without it
        (and removed when nothing supports them), then the evidence, mentions and publications go."""
        gone = {i for pmid in pmids for i in self.evidence_of.get(pmid, ())}
        for key in sorted({self.evidence[i].edge_key for i in gone}):
            edge = self.edges.get(key)
            if edge is None:
                continue
            edge.evidence_ids = {i for i in edge.evidence_ids if i in self.evidence and i not in gone}
            if not self.aggregate(edge).knowledge_sources:
                del self.edges[key]
        for pmid in pmids:
            for evidence_id in self.evidence_of.pop(pmid, ()):
                del self.evidence[evidence_id]
            self.mentions.pop(pmid, None)
            self.publications.pop(pmid, None)

    # ---- the finished graph --------------------------------------------------------------------------------
    def aggregate(self, edge: _Edge) -> EdgeAggregate:
        evidence = [self.evidence[i].evidence for i in edge.evidence_ids if i in self.evidence]
        return aggregate_evidence(edge.subject, edge.predicate, edge.object, evidence, tuple(sorted(edge.curated)))

    def edge_aggregates(self) -> Iterator[tuple[EdgeAggregate, list[str]]]:
        """Every edge with the sorted ids of its Evidence nodes, by edge key."""
        for key in sorted(self.edges):
            edge = self.edges[key]
            yield self.aggregate(edge), sorted(i for i in edge.evidence_ids if i in self.evidence)

    def all_mentions(self) -> Iterator[PublicationMention]:
        for pmid in sorted(self.mentions):
            yield from self.mentions[pmid].values()
