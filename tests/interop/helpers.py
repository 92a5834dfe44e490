"""What the interop round trips compare: entities and edges as read back from a store."""

from __future__ import annotations

from typing import Any

from kg.store.base import GraphStore


def entity_rows(store: GraphStore) -> list[dict[str, Any]]:
    rows = store.read_cypher("MATCH (e:Entity) RETURN e.id AS id, e.category AS category, e.name AS name, "
                             "e.synonyms AS synonyms ORDER BY id")
    return [{**r, "synonyms": list(r["synonyms"] or [])} for r in rows]


def edge_rows(store: GraphStore) -> dict[tuple[str, str, str], dict[str, Any]]:
    rows = store.read_cypher(
        "MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id AS s, r.predicate AS p, b.id AS o, r.pmids AS pmids, "
        "r.n_pmids AS n_pmids, r.best_score AS best_score, r.primary_knowledge_source AS primary_source, "
        "r.knowledge_sources AS sources, r.knowledge_level AS knowledge_level, r.agent_type AS agent_type "
        "ORDER BY s, p, o")
    return {(r["s"], r["p"], r["o"]): {**r, "pmids": list(r["pmids"] or []), "sources": list(r["sources"] or [])}
            for r in rows}


def edge_count(store: GraphStore) -> int:
    return sum(n for rel, n in store.stats().relationships.items() if rel != "mentions")
