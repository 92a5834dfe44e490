"""PubMed / MEDLINE XML: ``<PubmedArticleSet>`` (current DTD) and legacy ``<MedlineCitationSet>``.

Yields one :class:`~kg.schema.Document` per citation (``PubmedArticle``, ``PubmedBookArticle``, legacy
top-level ``MedlineCitation``), one :class:`Deletion` per PMID of a ``DeleteCitation``, and a
:class:`ReadError` for each problem (see :mod:`extractors.readers.xml_stream` for how one bad article is
isolated). Records come in file order and duplicates are not removed: within an update file a later
record for a PMID supersedes an earlier one, which is what an ingest that upserts in order does anyway,
and keeping no state keeps memory constant.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from extractors.readers.files import PathLike, read_path
from extractors.readers.records import Deletion, ReadError
from extractors.readers.xml_stream import iter_records
from kg.curie import normalize_curie
from kg.schema import Document, MeshHeading

ROOTS = {
    "PubmedArticleSet": frozenset({"PubmedArticle", "PubmedBookArticle", "DeleteCitation"}),
    "MedlineCitationSet": frozenset({"MedlineCitation", "DeleteCitation"}),
}
MATHML_NS = "http://www.w3.org/1998/Math/MathML"

PubmedRecord = Document | Deletion | ReadError


def read_pubmed_xml(path: PathLike) -> Iterator[PubmedRecord]:
    """Read a PubMed/MEDLINE XML file (gzip or plain, ``-`` for stdin)."""
    return read_path(path, parse_pubmed_xml)


def parse_pubmed_xml(stream: BinaryIO, source: str) -> Iterator[PubmedRecord]:
    """Read PubMed XML from an open binary stream; ``source`` names it in records and errors."""
    for item in iter_records(stream, source, ROOTS, _record_pmid):
        if isinstance(item, ReadError):
            yield item
        elif item.tag == "DeleteCitation":
            for pmid in item.iterfind("PMID"):
                if pmid.text and pmid.text.strip():
                    yield Deletion(pmid.text.strip(), source)
        else:
            try:
                doc = citation_to_document(item)
            except ValueError as exc:
                yield ReadError(source, str(exc), _record_pmid(item))
                continue
            yield doc


def _record_pmid(elem: etree._Element) -> str | None:
    for path in ("MedlineCitation/PMID", "BookDocument/PMID", "PMID"):
        text = elem.findtext(path)
        if text and text.strip():
            return text.strip()
    return None


# -- one citation ---------------------------------------------------------------------------------------


def citation_to_document(elem: etree._Element) -> Document:
    """Build a Document from a ``PubmedArticle``, ``PubmedBookArticle`` or ``MedlineCitation`` element."""
    if elem.tag == "PubmedBookArticle":
        return _book_to_document(elem)
    citation = elem if elem.tag == "MedlineCitation" else elem.find("MedlineCitation")
    if citation is None:
        raise ValueError(f"<{elem.tag}> without <MedlineCitation>")
    pmid, version = _pmid(citation)
    article = citation.find("Article")
    if article is None:
        article = etree.Element("Article")
    abstract, sections = _abstract(article.find("Abstract"))
    year, pub_date = _publication_date(article, elem.find("PubmedData"))
    journal = flatten(article.find("Journal/Title")) or flatten(citation.find("MedlineJournalInfo/MedlineTA"))
    return Document(
        pmid=pmid,
        version=version,
        title=_title(article.find("ArticleTitle"), article.find("VernacularTitle")),
        abstract=abstract,
        abstract_sections=sections,
        language=(article.findtext("Language") or "").strip(),
        journal=journal,
        year=year,
        pub_date=pub_date,
        doi=_doi(article, elem.find("PubmedData")),
        mesh_headings=_mesh_headings(citation),
        chemicals=_chemicals(citation),
        keywords=_texts(citation.iterfind("KeywordList/Keyword")),
        publication_types=_texts(article.iterfind("PublicationTypeList/PublicationType")),
    )


def _book_to_document(elem: etree._Element) -> Document:
    book_doc = elem.find("BookDocument")
    if book_doc is None:
        raise ValueError("<PubmedBookArticle> without <BookDocument>")
    pmid, version = _pmid(book_doc)
    abstract, sections = _abstract(book_doc.find("Abstract"))
    year, pub_date = _date_of(book_doc.find("Book/PubDate"))
    title = _title(book_doc.find("ArticleTitle"), book_doc.find("VernacularTitle"))
    doi = next(
        (flatten(a) for a in book_doc.iterfind("ArticleIdList/ArticleId") if a.get("IdType") == "doi"), ""
    )
    return Document(
        pmid=pmid,
        version=version,
        title=title or flatten(book_doc.find("Book/BookTitle")),
        abstract=abstract,
        abstract_sections=sections,
        language=(book_doc.findtext("Language") or "").strip(),
        journal=flatten(book_doc.find("Book/BookTitle")) if title else "",
        year=year,
        pub_date=pub_date,
        doi=doi,
        keywords=_texts(book_doc.iterfind("KeywordList/Keyword")),
        publication_types=_texts(book_doc.iterfind("PublicationType")),
    )


def _pmid(parent: etree._Element) -> tuple[str, int]:
    pmid_el = parent.find("PMID")
    pmid = (pmid_el.text or "").strip() if pmid_el is not None else ""
    if not pmid:
        raise ValueError("citation without PMID")
    version = pmid_el.get("Version", "1")
    return pmid, int(version) if version.isdigit() else 1


def _title(title_el: etree._Element | None, vernacular_el: etree._Element | None) -> str:
    title = flatten(title_el)
    if not title or _is_placeholder(title):
        return flatten(vernacular_el) or title
    return title


def _is_placeholder(title: str) -> bool:
    return title.strip("[]. ").lower() in {"not available", "in process citation"}


def _abstract(abstract: etree._Element | None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Abstract text (labels inlined as ``LABEL: text``) and its (label, text) sections when structured."""
    if abstract is None:
        return "", ()
    sections = [(el.get("Label", "").strip(), flatten(el)) for el in abstract.iterfind("AbstractText")]
    sections = [(label, text) for label, text in sections if text or label]
    text = " ".join(f"{label}: {body}" if label else body for label, body in sections).strip()
    structured = any(label for label, _ in sections)
    return text, tuple(sections) if structured else ()


