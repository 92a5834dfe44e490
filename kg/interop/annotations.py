"""Per-publication text-mining results as PubTator or BioC XML — limited to what the store keeps.

The store keeps a publication's title but not its abstract, and links publications to entities only
document-wide (``mentions``: source text|mesh, count, major), without offsets; what it keeps with
offsets is each relation's evidence sentence (offsets into ``title + " " + abstract``). So:

* **PubTator**: ``PMID|t|title``, an empty ``PMID|a|`` line (abstracts are not stored), and one relation
  line ``PMID<TAB>predicate<TAB>subject<TAB>object`` per edge that the publication supports (negated and
  speculative statements left out). No mention lines: PubTator needs offsets that the store does not have.
* **BioC**: a title passage holding one location-less annotation per entity (the document-level
  ``mentions`` with their source/count/major, plus relation arguments, infon ``source=relation``); one
  passage per evidence sentence (``type=evidence_sentence``, its real offset and text) holding a
  relation per statement with infons predicate/score/negated/speculative/extractor and nodes
  ``subject``/``object`` pointing at those annotations.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree

from kg.store.base import GraphStore, Row

FORMATS = ("pubtator", "bioc")
DEFAULT_PAGE_SIZE = 1000

@dataclass(slots=True)
class Annotated:
    """What the store knows about one publication's text mining."""

    pmid: str
    title: str
    journal: str
    year: int | None
    mentions: list[Row] = field(default_factory=list)
    evidence: list[Row] = field(default_factory=list)
    entities: dict[str, Row] = field(default_factory=dict)  # id → {category, name} of relation arguments


