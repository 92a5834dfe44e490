"""PubTator text format, as used by BC5CDR, BioRED, the NCBI disease corpus and GSC+ inputs.

One block per document, blocks separated by blank lines::

    PMID|t|title
    PMID|a|abstract
    PMID<TAB>start<TAB>end<TAB>text<TAB>type<TAB>ids[<TAB>component texts]   mention
    PMID<TAB>CID<TAB>chemical<TAB>disease                                    BC5CDR relation
    PMID<TAB>Type<TAB>id1<TAB>id2<TAB>Novelty                                BioRED relation

Offsets refer to ``title + " " + abstract`` (``Document.text``). The file is read line by line (constant
memory); a line that is not valid UTF-8 is decoded with replacement characters and reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from extractors.readers.annotations import RelationIds, gold_mention
from extractors.readers.files import InputError, PathLike, read_path
from extractors.readers.records import AnnotatedDocument, GoldMention, ReadError
from kg.schema import Category, Document

CorpusRecord = AnnotatedDocument | ReadError

# Relation types whose two arguments have fixed categories (BC5CDR's chemical-induced disease).
_RELATION_CATEGORIES: dict[str, tuple[Category, Category]] = {"CID": (Category.CHEMICAL, Category.DISEASE)}


def read_pubtator(path: PathLike) -> Iterator[CorpusRecord]:
    """Read a PubTator file (gzip or plain, ``-`` for stdin) into annotated documents."""
    return read_path(path, parse_pubtator)


@dataclass(slots=True)
class _Block:
    pmid: str
    title: str | None = None
    abstract: str = ""
    mentions: list[tuple[GoldMention, int, int]] = field(default_factory=list)  # with its line number and offset
    relations: list[tuple[str, str, str, str | None]] = field(default_factory=list)


def parse_pubtator(stream: BinaryIO, source: str) -> Iterator[CorpusRecord]:
    """Read PubTator from an open binary stream; ``source`` names it in records and errors."""
    block: _Block | None = None
    offset = 0
    line_no = 0
    try:
        for raw in stream:
            line_no += 1
            line_offset, offset = offset, offset + len(raw)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw.decode("utf-8", errors="replace")
                yield ReadError(source, f"line {line_no}: invalid UTF-8 ({exc.reason}); replaced",
                                block.pmid if block else None, line_offset + exc.start)
            line = line.rstrip("\r\n")
            if not line.strip():
                if block is not None:
                    yield from _finish(block, source)
                    block = None
                continue
            kind, pmid, payload = _classify(line)
            if kind == "text":
                section, text = payload
                if block is not None and (block.pmid != pmid or (section == "t" and block.title is not None)):
                    yield from _finish(block, source)
                    block = None
                if block is None:
                    block = _Block(pmid)
                if section == "t":
                    block.title = text
                else:
                    block.abstract = text
                continue
            if block is None or block.pmid != pmid:
                yield ReadError(source, f"line {line_no}: annotation for PMID {pmid} outside its document",
                                pmid, line_offset)
                continue
            if kind == "mention":
                start, end, text, corpus_type, raw_id, components = payload
                block.mentions.append((gold_mention(start, end, text, corpus_type, raw_id, components),
                                       line_no, line_offset))
            elif kind == "relation":
                block.relations.append(payload)
            else:
                yield ReadError(source, f"line {line_no}: unrecognized line {line[:80]!r}", pmid, line_offset)
    except InputError as exc:
        if block is not None:
            yield ReadError(source, f"{exc}; document cut short", block.pmid, offset)
        else:
            yield ReadError(source, str(exc), None, offset)
        return
    if block is not None:
        yield from _finish(block, source)


def _classify(line: str) -> tuple[str, str, tuple]:
    """('text'|'mention'|'relation'|'unknown', pmid, fields) of one non-blank line."""
    head, sep, rest = line.partition("|")
    if sep and "\t" not in head and rest[:2] in ("t|", "a|"):
        return "text", head.strip(), (rest[0], rest[2:])
    fields = line.split("\t")
    pmid = fields[0].strip()
    if len(fields) >= 5 and _is_int(fields[1]) and _is_int(fields[2]):
        raw_id = fields[5] if len(fields) > 5 else ""
        components = tuple(c for c in fields[6].split("|") if c) if len(fields) > 6 else ()
        return "mention", pmid, (int(fields[1]), int(fields[2]), fields[3], fields[4], raw_id, components)
    if len(fields) in (4, 5) and not _is_int(fields[1]):
        novelty = fields[4] if len(fields) == 5 else None
        return "relation", pmid, (fields[1], fields[2], fields[3], novelty)
    return "unknown", pmid, ()


def _is_int(text: str) -> bool:
    return text.strip().isdigit()


def _finish(block: _Block, source: str) -> Iterator[CorpusRecord]:
    """The document of a block, after a ReadError for each mention whose offsets do not fit its text (left out)."""
    document = Document(pmid=block.pmid, title=block.title or "", abstract=block.abstract)
    mentions: list[GoldMention] = []
    for gold, line_no, line_offset in block.mentions:
        problem = _span_problem(gold.mention.start, gold.mention.end, len(document.text))
        if problem is None:
            mentions.append(gold)
        else:
            yield ReadError(source, f"line {line_no}: mention {gold.mention.start}-{gold.mention.end} "
                                    f"{gold.mention.text!r} {problem}; mention skipped", block.pmid, line_offset)
    document.mentions = [g.mention for g in mentions]
    ids = RelationIds(mentions)
    relations = [
        ids.relation(block.pmid, type_, id1, id2, novelty, _RELATION_CATEGORIES.get(type_, (None, None)))
        for type_, id1, id2, novelty in block.relations
    ]
    yield AnnotatedDocument(document, mentions, relations, source)


def _span_problem(start: int, end: int, text_length: int) -> str | None:
    """What is wrong with the offsets of a mention in a text of ``text_length`` characters, or None."""
    if end < start:
        return "ends before it starts"
    if end > text_length:
        return f"ends after the text of its document ({text_length} characters)"
    return None


def looks_like_pubtator(head: bytes) -> bool:
    """Whether the start of a file looks like PubTator: a ``PMID|t|`` line before anything else."""
    for raw in head.splitlines()[:5]:
        line = raw.decode("utf-8", errors="replace").strip()
        if line:
            kind, _, _ = _classify(line)
            return kind == "text" and line.partition("|")[0].isdigit()
    return False
