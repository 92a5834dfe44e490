"""BioRED and BC5CDR documents with gold entities and relations, as :class:`RelDoc` for training and scoring.

A composite mention ("ovarian and breast cancer", with two identifiers) is a mention of each of its
entities. Gold relations whose entities have no mention are kept in :func:`gold_relations` (they count
against recall) but cannot be a label of a candidate pair.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

from extractors.analysis import shared_analyzer
from extractors.ner.corpora import shared_data_root
from extractors.readers import AnnotatedDocument, ReadError, read_pubtator
from extractors.relations.candidates import RelDoc, Span, build_reldoc
from extractors.relations.labels import CID, CLASSES
from kg.schema import Category

log = logging.getLogger(__name__)

FILES: dict[str, dict[str, str]] = {
    "biored": {"train": "corpora/biored/pubtator/Train.PubTator", "dev": "corpora/biored/pubtator/Dev.PubTator"},
    "bc5cdr": {"train": "corpora/bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt",
               "dev": "corpora/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"},
}
TASKS = {"biored": "biored", "bc5cdr": "cid"}


def corpus_file(corpus: str, split: str, data_root: str | Path | None = None) -> Path:
    if split not in FILES[corpus]:
        raise ValueError(f"{corpus} has no {split!r} split here (available: {', '.join(FILES[corpus])})")
    path = shared_data_root(data_root) / FILES[corpus][split]
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found (use --data or KG_SHARED_DATA, or --file)")
    return path


def read_annotated(path: Path) -> Iterator[AnnotatedDocument]:
    """Annotated documents of a PubTator or BioC XML file (the format is recognised by the file's start)."""
    with path.open("rb") as stream:
        head = stream.read(256).lstrip()
    if head.startswith(b"<"):
        from extractors.readers import read_bioc

        records = read_bioc(path)
    else:
        records = read_pubtator(path)
    for record in records:
        if isinstance(record, ReadError):
            log.warning("%s", record)
            continue
        yield record


def gold_mentions(record: AnnotatedDocument) -> list[tuple[str, Category, Span, str]]:
    out = []
    for g in record.gold_mentions:
        m = g.mention
        for entity_id in g.ids or ((m.entity_id,) if m.entity_id else ()):
            out.append((entity_id, m.category, (m.start, m.end), m.text))
    return out


def to_reldoc(record: AnnotatedDocument, task: str, sentences: Sequence[Span] | None = None) -> RelDoc:
    """A labelled :class:`RelDoc` from a gold document (gold entities, gold relations as labels; ``sentences``: its
    text's, from :mod:`extractors.analysis`, made here when None)."""
    doc = record.document
    rel = build_reldoc(doc.pmid, doc.text, len(doc.title), gold_mentions(record), sentences)
    rel.task = task
    index = {e.id: i for i, e in enumerate(rel.entities)}
    gold = {}
    for r in record.gold_relations:
        if r.id1 in index and r.id2 in index:
            gold[frozenset((index[r.id1], index[r.id2]))] = r.type
    for pair in rel.pairs:
        rel_type = gold.get(frozenset(pair))
        if rel_type is None:
            continue
        if task == "cid" and rel_type == CID:
            rel.cid.add(pair)
        elif task == "biored" and rel_type in CLASSES:
            rel.labels[pair] = CLASSES.index(rel_type)
    return rel


def load(corpus: str, split: str, data_root: str | Path | None = None,
         file: str | Path | None = None) -> tuple[list[RelDoc], list[AnnotatedDocument]]:
    """Labelled documents of one split (``file`` overrides the standard location) and the gold records."""
    path = Path(file) if file else corpus_file(corpus, split, data_root)
    records = list(read_annotated(path))
    analyses = shared_analyzer().analyze([r.document for r in records])
    return [to_reldoc(r, TASKS[corpus], a.sentences) for r, a in zip(records, analyses, strict=True)], records
