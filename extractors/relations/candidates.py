"""Documents as relation extraction sees them: entities (grouped mentions), sentences and candidate pairs.

An entity is every mention of one identifier in one abstract; a candidate pair is two entities whose
categories BioRED annotates relations between (:data:`extractors.relations.labels.COMPATIBLE`), in the
canonical order of :func:`extractors.relations.labels.pair_order`. Candidates span sentences: the model
decides per pair and per abstract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.schema import Category, Document, MentionSource

from .labels import MARKED, base_category, compatible, pair_order

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


_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9(\[])")


def split_sentences(text: str, title_end: int, protected: Iterable[Span] = ()) -> list[Span]:
    """Sentence spans of ``text``: the title, then the abstract cut after ``.!?`` + space + capital/digit.

    A boundary inside a ``protected`` span (an entity mention such as "Dr. X" or "p. Y") is not a boundary.
    """
    inside = sorted(protected)
    spans: list[Span] = []
    if title_end > 0:
        spans.append((0, title_end))
    start = title_end
    for match in _SENTENCE_END.finditer(text, title_end):
        cut = match.start() + 1
        if any(s < cut < e for s, e in inside):
            continue
        spans.append((start, cut))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [_strip(text, s, e) for s, e in spans if text[s:e].strip()]


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


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


def build_reldoc(pmid: str, text: str, title_end: int,
                 mentions: Iterable[tuple[str, Category, Span, str]]) -> RelDoc:
    """A :class:`RelDoc` with entities, sentences and candidate pairs (no labels)."""
    entities = group_entities(mentions)
    spans = [span for entity in entities for span in entity.spans]
    sentences = split_sentences(text, title_end, spans)
    return RelDoc(pmid, text, entities, sentences, candidate_pairs(entities), title_end=title_end)


def from_document(doc: Document) -> RelDoc:
    rel = build_reldoc(doc.pmid, doc.text, len(doc.title), text_mentions(doc))
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
