"""GSC+ gold phenotype annotations (``GSCplus_dev_gold.tsv`` as shipped with PhenoTagger).

Blank-line separated blocks: the PMID on one line, the full text (title and abstract as one string) on
the next, then ``start<TAB>end<TAB>text<TAB>HP:id`` lines with offsets into that text. The text becomes
``Document.title`` (abstract empty), as in the matching ``GSCplus_dev_input.PubTator`` where the whole
text is the ``|t|`` line, so offsets need no shifting. Lines may end in CRLF.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from extractors.readers.annotations import gold_mention
from extractors.readers.files import InputError, PathLike, read_path
from extractors.readers.records import AnnotatedDocument, GoldMention, ReadError
from kg.schema import Document

CorpusRecord = AnnotatedDocument | ReadError


def read_gsc_plus(path: PathLike) -> Iterator[CorpusRecord]:
    return read_path(path, parse_gsc_plus)


def looks_like_gsc_plus(head: bytes) -> bool:
    lines = [line.strip() for line in head.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) < 2 or not lines[0].isdigit():
        return False
    if len(lines) == 2:
        return True
    fields = lines[2].split(b"\t")
    return len(fields) == 4 and fields[0].isdigit() and fields[1].isdigit()


def parse_gsc_plus(stream: BinaryIO, source: str) -> Iterator[CorpusRecord]:
    block: list[str] = []
    offset = 0
    try:
        for raw in stream:
            offset += len(raw)
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if line.strip():
                block.append(line)
            elif block:
                yield _document(block, source, offset)
                block = []
    except InputError as exc:
        yield ReadError(source, str(exc), block[0].strip() if block else None, offset)
        return
    if block:
        yield _document(block, source, offset)


def _document(block: list[str], source: str, offset: int) -> CorpusRecord:
    pmid = block[0].strip()
    if not pmid.isdigit() or len(block) < 2:
        return ReadError(source, f"expected PMID and text lines, got {block[0][:40]!r}", None, offset)
    text = block[1]
    mentions: list[GoldMention] = []
    for line in block[2:]:
        fields = line.split("\t")
        if len(fields) < 4 or not (fields[0].isdigit() and fields[1].isdigit()):
            return ReadError(source, f"bad annotation line {line[:60]!r}", pmid, offset)
        mentions.append(gold_mention(int(fields[0]), int(fields[1]), fields[2], "Phenotype", fields[3]))
    document = Document(pmid=pmid, title=text)
    document.mentions = [g.mention for g in mentions]
    return AnnotatedDocument(document, mentions, [], source)