def _doi(article: etree._Element, pubmed_data: etree._Element | None) -> str:
    for loc in article.iterfind("ELocationID"):
        if loc.get("EIdType") == "doi" and loc.get("ValidYN", "Y") != "N" and (doi := flatten(loc)):
            return doi
    if pubmed_data is not None:
        for art_id in pubmed_data.iterfind("ArticleIdList/ArticleId"):
            if art_id.get("IdType") == "doi" and (doi := flatten(art_id)):
                return doi
    return ""


def _mesh_headings(citation: etree._Element) -> tuple[MeshHeading, ...]:
    headings = []
    for heading in citation.iterfind("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        if descriptor is None or not descriptor.get("UI"):
            continue
        qualifiers = heading.findall("QualifierName")
        major = descriptor.get("MajorTopicYN") == "Y" or any(q.get("MajorTopicYN") == "Y" for q in qualifiers)
        headings.append(MeshHeading(
            descriptor_id=normalize_curie(f"MESH:{descriptor.get('UI').strip()}"),
            descriptor_name=flatten(descriptor),
            major_topic=major,
            qualifiers=tuple(flatten(q) for q in qualifiers),
        ))
    return tuple(headings)


def _chemicals(citation: etree._Element) -> tuple[tuple[str, str], ...]:
    chemicals = []
    for substance in citation.iterfind("ChemicalList/Chemical/NameOfSubstance"):
        ui = (substance.get("UI") or "").strip()
        if ui:
            chemicals.append((normalize_curie(f"MESH:{ui}"), flatten(substance)))
    return tuple(chemicals)


def _texts(elements: Iterator[etree._Element]) -> tuple[str, ...]:
    return tuple(text for el in elements if (text := flatten(el)))


# -- text -----------------------------------------------------------------------------------------------


def flatten(elem: etree._Element | None) -> str:
    """Text of an element with inline markup (``<i>``, ``<sup>``, MathML…) flattened, whitespace collapsed.

    Inside MathML, whitespace-only text with a line break is layout, not content, and is dropped, so that
    pretty-printed formulas read ``He3/MRI`` rather than ``He 3 / MRI``.
    """
    if elem is None:
        return ""
    parts: list[str] = []
    _collect(elem, parts, False)
    return " ".join("".join(parts).split())


def _collect(elem: etree._Element, parts: list[str], in_math: bool) -> None:
    math = in_math or _is_math(elem)
    if elem.text:
        parts.append(_content(elem.text, math))
    for child in elem:
        if isinstance(child.tag, str):
            _collect(child, parts, math)
        if child.tail:
            parts.append(_content(child.tail, math))


def _is_math(elem: etree._Element) -> bool:
    qname = etree.QName(elem)
    return qname.namespace == MATHML_NS or qname.localname == "math"


def _content(text: str, in_math: bool) -> str:
    return "" if in_math and "\n" in text and not text.strip() else text


# -- dates ----------------------------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})
_MONTHS["sept"] = 9
_DATE_TOKEN = re.compile(r"[A-Za-z]+|\d+")  # tokens of one date string, not XML
_HISTORY_PREFERENCE = ("pubmed", "entrez", "medline")


def parse_pub_date(text: str) -> tuple[int | None, str]:
    """Year and ISO-like date of an NCBI date string, as precise as it allows.

    Handles ``2016 Mar 7``, ``2016 03 07``, ``1990 Spring``, ``2001 May-Jun`` and MedlineDate forms
    such as ``1998 Dec-1999 Jan`` or ``2015 Oct-Dec`` (a range gives its start). Seasons give no month.
    """
    tokens = _DATE_TOKEN.findall(text)
    if not tokens or not (tokens[0].isdigit() and len(tokens[0]) == 4):
        return None, ""
    year = int(tokens[0])
    month = _month(tokens[1]) if len(tokens) > 1 else None
    if month is None:
        return year, f"{year:04d}"
    if len(tokens) > 2 and tokens[2].isdigit() and len(tokens[2]) <= 2:
        day = int(tokens[2])
        try:
            datetime.date(year, month, day)
        except ValueError:
            pass
        else:
            return year, f"{year:04d}-{month:02d}-{day:02d}"
    return year, f"{year:04d}-{month:02d}"


def _month(token: str) -> int | None:
    if token.isdigit():
        value = int(token)
        return value if 1 <= value <= 12 and len(token) <= 2 else None
    return _MONTHS.get(token.lower())


def _date_of(elem: etree._Element | None) -> tuple[int | None, str]:
    """Year and date of a date element: Year/Month/Day, Year/Season or MedlineDate."""
    if elem is None:
        return None, ""
    medline_date = elem.findtext("MedlineDate")
    if medline_date and medline_date.strip():
        return parse_pub_date(medline_date)
    parts = [elem.findtext(tag) or "" for tag in ("Year", "Month", "Day")]
    if not parts[1].strip():
        parts[1] = elem.findtext("Season") or ""
        parts[2] = "" if parts[1] else parts[2]
    return parse_pub_date(" ".join(p.strip() for p in parts))


def _publication_date(article: etree._Element, pubmed_data: etree._Element | None) -> tuple[int | None, str]:
    """The journal issue's PubDate; else the electronic ArticleDate; else the PubMed history date."""
    year, date = _date_of(article.find("Journal/JournalIssue/PubDate"))
    if year is not None:
        return year, date
    for article_date in article.iterfind("ArticleDate"):
        year, date = _date_of(article_date)
        if year is not None:
            return year, date
    if pubmed_data is not None:
        history = {d.get("PubStatus", ""): d for d in pubmed_data.iterfind("History/PubMedPubDate")}
        for status in (*_HISTORY_PREFERENCE, *history):
            year, date = _date_of(history.get(status))
            if year is not None:
                return year, date
    return None, ""
