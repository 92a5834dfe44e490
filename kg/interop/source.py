"""Stream entities and their outgoing edges out of any store, one page of entities at a time.

Pages are keyed on the entity id (named query ``entity_page``: ``WHERE e.id > $after ORDER BY id LIMIT n``) rather
than SKIP/LIMIT, so reading page k does not re-sort or skip the k-1 pages before it; the edges of a page are those
whose subject id lies in the page's id range (``edges_of_subject_range``): on the embedded engine a range test is
>100× faster than ``a.id IN $ids`` with thousands of ids, and on Neo4j it is an index range seek. Every edge is
read exactly once, with its subject's page, with all the properties of the edge model (:class:`EdgeAggregate`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from kg.provenance import is_asserted
from kg.schema import EdgeAggregate
from kg.store.base import GraphStore

DEFAULT_PAGE_SIZE = 5000

_EDGE_NAMESPACE = uuid.UUID("6f1b2a56-3c5e-4c1e-9a51-0b7e4bd0d0a4")
"""Namespace of the name-based (v5) UUIDs that identify edges in exports; fixed so ids are stable."""


@dataclass(frozen=True, slots=True)
class NodeRecord:
    id: str
    category: str
    name: str
    synonyms: tuple[str, ...]


def edge_uuid(edge: EdgeAggregate) -> str:
    """A stable id for the edge (same triple → same id in every export)."""
    return str(uuid.uuid5(_EDGE_NAMESPACE, edge.key))


def iter_graph(store: GraphStore, page_size: int = DEFAULT_PAGE_SIZE, min_belief: float = 0.0
               ) -> Iterator[tuple[list[NodeRecord], list[EdgeAggregate]]]:
    """Yield (entities, edges whose subject is one of them) page by page, in id order; with ``min_belief``, only
    the edges medkg asserts at that belief (:func:`kg.provenance.is_asserted`; 0: every stored edge)."""
    after = ""
    while True:
        rows = store.query("entity_page", after=after, limit=page_size)
        if not rows:
            return
        nodes = [NodeRecord(r["id"], r["category"], r["name"] or "", tuple(r["synonyms"] or ())) for r in rows]
        edges = [EdgeAggregate.from_row(r)
                 for r in store.query("edges_of_subject_range", first=nodes[0].id, last=nodes[-1].id)]
        if min_belief > 0:
            edges = [e for e in edges if is_asserted(e.belief, e.knowledge_sources, e.primary_knowledge_source,
                                                     min_belief)]
        yield nodes, edges
        if len(rows) < page_size:
            return
        after = nodes[-1].id
