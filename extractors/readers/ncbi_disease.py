"""NCBI disease corpus (Doğan et al. 2014).

The release in ``corpora/ncbi_disease`` (``NCBItrainset_corpus.txt``…) is PubTator text: blank-line
separated ``PMID|t|``/``PMID|a|`` blocks with mention lines of type ``SpecificDisease``,
``DiseaseClass``, ``CompositeMention`` or ``Modifier`` (all ``Disease``) and ids that are MeSH (``D…``,
``C…``) or ``OMIM:…``, several joined by ``|`` (composite mentions) or ``+`` (one mention, several
concepts). The original distribution instead had one ``PMID<TAB>title<TAB>abstract`` line per document
with inline ``<category="SpecificDisease">…</category>`` tags and no identifiers; both are read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from extractors.readers.annotations import gold_mention
from extractors.readers.files import InputError, PathLike, read_path
from extractors.readers.pubtator import CorpusRecord, looks_like_pubtator, parse_pubtator
from extractors.readers.records import AnnotatedDocument, GoldMention, ReadError
from kg.schema import Document

_OPEN = '<category="'
_CLOSE = "</category>"


def read_ncbi_disease(path: PathLike) -> Iterator[CorpusRecord]:
    """Read an NCBI disease corpus file in either of its formats."""
    return read_path(path, parse_ncbi_disease)


def parse_ncbi_disease(stream: BinaryIO, source: str) -> Iterator[CorpusRecord]:
    head = stream.peek(1 << 14) if hasattr(stream, "peek") else b""
    if looks_like_pubtator(head):
        yield from parse_pubtator(stream, source)
    else:
        yield from parse_inline(stream, source)


def looks_like_inline(head: bytes) -> bool:
    """Whether a file starts like the original inline-tagged format."""
    first = next((line for line in head.splitlines() if line.strip()), b"")
    return first.count(b"\t") >= 2 and first.split(b"\t", 1)[0].strip().isdigit() and _OPEN.encode() in head


def parse_inline(stream: BinaryIO, source: str) -> Iterator[CorpusRecord]:
    """``PMID<TAB>title<TAB>abstract`` lines with inline ``<category="…">`` tags."""
    offset = 0
    try:
        for line_no, raw in enumerate(stream, 1):
            line_offset, offset = offset, offset + len(raw)
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) < 2 or not fields[0].strip().isdigit():
                message = f"line {line_no}: expected PMID<TAB>title<TAB>abstract"
                yield ReadError(source, message, None, line_offset)
                continue
            pmid = fields[0].strip()
            try:
                title, title_tags = strip_category_tags(fields[1])
                abstract, abstract_tags = strip_category_tags(" ".join(fields[2:]))
            except ValueError as exc:
                yield ReadError(source, f"line {line_no}: {exc}", pmid, line_offset)
                continue
            shift = len(title) + 1
            spans = [*title_tags, *((s + shift, e + shift, text, kind) for s, e, text, kind in abstract_tags)]
            mentions: list[GoldMention] = [gold_mention(s, e, text, kind, "") for s, e, text, kind in spans]
            document = Document(pmid=pmid, title=title, abstract=abstract)
            document.mentions = [g.mention for g in mentions]
            yield AnnotatedDocument(document, mentions, [], source)
    except InputError as exc:
        yield ReadError(source, str(exc), None, offset)


def strip_category_tags(tagged: str) -> tuple[str, list[tuple[int, int, str, str]]]:
    """Plain text and (start, end, text, category) of each ``<category="X">text</category>`` in it."""
    out: list[str] = []
    tags: list[tuple[int, int, str, str]] = []
    length = 0
    pos = 0
    while (open_at := tagged.find(_OPEN, pos)) >= 0:
        out.append(tagged[pos:open_at])
        length += open_at - pos
        kind_end = tagged.find('">', open_at + len(_OPEN))
        close_at = tagged.find(_CLOSE, kind_end) if kind_end >= 0 else -1
        if close_at < 0:
            raise ValueError(f"unterminated category tag at character {open_at}")
        kind = tagged[open_at + len(_OPEN):kind_end]
        text = tagged[kind_end + 2:close_at]
        tags.append((length, length + len(text), text, kind))
        out.append(text)
        length += len(text)
        pos = close_at + len(_CLOSE)
    out.append(tagged[pos:])
    return "".join(out), tags
