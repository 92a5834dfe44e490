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

MESH_COOCCURRENCE_SOURCE = "infores:medkg-mesh-cooccurrence"
"""Disease → sign/symptom edges that medkg computes itself from MeSH co-indexing of the stored citations
(:mod:`kg.importers.mesh_cooccurrence`): a statistical association, neither curated nor text-mined."""

MESH_COOCCURRENCE_EXTRACTOR = "mesh-cooccurrence"
"""The ``extractor`` of the evidence items of :data:`MESH_COOCCURRENCE_SOURCE` (one per co-indexed citation)."""

STATISTICAL_EXTRACTORS = frozenset({MESH_COOCCURRENCE_EXTRACTOR})
"""Extractors whose evidence items state a statistic over citations, not what a sentence says: they count as
the edge's citations but are not text mining (:func:`kg.schema.aggregate_evidence`, :func:`kg.belief.belief`)."""

STATISTICAL_SOURCES = frozenset({MESH_COOCCURRENCE_SOURCE})
"""Knowledge sources whose edges are statistical associations computed by medkg (Biolink ``knowledge_level``
``statistical_association``, ``agent_type`` ``automated_agent``)."""

NOT_PROVIDED = "not_provided"
"""Biolink's value for a knowledge level or agent type that is not known (an edge written before medkg kept them)."""

_CURATED = ("knowledge_assertion", "manual_agent")
_STATISTICAL = ("statistical_association", "automated_agent")
_TEXT_MINED = (TEXT_MINED_SOURCE, NOT_PROVIDED, "text_mining_agent")


def curated_sources(sources: Iterable[str]) -> list[str]:
    """The asserted ones among an edge's knowledge sources: every source but text mining, which the store counts
    through evidence (curated sources and medkg's statistics, :data:`STATISTICAL_SOURCES`, are kept as they are
    when an edge is recomputed)."""
    return [s for s in sources if s != TEXT_MINED_SOURCE]


def _curated(source: str | None) -> bool:
    return bool(source) and source != TEXT_MINED_SOURCE and source not in STATISTICAL_SOURCES


def is_curated(sources: Iterable[str] | None, primary: str | None) -> bool:
    """Whether an edge (its knowledge sources and primary source, as stored) has curated support (a statistic
    such as MeSH co-occurrence is not curation)."""
    return _curated(primary) or any(_curated(s) for s in sources or ())


ASSERTED_MIN_BELIEF = 0.665
"""What medkg asserts by default (``kg export kgx|rdf``, the ``asserted`` flag of answers' edges): an edge with
curated support, or one whose belief reaches this. Chosen on dev for end-to-end precision, where an edge rests on
one abstract and its belief is 0.95 × its calibrated sentence score: belief 0.665 is score 0.7, at which BioRED dev
pairs are 68.2 % precise (15 of 22 edges, recall 1.3 %) and BC5CDR dev CID 87.5 % (7 of 8), 73 % pooled
(``kg evaluate re|cid --entities predicted --json``, ``end_to_end.at_threshold``; calibration of 809aa17, where
score 0.68 is the lowest threshold with 70 % pooled). No threshold gives 70 % with useful
recall; so by default almost no text-mined edge is asserted until the relation model improves. Everything else
is kept as a candidate, with its score and belief, and ``--min-belief 0`` exports it."""


def is_asserted(belief: float | None, sources: Iterable[str] | None, primary: str | None,
                min_belief: float = ASSERTED_MIN_BELIEF) -> bool:
    """Whether an edge is treated as true: curated support, or a belief of at least ``min_belief`` (a belief not
    yet computed, None or 0.0 on a store written before beliefs, counts as 0)."""
    return is_curated(sources, primary) or (belief or 0.0) >= min_belief


def provenance(sources: Iterable[str]) -> tuple[str, str, str]:
    """``(primary_knowledge_source, knowledge_level, agent_type)`` of an edge with these (sorted) knowledge sources.

    Curated knowledge wins the primary slot (the first curated source), and text mining is then a supporting
    source: a curated edge is a ``knowledge_assertion`` by a ``manual_agent``. Without curated support a statistic
    of medkg's (:data:`STATISTICAL_SOURCES`) is primary: a ``statistical_association`` by an ``automated_agent``.
    An edge supported by text mining alone has medkg as its primary source, no stated knowledge level, and a
    ``text_mining_agent``.
    """
    statistical = ""
    for source in sources:
        if source in STATISTICAL_SOURCES:
            statistical = statistical or source
        elif source != TEXT_MINED_SOURCE:
            return (source, *_CURATED)
    return (statistical, *_STATISTICAL) if statistical else _TEXT_MINED


def aggregator_sources(primary: str) -> tuple[str, ...]:
    """The ``aggregator_knowledge_source`` of an exported edge: medkg republishes curated edges, so it is their
    aggregator; the text-mined ones and its statistics are its own (primary) knowledge."""
    return () if primary == TEXT_MINED_SOURCE or primary in STATISTICAL_SOURCES else (TEXT_MINED_SOURCE,)


def support_weight(primary: str | None, n_pmids: int | None) -> float:
    """How much one disease–phenotype annotation counts in symptom → disease ranking: a curated one fully (curated
    sources take the primary slot), a text-mined-only or statistical one (MeSH co-occurrence, whose edges keep at
    most 20 of their citations) by how many publications support it, n / (n + 1)."""
    if primary != TEXT_MINED_SOURCE and primary not in STATISTICAL_SOURCES:
        return 1.0
    n = n_pmids or 0
    return n / (n + 1)
