"""Wordpiece encoding of a :class:`RelDoc` with a typed marker before and after every entity mention.

The abstract is tokenized once; markers are inserted around each mention (start marker typed by the
entity's category, one shared end marker) and the sequence is cut into chunks of at most
``max_length`` wordpieces at sentence boundaries, so that one abstract is one encoder call with one or
two rows. Marker tokens are placeholders in ``input_ids`` (``[unused0]``): their embeddings come from
the model's own marker table, indexed by ``marker_ids`` (-1 for ordinary wordpieces).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractors.relations.candidates import RelDoc, mention_sentence
from extractors.relations.labels import MARKED, base_category
from kg.schema import Category

MARKER_CATEGORIES: tuple[Category, ...] = MARKED
END_MARKER = len(MARKER_CATEGORIES)
N_MARKERS = END_MARKER + 1
PLACEHOLDER = "[unused0]"


@dataclass(slots=True)
class Encoded:
    """One document as encoder input.

    ``mention_pos[e]`` lists ``(chunk, position)`` of the start marker of every mention of entity ``e``;
    ``token_sentence[c][p]`` is the sentence of position ``p`` of chunk ``c`` (-1 for [CLS]/[SEP]/padding).
    """

    input_ids: list[list[int]]
    marker_ids: list[list[int]]
    token_sentence: list[list[int]]
    mention_pos: list[list[tuple[int, int]]]
    entity_sentences: list[list[int]] = field(default_factory=list)  # sentence of each mention, per entity


def encode(doc: RelDoc, tokenizer, max_length: int = 512) -> Encoded:
    """Encode ``doc`` (``tokenizer`` is a fast Hugging Face tokenizer: offsets are needed)."""
    enc = tokenizer(doc.text, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = enc["input_ids"]
    offsets: list[tuple[int, int]] = enc["offset_mapping"]
    n = len(ids)
    starts: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]  # markers before token i: (marker, entity)
    ends: list[int] = [0] * (n + 1)  # end markers after token i
    for e, entity in enumerate(doc.entities):
        marker = MARKER_CATEGORIES.index(base_category(entity.category))
        for start, end in entity.spans:
            first = next((i for i, (_, te) in enumerate(offsets) if te > start), n)
            last = first
            while last + 1 < n and offsets[last + 1][0] < end:
                last += 1
            starts[first].append((marker, e))
            ends[min(last, n)] += 1
    placeholder = tokenizer.convert_tokens_to_ids(PLACEHOLDER)
    # one flat sequence of (input id, marker id, sentence, entity-or--1)
    flat: list[tuple[int, int, int, int]] = []
    sentence_of = [mention_sentence(doc.sentences, off) for off in offsets] + [len(doc.sentences) - 1]
    for i in range(n + 1):
        sent = sentence_of[i] if doc.sentences else 0
        flat.extend((placeholder, marker, sent, e) for marker, e in starts[i])
        if i < n:
            flat.append((ids[i], -1, sent, -1))
        flat.extend((placeholder, END_MARKER, sent, -1) for _ in range(ends[i]))
    chunks = _chunk(flat, max_length - 2)
    out = Encoded([], [], [], [[] for _ in doc.entities],
                  [[mention_sentence(doc.sentences, span) for span in e.spans] for e in doc.entities])
    for c, chunk in enumerate(chunks):
        out.input_ids.append([tokenizer.cls_token_id, *(t[0] for t in chunk), tokenizer.sep_token_id])
        out.marker_ids.append([-1, *(t[1] for t in chunk), -1])
        out.token_sentence.append([-1, *(t[2] for t in chunk), -1])
        for p, t in enumerate(chunk, start=1):
            if t[3] >= 0:
                out.mention_pos[t[3]].append((c, p))
    return out


def _chunk(flat: list[tuple[int, int, int, int]], size: int) -> list[list[tuple[int, int, int, int]]]:
    """Cut at sentence boundaries into pieces of at most ``size`` (a longer sentence is cut where it must)."""
    if len(flat) <= size:
        return [flat]
    chunks: list[list[tuple[int, int, int, int]]] = []
    current: list[tuple[int, int, int, int]] = []
    sentence: list[tuple[int, int, int, int]] = []
    for k, item in enumerate(flat):
        sentence.append(item)
        if k + 1 == len(flat) or flat[k + 1][2] != item[2]:
            if len(current) + len(sentence) > size and current:
                chunks.append(current)
                current = []
            while len(sentence) > size:
                chunks.append(sentence[:size])
                sentence = sentence[size:]
            current.extend(sentence)
            sentence = []
    if current:
        chunks.append(current)
    return chunks


N_PAIR_FEATURES = 17


def pair_features(enc: Encoded, pairs: list[tuple[int, int]]) -> list[list[float]]:
    """Where the two entities of each pair occur, as one-hot bins: what a frozen encoder sees least.

    Sentences mentioning both (0/1/2/3+), smallest sentence distance (0/1/2/3-4/5+), each entity in the
    title, and each entity's number of mentions (1/2/3+).
    """
    out = []
    for h, t in pairs:
        hs, ts = enc.entity_sentences[h], enc.entity_sentences[t]
        both = len(set(hs) & set(ts))
        distance = min(abs(a - b) for a in hs for b in ts) if hs and ts else 9
        row = [0.0] * N_PAIR_FEATURES
        row[min(both, 3)] = 1.0
        row[4 + (distance if distance < 3 else 3 if distance < 5 else 4)] = 1.0
        row[9] = float(0 in hs)
        row[10] = float(0 in ts)
        row[11 + min(len(hs), 3) - 1] = 1.0
        row[14 + min(len(ts), 3) - 1] = 1.0
        out.append(row)
    return out
