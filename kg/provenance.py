"""Provenance and support of an edge: curated knowledge versus text mining, and what each makes of an edge.

An edge has two kinds of support. Curated knowledge: an importer's source (``infores:hpo-annotations``,
``infores:drugcentral`` …) asserts it. Text mining: medkg's own extraction (:data:`TEXT_MINED_SOURCE`), which the
store counts only through evidence sentences. Every rule that tells the two apart lives here: which source takes
the Biolink ``primary_knowledge_source`` slot, the edge's Biolink ``knowledge_level`` and ``agent_type``, who
aggregates it in exports, and how much a question counts it.
"""

from __future__ import annotations

from collections.abc import Iterable

TEXT_MINED_SOURCE = "infores:medkg"
"""``primary_knowledge_source`` of every edge that medkg extracts from text itself."""

NOT_PROVIDED = "not_provided"
"""Biolink's value for a knowledge level or agent type that is not known (an edge written before medkg kept them)."""

_CURATED = ("knowledge_assertion", "manual_agent")
_TEXT_MINED = (TEXT_MINED_SOURCE, NOT_PROVIDED, "text_mining_agent")


def curated_sources(sources: Iterable[str]) -> list[str]:
    """The curated ones among an edge's knowledge sources."""
    return [s for s in sources if s != TEXT_MINED_SOURCE]


def is_curated(sources: Iterable[str] | None, primary: str | None) -> bool:
    """Whether an edge (its knowledge sources and primary source, as stored) has curated support."""
    return bool(primary and primary != TEXT_MINED_SOURCE) or any(s != TEXT_MINED_SOURCE for s in sources or ())


def provenance(sources: Iterable[str]) -> tuple[str, str, str]:
    """``(primary_knowledge_source, knowledge_level, agent_type)`` of an edge with these (sorted) knowledge sources.

    Curated knowledge wins the primary slot (the first curated source), and text mining is then a supporting
    source: a curated edge is a ``knowledge_assertion`` by a ``manual_agent``. An edge supported by text mining
    alone has medkg as its primary source, no stated knowledge level, and a ``text_mining_agent``.
    """
    for source in sources:
        if source != TEXT_MINED_SOURCE:
            return (source, *_CURATED)
    return _TEXT_MINED


def aggregator_sources(primary: str) -> tuple[str, ...]:
    """The ``aggregator_knowledge_source`` of an exported edge: medkg republishes curated edges, so it is their
    aggregator; the text-mined ones are its own (primary) knowledge."""
    return () if primary == TEXT_MINED_SOURCE else (TEXT_MINED_SOURCE,)


def support_weight(primary: str | None, n_pmids: int | None) -> float:
    """How much one disease–phenotype annotation counts in symptom → disease ranking: a curated one fully (curated
    sources take the primary slot), a text-mined-only one by how many publications support it, n / (n + 1)."""
    if primary != TEXT_MINED_SOURCE:
        return 1.0
    n = n_pmids or 0
    return n / (n + 1)
