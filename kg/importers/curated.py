"""Writing curated knowledge idempotently: shared by the importers (HPO, DrugCentral)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kg.schema import Entity, Predicate, Relation
from kg.store.base import GraphStore

Progress = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)`` after each written batch."""


def changed_entities(store: GraphStore, entities: list[Entity]) -> list[Entity]:
    """Entities not yet stored exactly like this (re-runs then write nothing)."""
    stored = {row["id"]: row for row in store.query("entities_by_id", ids=[e.id for e in entities])}
    return [e for e in entities if (row := stored.get(e.id)) is None or row["category"] != e.category.value
            or row["name"] != e.name or tuple(row["synonyms"] or ()) != e.synonyms]


def write_curated(store: GraphStore, predicate: Predicate, pairs: list[tuple[str, str]], source: str,
                  batch_size: int, progress: Progress | None) -> None:
    """Upsert curated edges, skipping those that already carry ``source`` (updating them would change nothing)."""
    existing = {(row["subject"], row["object"])
                for row in store.query("edges_with_source", predicate=predicate.value, source=source)}
    relations = [Relation(s, predicate, o, primary_knowledge_source=source)
                 for s, o in pairs if (s, o) not in existing]
    batched(store.upsert_relations, relations, batch_size, predicate.value, progress)


def batched(write: Callable[[Any], int], items: list[Any], size: int, step: str, progress: Progress | None) -> None:
    for start in range(0, len(items), size):
        write(items[start:start + size])
        if progress is not None:
            progress(step, min(start + size, len(items)), len(items))


def store_delta(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """What changed between two ``store.stats().as_dict()`` snapshots (empty sections when nothing did)."""
    return {section: {k: after[section].get(k, 0) - before[section].get(k, 0)
                      for k in sorted(set(after[section]) | set(before[section]))
                      if after[section].get(k, 0) != before[section].get(k, 0)}
            for section in after}
