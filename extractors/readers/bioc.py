"""BioC XML (``collection/document/passage/annotation``, ``relation``) → annotated documents.

The title passage becomes ``Document.title`` and the other passages, joined by single spaces,
``Document.abstract``; annotation offsets (document-level in BioC) are moved to ``Document.text`` offsets
through the offset of their passage, so they stay right whatever gap the file leaves between passages.

BC5CDR's BioC release adds, for each composite mention ("ovarian and breast cancer"), one
``CompositeRole=IndividualMention`` annotation per component, often discontinuous. The PubTator
release (and the published mention counts) leave them out, so they are skipped unless asked for; when
kept, a discontinuous one spans from its first to its last piece, every piece being in ``spans``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from extractors.readers.annotations import RelationIds, gold_mention
from extractors.readers.files import PathLike, read_path
from extractors.readers.records import AnnotatedDocument, GoldMention, GoldRelation, ReadError
from extractors.readers.xml_stream import iter_records
from kg.schema import Category, Document

ROOTS = {"collection": frozenset({"document"})}
ID_INFONS = ("identifier", "Identifier", "MESH", "MeSH", "NCBI Gene", "NCBIGene", "NCBI_Gene", "HPO", "ID")
TITLE_TYPES = frozenset({"title", "front"})

CorpusRecord = AnnotatedDocument | ReadError


def read_bioc(path: PathLike, *, include_individual_mentions: bool = False) -> Iterator[CorpusRecord]:
    """Read a BioC XML file (gzip or plain, ``-`` for stdin) into annotated documents."""
    return read_path(path, lambda stream, source: parse_bioc(
        stream, source, include_individual_mentions=include_individual_mentions))


def parse_bioc(
    stream: BinaryIO, source: str, *, include_individual_mentions: bool = False
) -> Iterator[CorpusRecord]:
    """Read BioC XML from an open binary stream; ``source`` names it in records and errors."""
    for item in iter_records(stream, source, ROOTS, _document_id):
        if isinstance(item, ReadError):
            yield item
            continue
        try:
            yield _annotated(item, source, include_individual_mentions)
        except ValueError as exc:
            yield ReadError(source, f"bad document: {exc}", _document_id(item))


def _document_id(elem: etree._Element) -> str | None:
    text = elem.findtext("id")
    return text.strip() if text and text.strip() else None


def _infons(elem: etree._Element) -> dict[str, str]:
    return {i.get("key", ""): (i.text or "").strip() for i in elem.iterfind("infon")}


def _annotated(doc: etree._Element, source: str, include_individual: bool) -> AnnotatedDocument:
    pmid = _document_id(doc)
    if pmid is None:
        raise ValueError("document without <id>")
    passages = doc.findall("passage")
    if not passages:
        raise ValueError("no <passage>: the document has neither title nor text")
    title_index = next(
        (i for i, p in enumerate(passages) if _infons(p).get("type", "").lower() in TITLE_TYPES),
        0,
    )
    title = passages[title_index].findtext("text") or ""
    bodies: list[str] = []
    mentions: list[GoldMention] = []
    by_annotation_id: dict[str, GoldMention] = {}
    base = len(title) + 1
    for i, passage in enumerate(passages):
        text = passage.findtext("text") or ""
        if i == title_index:
            passage_base = 0
        else:
            if bodies:
                base += 1
            passage_base = base
            bodies.append(text)
            base += len(text)
        passage_offset = int((passage.findtext("offset") or "0").strip())
        for ann in passage.iterfind("annotation"):
            gold = _mention(ann, passage_base - passage_offset)
            if gold is None:
                continue
            by_annotation_id[ann.get("id", "")] = gold
            if include_individual or _infons(ann).get("CompositeRole") != "IndividualMention":
                mentions.append(gold)
    document = Document(pmid=pmid, title=title, abstract=" ".join(bodies))
    document.mentions = [g.mention for g in mentions]
    ids = RelationIds(by_annotation_id.values())
    relations = [
        rel for elem in (*doc.iterfind("relation"), *doc.iterfind("passage/relation"))
        if (rel := _relation(elem, pmid, ids, by_annotation_id)) is not None
    ]
    return AnnotatedDocument(document, mentions, relations, source)


def _mention(ann: etree._Element, shift: int) -> GoldMention | None:
    infons = _infons(ann)
    spans: list[tuple[int, int]] = []
    for loc in ann.iterfind("location"):
        start = shift + int(loc.get("offset", "0"))
        spans.append((start, start + int(loc.get("length", "0"))))
    spans.sort()
    if not spans:
        return None
    raw_id = next((infons[key] for key in ID_INFONS if key in infons), "")
    return gold_mention(
        spans[0][0], spans[-1][1], ann.findtext("text") or "", infons.get("type", ""), raw_id,
        spans=spans if len(spans) > 1 else (),
    )


def _relation(
    rel: etree._Element, pmid: str, ids: RelationIds, by_annotation_id: dict[str, GoldMention]
) -> GoldRelation | None:
    infons = _infons(rel)
    type_ = infons.get("type") or infons.get("relation") or ""
    novelty = infons.get("novel") or infons.get("Novelty") or None
    if "entity1" in infons and "entity2" in infons:
        return ids.relation(pmid, type_, infons["entity1"], infons["entity2"], novelty)
    if "Chemical" in infons and "Disease" in infons:
        return ids.relation(pmid, type_, infons["Chemical"], infons["Disease"], novelty,
                            (Category.CHEMICAL, Category.DISEASE))
    nodes = [by_annotation_id.get(node.get("refid", "")) for node in rel.iterfind("node")]
    if len(nodes) == 2 and all(n is not None and n.ids for n in nodes):
        return GoldRelation(pmid, type_, nodes[0].ids[0], nodes[1].ids[0], novelty)  # type: ignore[union-attr]
    return None
