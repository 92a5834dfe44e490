"""Documents as relation extraction sees them: entities (grouped mentions), sentences and candidate pairs.

An entity is every mention of one identifier in one abstract; a candidate pair is two entities whose
categories BioRED annotates relations between (:data:`extractors.relations.labels.COMPATIBLE`), in the
canonical order of :func:`extractors.relations.labels.pair_order`. Candidates span sentences: the model
decides per pair and per abstract. The sentences are the pipeline's one segmentation (:mod:`extractors.analysis`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from extractors.relations.labels import MARKED, base_category, compatible, pair_order
from kg.schema import Category, Document, MentionSource

Span = tuple[int, int]


@dataclass(slots=True)
class EntityMentions:
    """One entity of a document: its identifier, category and the character spans of its mentions.

    ``confidence`` is how sure normalization was of the identifier: the best score of the entity's mentions
    (1 for gold or exact matches, lower for fuzzy and head-backoff matches, 0 for local ``medkg:`` ids).
    """

    id: str
    category: Category
    spans: list[Span] = field(default_factory=list)
    name: str = ""
    confidence: float = 1.0


@dataclass(slots=True)
class RelDoc:
    """A document prepared for relation extraction.

    ``labels`` (training/evaluation only) maps a candidate pair to its BioRED class index, ``cid`` holds
    the pairs that are chemical-induced-disease relations; ``task`` says which of the two a corpus
    annotates ("biored", "cid", or "" when unlabelled).
    """

    pmid: str
    text: str
    entities: list[EntityMentions]
    sentences: list[Span]
    pairs: list[tuple[int, int]]
    labels: dict[tuple[int, int], int] = field(default_factory=dict)
    cid: set[tuple[int, int]] = field(default_factory=set)
    task: str = ""
    title_end: int = 0  # length of the title (its sentence is sentences[0] when > 0)


def join_split_mentions(sentences: Sequence[Span], protected: Iterable[Span]) -> list[Span]:
    """``sentences`` with those that a ``protected`` span (an entity mention) runs across joined into one: a
    mention belongs to one sentence."""
    inside = sorted(protected)
    out: list[Span] = []
    for start, end in sentences:
        if out and any(s < start < e for s, e in inside):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def group_entities(mentions: Iterable[tuple[str, Category, Span, str]]) -> list[EntityMentions]:
    """Entities from ``(identifier, category, span, text)`` tuples, in order of first mention.

    Mentions of categories outside :data:`~extractors.relations.labels.MARKED` are left out.
    """
    by_id: dict[str, EntityMentions] = {}
    for entity_id, category, span, text in mentions:
        if base_category(category) not in MARKED:
            continue
        entity = by_id.get(entity_id)
        if entity is None:
            entity = by_id[entity_id] = EntityMentions(entity_id, category, [], text)
        if span not in entity.spans:
            entity.spans.append(span)
    for entity in by_id.values():
        entity.spans.sort()
    return sorted(by_id.values(), key=lambda e: e.spans[0])


def candidate_pairs(entities: list[EntityMentions]) -> list[tuple[int, int]]:
    """Index pairs of type-compatible entities, each in canonical order."""
    pairs = []
    for i, a in enumerate(entities):
        for j in range(i + 1, len(entities)):
            b = entities[j]
            if not compatible(a.category, b.category):
                continue
            first = pair_order((a.category, a.id), (b.category, b.id))
            pairs.append((i, j) if first else (j, i))
    return pairs


def text_mentions(doc: Document) -> Iterable[tuple[str, Category, Span, str]]:
    """Normalized text mentions of a pipeline document (mentions without an identifier or offsets are skipped)."""
    for m in doc.mentions:
        if m.entity_id and m.source == MentionSource.TEXT and m.end > m.start:
            yield m.entity_id, m.category, (m.start, m.end), m.text


def build_reldoc(pmid: str, text: str, title_end: int, mentions: Iterable[tuple[str, Category, Span, str]],
                 sentences: Sequence[Span] | None = None) -> RelDoc:
    """A :class:`RelDoc` with entities, sentences and candidate pairs (no labels).

    ``sentences``: the text's sentences from the pipeline's one segmentation (:class:`extractors.analysis.
    TextAnalysis`); when None, the process's shared analyzer makes them.
    """
    if sentences is None:
        from extractors.analysis import shared_analyzer

        (analysis,) = shared_analyzer().analyze_texts([(text, title_end if title_end < len(text) else 0)])
        sentences = analysis.sentences
    entities = group_entities(mentions)
    spans = [span for entity in entities for span in entity.spans]
    return RelDoc(pmid, text, entities, join_split_mentions(sentences, spans), candidate_pairs(entities),
                  title_end=title_end)


def from_document(doc: Document, sentences: Sequence[Span] | None = None) -> RelDoc:
    """The :class:`RelDoc` of a pipeline document: its normalized text mentions, each entity with its normalization
    confidence; ``sentences`` as for :func:`build_reldoc`."""
    rel = build_reldoc(doc.pmid, doc.text, len(doc.title), text_mentions(doc), sentences)
    confidence: dict[str, float] = {}
    for m in doc.mentions:
        if m.entity_id and m.source == MentionSource.TEXT:
            score = 0.0 if m.entity_id.startswith(LOCAL_PREFIX) else m.score
            confidence[m.entity_id] = max(confidence.get(m.entity_id, 0.0), score)
    for entity in rel.entities:
        entity.confidence = confidence.get(entity.id, 1.0)
    return rel


LOCAL_PREFIX = "medkg:"
"""Prefix of the local identifiers that normalization gives what no vocabulary knows."""


def mention_sentence(sentences: list[Span], span: Span) -> int:
    """Index of the sentence that contains the start of ``span`` (the last one starting before it)."""
    index = 0
    for i, (start, _) in enumerate(sentences):
        if start <= span[0]:
            index = i
        else:
            break
    return index
