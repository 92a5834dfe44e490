"""Reader pieces that need no shared data: dates, text flattening, identifiers, small synthetic inputs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree

from extractors.readers import read_ncbi_disease, read_records, sniff_format
from extractors.readers.annotations import RelationIds, category_for, curies_for
from extractors.readers.ncbi_disease import strip_category_tags
from extractors.readers.pubmed_xml import citation_to_document, flatten, parse_pub_date, parse_pubmed_xml
from extractors.readers.records import AnnotatedDocument, Deletion, GoldRelation, ReadError
from kg.schema import Category, Document


@pytest.mark.parametrize(("text", "expected"), [
    ("2016 Mar 7", (2016, "2016-03-07")),
    ("2016 03 07", (2016, "2016-03-07")),
    ("2016 March", (2016, "2016-03")),
    ("2016 Sept", (2016, "2016-09")),
    ("2016", (2016, "2016")),
    ("1990 Spring", (1990, "1990")),
    ("2001 May-Jun", (2001, "2001-05")),
    ("1998 Dec-1999 Jan", (1998, "1998-12")),
    ("2015 Oct-Dec", (2015, "2015-10")),
    ("2000 Spring-Summer", (2000, "2000")),
    ("1975-1976", (1975, "1975")),
    ("1999 Nov 29-Dec 2", (1999, "1999-11-29")),
    ("2015 Feb 30", (2015, "2015-02")),  # impossible day: month precision
    ("Winter 2003", (None, "")),
    ("", (None, "")),
])
def test_parse_pub_date(text: str, expected: tuple) -> None:
    assert parse_pub_date(text) == expected


def test_flatten_inline_markup_and_mathml() -> None:
    elem = etree.fromstring(
        '<AbstractText>r<sup>2</sup> &lt; 0.25 for <i>TERT</i>\n   and <mml:math xmlns:mml='
        '"http://www.w3.org/1998/Math/MathML">\n  <mml:mi>He</mml:mi>\n  <mml:mn>3</mml:mn>\n</mml:math>'
        '<!-- note --> gas</AbstractText>'
    )
    assert flatten(elem) == "r2 < 0.25 for TERT and He3 gas"
    assert flatten(None) == ""


def test_categories_and_identifiers() -> None:
    assert category_for("DiseaseOrPhenotypicFeature") is Category.DISEASE
    assert category_for("Mutation") is Category.VARIANT
    assert category_for("species") is Category.TAXON
    assert category_for("Something") is Category.NAMED_THING
    assert curies_for("D003924", Category.DISEASE) == ("MESH:D003924",)
    assert curies_for("D001943|D010051", Category.DISEASE) == ("MESH:D001943", "MESH:D010051")
    assert curies_for("D020388+C537666", Category.DISEASE) == ("MESH:D020388", "MESH:C537666")
    assert curies_for("OMIM:312080 ", Category.DISEASE) == ("OMIM:312080",)
    assert curies_for("-1", Category.CHEMICAL) == ()
    assert curies_for("3172,3651", Category.GENE) == ("NCBIGene:3172", "NCBIGene:3651")
    assert curies_for("9606", Category.TAXON) == ("NCBITaxon:9606",)
    assert curies_for("CVCL_0030", Category.CELL_LINE) == ("CVCL:0030",)
    assert curies_for("rs113488022", Category.VARIANT) == ("dbSNP:rs113488022",)
    assert curies_for("p|SUB|V|600|E", Category.VARIANT) == ("tmVar:p|SUB|V|600|E",)
    assert curies_for("tmVar:p|SUB|V|600|E;HGVS:p.V600E;RS#:113488022", Category.VARIANT) == (
        "dbSNP:rs113488022",
    )
    assert curies_for("HP:0002671", Category.PHENOTYPE) == ("HP:0002671",)


def test_ncbi_inline_format(tmp_path: Path) -> None:
    text, tags = strip_category_tags('A <category="Modifier">skin tumour</category> is <b>bold</b>.')
    assert text == "A skin tumour is <b>bold</b>." and tags == [(2, 13, "skin tumour", "Modifier")]
    path = tmp_path / "NCBI_corpus_training.txt"
    path.write_text(
        '10192393\tA common human <category="Modifier">skin tumour</category> is caused by mutations.\t'
        'Mutations cause <category="SpecificDisease">adenomatous polyposis coli</category> (APC).\n'
    )
    assert sniff_format(path.read_bytes()) == "ncbi_disease_inline"
    for records in (list(read_ncbi_disease(path)), list(read_records(path))):
        (doc,) = records
        assert isinstance(doc, AnnotatedDocument) and not doc.offset_mismatches()
        assert [(g.mention.text, g.corpus_type, g.mention.category) for g in doc.gold_mentions] == [
            ("skin tumour", "Modifier", Category.DISEASE),
            ("adenomatous polyposis coli", "SpecificDisease", Category.DISEASE),
        ]


ARTICLE = """<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="3">123</PMID>
<Article><Journal><Title>J Test</Title><JournalIssue><PubDate><MedlineDate>Summer</MedlineDate></PubDate>
</JournalIssue></Journal><ArticleTitle>Title <i>x</i></ArticleTitle>
<Abstract><AbstractText Label="BACKGROUND">One.</AbstractText><AbstractText>Two.</AbstractText></Abstract>
<Language>eng</Language><Language>fre</Language>
<ArticleDate DateType="Electronic"><Year>2019</Year><Month>12</Month><Day>31</Day></ArticleDate></Article>
<MeshHeadingList><MeshHeading><DescriptorName UI="D000001" MajorTopicYN="N">A</DescriptorName>
<QualifierName UI="Q000002" MajorTopicYN="Y">q</QualifierName></MeshHeading>
<MeshHeading><DescriptorName MajorTopicYN="N">No UI</DescriptorName></MeshHeading></MeshHeadingList>
</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="pubmed">123</ArticleId>
<ArticleId IdType="doi">10.1/x</ArticleId></ArticleIdList></PubmedData></PubmedArticle>"""

BOOK = """<PubmedBookArticle><BookDocument><PMID Version="1">456</PMID><ArticleIdList>
<ArticleId IdType="bookaccession">NBK1</ArticleId><ArticleId IdType="doi">10.2/b</ArticleId></ArticleIdList>
<Book><BookTitle>GeneReviews</BookTitle><PubDate><Year>1993</Year></PubDate></Book>
<ArticleTitle>Marfan Syndrome</ArticleTitle><Language>eng</Language>
<Abstract><AbstractText>About Marfan.</AbstractText></Abstract></BookDocument></PubmedBookArticle>"""


def parse(xml: str) -> list:
    return list(parse_pubmed_xml(io.BufferedReader(io.BytesIO(xml.encode())), "test"))


def test_synthetic_article_fallbacks() -> None:
    (doc,) = parse(f"<PubmedArticleSet>{ARTICLE}</PubmedArticleSet>")
    assert isinstance(doc, Document)
    assert (doc.pmid, doc.version, doc.title, doc.journal) == ("123", 3, "Title x", "J Test")
    assert doc.abstract == "BACKGROUND: One. Two."
    assert doc.abstract_sections == (("BACKGROUND", "One."), ("", "Two."))
    assert (doc.year, doc.pub_date) == (2019, "2019-12-31")  # undated issue: the electronic date
    assert doc.language == "eng" and doc.doi == "10.1/x"
    (heading,) = doc.mesh_headings  # the heading without a UI has no CURIE and is left out
    assert heading.major_topic and heading.qualifiers == ("q",) and heading.descriptor_id == "MESH:D000001"


def test_synthetic_book_and_deletions() -> None:
    xml = (f"<PubmedArticleSet>{BOOK}<DeleteCitation><PMID Version='1'>7</PMID><PMID Version='1'>8</PMID>"
           "</DeleteCitation></PubmedArticleSet>")
    book, *deletions = parse(xml)
    assert (book.pmid, book.title, book.journal, book.year, book.doi) == (
        "456", "Marfan Syndrome", "GeneReviews", 1993, "10.2/b"
    )
    assert deletions == [Deletion("7", "test"), Deletion("8", "test")]


def test_record_without_pmid_and_unknown_root() -> None:
    records = parse("<PubmedArticleSet><PubmedArticle><MedlineCitation/></PubmedArticle>"
                    f"{ARTICLE}</PubmedArticleSet>")
    assert [type(r) for r in records] == [ReadError, Document]
    (error,) = parse("<eSearchResult><Count>1</Count></eSearchResult>")
    assert "unsupported root element <eSearchResult>" in error.message
    (error,) = parse("")
    assert isinstance(error, ReadError)


def test_utf16_input_is_read() -> None:
    xml = f'<?xml version="1.0" encoding="UTF-16"?><PubmedArticleSet>{ARTICLE}</PubmedArticleSet>'
    records = list(parse_pubmed_xml(io.BufferedReader(io.BytesIO(xml.encode("utf-16"))), "u16"))
    assert [r.pmid for r in records] == ["123"]


def test_citation_to_document_requires_citation() -> None:
    with pytest.raises(ValueError, match="without <MedlineCitation>"):
        citation_to_document(etree.fromstring("<PubmedArticle/>"))


def test_relation_ids_without_mentions() -> None:
    ids = RelationIds([])
    assert ids.resolve("D017180|D014693") == "MESH:D017180"  # a composite argument: its first id
    assert ids.resolve("3175") == "NCBIGene:3175"  # bare numbers are most often genes
    assert ids.resolve("c|SUB|C|643|T") == "tmVar:c|SUB|C|643|T"
    assert ids.resolve("CVCL_0030") == "CVCL:0030"
    assert ids.resolve("not-an-id") == "not-an-id"
    relation = ids.relation("1", " CID ", "D008750", "D007022", None, (Category.CHEMICAL, Category.DISEASE))
    assert relation == GoldRelation("1", "CID", "MESH:D008750", "MESH:D007022", None)