def iter_annotated(store: GraphStore, pmids: Sequence[str] | None = None,
                   page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[Annotated]:
    """Publications (``pmids``, or all of them by PMID) with their mentions and evidence, page by page."""
    if pmids is not None:
        wanted = sorted(set(pmids))
        for start in range(0, len(wanted), page_size):
            yield from _page(store, store.query("publications_by_pmid", pmids=wanted[start:start + page_size]))
        return
    after = ""
    while True:
        rows = store.query("publications_after", after=after, limit=page_size)
        yield from _page(store, rows)
        if len(rows) < page_size:
            return
        after = rows[-1]["pmid"]


def _page(store: GraphStore, rows: list[Row]) -> Iterator[Annotated]:
    if not rows:
        return
    docs = {r["pmid"]: Annotated(r["pmid"], r["title"] or "", r["journal"] or "", r["year"]) for r in rows}
    pmids = list(docs)
    for row in store.query("publication_mentions", pmids=pmids):
        docs[row["pmid"]].mentions.append(row)
    for row in store.query("evidence_of_publications", pmids=pmids):
        docs[row["pmid"]].evidence.append(row)
    ids = sorted({r[k] for d in docs.values() for r in d.evidence for k in ("subject", "object")})
    entities = {r["id"]: r for r in store.query("entities_by_id", ids=ids)} if ids else {}
    for doc in docs.values():
        doc.entities = {i: entities[i] for r in doc.evidence for i in (r["subject"], r["object"]) if i in entities}
        yield doc


# ---- PubTator ----------------------------------------------------------------------------------------
def _one_line(text: str) -> str:
    return " ".join(text.split("\n")).replace("\r", " ").replace("\t", " ")


def pubtator_block(doc: Annotated) -> str:
    lines = [f"{doc.pmid}|t|{_one_line(doc.title)}", f"{doc.pmid}|a|"]
    seen: set[tuple[str, str, str]] = set()
    for ev in doc.evidence:
        triple = (ev["predicate"], ev["subject"], ev["object"])
        if ev["negated"] or ev["speculative"] or triple in seen:
            continue
        seen.add(triple)
        lines.append(f"{doc.pmid}\t" + "\t".join(triple))
    return "\n".join(lines) + "\n\n"


# ---- BioC --------------------------------------------------------------------------------------------
def _sub(parent: etree._Element, tag: str, text: Any = None, **attrib: str) -> etree._Element:
    child = etree.SubElement(parent, tag, attrib)
    if text is not None:
        child.text = str(text)
    return child


def _infon(parent: etree._Element, key: str, value: Any) -> None:
    if value is not None and value != "":
        _sub(parent, "infon", str(value).lower() if isinstance(value, bool) else value, key=key)


def bioc_document(doc: Annotated) -> etree._Element:
    root = etree.Element("document")
    _sub(root, "id", doc.pmid)
    _infon(root, "journal", doc.journal)
    _infon(root, "year", doc.year)
    title = _sub(root, "passage")
    _infon(title, "type", "title")
    _sub(title, "offset", 0)
    _sub(title, "text", doc.title)
    annotation_ids: dict[str, str] = {}  # entity → its first annotation (a text and a MeSH mention may repeat it)
    n_annotations = 0
    for m in doc.mentions:
        n_annotations += 1
        annotation = _sub(title, "annotation", id=f"T{n_annotations}")
        annotation_ids.setdefault(m["entity_id"], annotation.get("id"))
        for key, value in (("identifier", m["entity_id"]), ("type", m["category"]), ("source", m["source"]),
                           ("count", m["mention_count"]), ("major", m["major"])):
            _infon(annotation, key, value)
        _sub(annotation, "text", m["name"] or "")
    for entity_id, entity in doc.entities.items():
        if entity_id not in annotation_ids:
            n_annotations += 1
            annotation = _sub(title, "annotation", id=f"T{n_annotations}")
            annotation_ids[entity_id] = annotation.get("id")
            for key, value in (("identifier", entity_id), ("type", entity["category"]), ("source", "relation")):
                _infon(annotation, key, value)
            _sub(annotation, "text", entity["name"] or "")
    by_sentence: dict[tuple[int, int, str], list[Row]] = defaultdict(list)
    for ev in doc.evidence:
        by_sentence[(ev["start_offset"], ev["end_offset"], ev["sentence"])].append(ev)
    n_relations = 0
    for (start, _end, sentence), statements in by_sentence.items():
        passage = _sub(root, "passage")
        _infon(passage, "type", "evidence_sentence")
        _sub(passage, "offset", start)
        _sub(passage, "text", sentence)
        for ev in statements:
            n_relations += 1
            relation = _sub(passage, "relation", id=f"R{n_relations}")
            for key, value in (("type", ev["predicate"]), ("subject", ev["subject"]), ("object", ev["object"]),
                               ("score", ev["score"]), ("negated", ev["negated"]),
                               ("speculative", ev["speculative"]),
                               ("extractor", f"{ev['extractor']}@{ev['extractor_version']}")):
                _infon(relation, key, value)
            for role in ("subject", "object"):
                if ev[role] in annotation_ids:
                    _sub(relation, "node", refid=annotation_ids[ev[role]], role=role)
    return root


# ---- writing -----------------------------------------------------------------------------------------
@dataclass(slots=True)
class AnnotationExport:
    format: str
    documents: int = 0
    relations: int = 0
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"format": self.format, "documents": self.documents, "evidence": self.relations,
                "missing_pmids": self.missing}


def export_annotations(store: GraphStore, out: IO[bytes], fmt: str, pmids: Sequence[str] | None = None,
                       page_size: int = DEFAULT_PAGE_SIZE) -> AnnotationExport:
    """Write PubTator or BioC for ``pmids`` (None: every publication) to a binary stream."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown annotation format {fmt!r}; expected one of {', '.join(FORMATS)}")
    summary = AnnotationExport(fmt)
    seen: set[str] = set()
    docs = iter_annotated(store, pmids, page_size)
    if fmt == "pubtator":
        for doc in docs:
            out.write(pubtator_block(doc).encode("utf-8"))
            _count(summary, seen, doc)
    else:
        with etree.xmlfile(out, encoding="utf-8") as xf:
            xf.write_declaration()
            xf.write_doctype('<!DOCTYPE collection SYSTEM "BioC.dtd">')
            with xf.element("collection"):
                xf.write(_element("source", "medkg"), _element("date", datetime.date.today().strftime("%Y%m%d")),
                         _element("key", "medkg.key"), pretty_print=True)
                for doc in docs:
                    xf.write(bioc_document(doc), pretty_print=True)
                    _count(summary, seen, doc)
    if pmids is not None:
        summary.missing = sorted(set(pmids) - seen)
    return summary


def _element(tag: str, text: str) -> etree._Element:
    element = etree.Element(tag)
    element.text = text
    return element


def _count(summary: AnnotationExport, seen: set[str], doc: Annotated) -> None:
    summary.documents += 1
    summary.relations += len(doc.evidence)
    seen.add(doc.pmid)
