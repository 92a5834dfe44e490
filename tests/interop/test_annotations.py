"""``kg export annotations``: what the store keeps per publication, as PubTator and BioC."""

from __future__ import annotations

import io

from click.testing import CliRunner
from lxml import etree

from extractors.readers.pubtator import parse_pubtator
from kg.commands.export_annotations import export_annotations_command
from kg.interop.annotations import export_annotations
from kg.store.embedded import EmbeddedStore
from tests import graph_fixture as g


def _export(store, fmt: str, pmids: list[str] | None) -> tuple[bytes, dict]:
    out = io.BytesIO()
    summary = export_annotations(store, out, fmt, pmids, page_size=2)
    return out.getvalue(), summary.as_dict()


def test_pubtator(store):
    g.build(store)
    text, summary = _export(store, "pubtator", ["105", "101", "999"])
    assert summary["documents"] == 2 and summary["missing_pmids"] == ["999"]
    assert text.decode().split("\n\n")[1] == "\n".join([
        "105|t|Demo title 105",
        "105|a|",
        f"105\tphysically_interacts_with\t{g.TAMOXIFEN}\t{g.CYP2D6}",
        f"105\ttreats\t{g.TAMOXIFEN}\t{g.BREAST_CANCER}",
        f"105\tassociated_with\t{g.CYP2D6}\t{g.BREAST_CANCER}",  # the negated migraine statement is left out
    ])
    records = list(parse_pubtator(io.BytesIO(text), "export"))  # medkg's own reader accepts it
    assert [r.document.title for r in records] == ["Demo title 101", "Demo title 105"]


def test_bioc(store):
    g.build(store)
    text, summary = _export(store, "bioc", None)
    assert summary["documents"] == 5 and summary["evidence"] == 17
    root = etree.fromstring(text)
    assert [d.findtext("id") for d in root.iter("document")] == ["101", "102", "103", "104", "105"]
    doc = next(d for d in root.iter("document") if d.findtext("id") == "105")
    title, *sentences = doc.findall("passage")
    assert title.findtext("text") == "Demo title 105"
    annotations = {a.get("id"): a for a in title.iter("annotation")}
    assert len(set(annotations)) == len(title.findall("annotation"))  # ids are unique
    assert all(a.find("location") is None for a in annotations.values())
    relations = [r for s in sentences for r in s.iter("relation")]
    assert len(relations) == 4
    negated = [r for r in relations if r.findtext("infon[@key='negated']") == "true"]
    assert [r.findtext("infon[@key='type']") for r in negated] == ["has_phenotype"]
    for relation in relations:
        for node in relation.findall("node"):
            ref = annotations[node.get("refid")]
            assert ref.findtext("infon[@key='identifier']") == relation.findtext(f"infon[@key='{node.get('role')}']")
    assert {s.findtext("offset") for s in sentences} == {"0"}


def test_cli(tmp_path):
    db = tmp_path / "g.lbug"
    with EmbeddedStore(db) as store:
        g.build(store)
    out = tmp_path / "a.txt"
    result = CliRunner().invoke(export_annotations_command, ["--format", "pubtator", "--db", str(db), "PMID:101",
                                                            "102", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("101|t|Demo title 101\n")
    result = CliRunner().invoke(export_annotations_command, ["--db", str(db), "--all", "-"])
    assert result.exit_code == 0 and result.stdout.count("<document>") == 5
    result = CliRunner().invoke(export_annotations_command, ["--db", str(db), "999", str(out)])
    assert result.exit_code == 1 and "999" in result.output
    result = CliRunner().invoke(export_annotations_command, ["--db", str(db), "--all", "101", str(out)])
    assert result.exit_code == 2
