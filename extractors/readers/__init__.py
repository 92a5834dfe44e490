"""Streaming readers for literature files: PubMed/MEDLINE XML, PubTator, BioC XML and corpus formats.

Every reader takes a path (gzip or plain, ``-`` for stdin), keeps memory constant per file and never
raises on bad content: problems become :class:`ReadError` records in the stream, after everything that
could be read. :func:`read_records` picks the reader by looking at the content, not the file name.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from extractors.readers.bioc import parse_bioc, read_bioc
from extractors.readers.files import InputError, PathLike, iter_paths, open_binary, open_text, read_path, source_name
from extractors.readers.gsc_plus import looks_like_gsc_plus, parse_gsc_plus, read_gsc_plus
from extractors.readers.ncbi_disease import looks_like_inline, parse_inline, read_ncbi_disease
from extractors.readers.pubmed_xml import ROOTS as PUBMED_ROOTS
from extractors.readers.pubmed_xml import parse_pubmed_xml, read_pubmed_xml
from extractors.readers.pubtator import looks_like_pubtator, parse_pubtator, read_pubtator
from extractors.readers.records import AnnotatedDocument, Deletion, GoldMention, GoldRelation, ReadError
from kg.schema import Document

Record = Document | AnnotatedDocument | Deletion | ReadError
SNIFF_BYTES = 1 << 14

PUBMED_XML = "pubmed_xml"
BIOC_XML = "bioc_xml"
PUBTATOR = "pubtator"
NCBI_INLINE = "ncbi_disease_inline"
GSC_PLUS = "gsc_plus_tsv"


def sniff_format(head: bytes) -> str | None:
    """Format of a file from its first bytes: one of the constants above, or None if unrecognized."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        root = xml_root(head)
        if root in PUBMED_ROOTS:
            return PUBMED_XML
        return BIOC_XML if root == "collection" else None
    if looks_like_pubtator(text):
        return PUBTATOR
    if looks_like_inline(text):
        return NCBI_INLINE
    if looks_like_gsc_plus(text):
        return GSC_PLUS
    return None


def xml_root(head: bytes) -> str | None:
    """Local name of the root element of an XML document, from its first bytes (None if not found)."""
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True, load_dtd=False)
    with contextlib.suppress(etree.XMLSyntaxError):
        parser.feed(head)
    for _, elem in parser.read_events():
        return etree.QName(elem).localname
    return None


def read_records(inputs: PathLike | Iterable[PathLike]) -> Iterator[Record]:
    """Every record of every input (files, directories, globs, ``-``), each file read by the reader its
    content calls for. Inputs that do not exist or cannot be recognized become ReadErrors."""
    for _, record in _sourced_records(inputs):
        yield record


def read_documents(inputs: PathLike | Iterable[PathLike]) -> Iterator[Document | Deletion | ReadError]:
    """Like :func:`read_records`, with annotated corpus documents unwrapped to their Document (its
    ``mentions`` are then the corpus's gold mentions)."""
    for _, record in read_sourced_documents(inputs):
        yield record


def read_sourced_documents(
    inputs: PathLike | Iterable[PathLike],
) -> Iterator[tuple[str, Document | Deletion | ReadError]]:
    """Like :func:`read_documents`, each record with the name of the input it was read from (a Document does
    not carry it, and a problem found later, in the pipeline or the store, should name the file)."""
    for source, record in _sourced_records(inputs):
        yield source, record.document if isinstance(record, AnnotatedDocument) else record


def _sourced_records(inputs: PathLike | Iterable[PathLike]) -> Iterator[tuple[str, Record]]:
    if isinstance(inputs, str) or not isinstance(inputs, Iterable):
        inputs = [inputs]
    for item in inputs:
        try:
            paths = list(iter_paths(item))
        except OSError as exc:
            yield source_name(item), ReadError(source_name(item), str(exc))
            continue
        for path in paths:
            source = source_name(path)
            for record in _read_file(path):
                yield source, record


def _read_file(path: str) -> Iterator[Record]:
    return read_path(path, _sniff_and_parse)


def _sniff_and_parse(stream: BinaryIO, source: str) -> Iterator[Record]:
    try:
        head = stream.peek(SNIFF_BYTES)
    except OSError as exc:
        yield ReadError(source, str(exc))
        return
    fmt = sniff_format(head)
    if fmt is None:
        yield ReadError(source, _unrecognized(head), offset=0)
        return
    yield from _parser(fmt, stream, source)


def _parser(fmt: str, stream: BinaryIO, source: str) -> Iterator[Record]:
    if fmt == PUBMED_XML:
        return parse_pubmed_xml(stream, source)
    if fmt == BIOC_XML:
        return parse_bioc(stream, source)
    if fmt == PUBTATOR:
        return parse_pubtator(stream, source)
    if fmt == NCBI_INLINE:
        return parse_inline(stream, source)
    return parse_gsc_plus(stream, source)


def _unrecognized(head: bytes) -> str:
    if not head.strip():
        return "empty input"
    root = xml_root(head) if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else None
    if root:
        return f"unsupported XML root element <{root}> (not a PubMed article set or BioC collection)"
    return "unrecognized format (not PubMed XML, BioC XML, PubTator or a known corpus format)"


__all__ = [
    "BIOC_XML", "GSC_PLUS", "NCBI_INLINE", "PUBMED_XML", "PUBTATOR",
    "AnnotatedDocument", "Deletion", "GoldMention", "GoldRelation", "InputError", "ReadError", "Record",
    "iter_paths", "open_binary", "open_text", "read_bioc", "read_documents", "read_gsc_plus",
    "read_ncbi_disease", "read_pubmed_xml", "read_pubtator", "read_records", "read_sourced_documents",
    "sniff_format", "source_name", "xml_root",
]
