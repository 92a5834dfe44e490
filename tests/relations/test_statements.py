"""The statement typer: ChemProt/DDI readers, sentence marking, the ChemProt → Biolink mapping, the shipped typer's
predicates in the pipeline and ``kg evaluate re --corpus chemprot|ddi``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from extractors.relations.candidates import build_reldoc
from extractors.relations.labels import CHEMPROT_PREDICATES
from extractors.relations.predict import PairPrediction
from extractors.relations.statement_corpora import (
    DDI_NEGATIVE,
    NONE,
    Statement,
    ddi_split,
    parse_chemprot_line,
    read_biored_negatives,
    read_chemprot,
    read_ddi_file,
    sentence_statement,
)
from extractors.relations.statement_model import (
    CHEMPROT_LABELS,
    DEFAULT_TYPER_DIR,
    encode_statement,
    load_typer,
    mark,
)
from extractors.relations.statement_typer import StatementTyper
from kg.cli import main as cli
from kg.schema import Category, Predicate

DDI_XML = """<?xml version="1.0" encoding="UTF-8"?>
<document id="DDI-DrugBank.d1">
  <sentence id="DDI-DrugBank.d1.s0" text="Ketoconazole increases plasma levels of cisapride; avoid cisapride.">
    <entity id="DDI-DrugBank.d1.s0.e0" charOffset="0-11" type="drug" text="Ketoconazole"/>
    <entity id="DDI-DrugBank.d1.s0.e1" charOffset="40-48" type="drug" text="cisapride"/>
    <entity id="DDI-DrugBank.d1.s0.e2" charOffset="57-65" type="drug" text="cisapride"/>
    <pair id="DDI-DrugBank.d1.s0.p0" e1="DDI-DrugBank.d1.s0.e0" e2="DDI-DrugBank.d1.s0.e1" ddi="true"
          type="mechanism"/>
    <pair id="DDI-DrugBank.d1.s0.p1" e1="DDI-DrugBank.d1.s0.e1" e2="DDI-DrugBank.d1.s0.e2" ddi="false"/>
    <pair id="DDI-DrugBank.d1.s0.p2" e1="DDI-DrugBank.d1.s0.e0" e2="DDI-DrugBank.d1.s0.e9" ddi="false"/>
  </sentence>
</document>
"""


def test_chemprot_line_loses_its_markers_and_keeps_the_spans():
    line = json.dumps({"text": "<< CYP2D6 >> metabolizes [[ tramadol ]] to M1.", "label": "SUBSTRATE"})
    s = parse_chemprot_line(line)
    assert s.text == "CYP2D6 metabolizes tramadol to M1." and s.label == "SUBSTRATE"
    assert s.text[slice(*s.head)] == "tramadol" and s.text[slice(*s.tail)] == "CYP2D6"
    with pytest.raises(ValueError, match="one \\[\\[ chemical \\]\\]"):
        parse_chemprot_line(json.dumps({"text": "no markers", "label": "INHIBITOR"}), "f:1")


def test_chemprot_reader_reports_a_bad_line_and_keeps_the_rest(tmp_path, caplog):
    path = tmp_path / "dev.txt"
    good = json.dumps({"text": "[[ paroxetine ]] inhibits << CYP2D6 >>.", "label": "INHIBITOR"})
    path.write_text(f"{good}\nnot json\n{good}\n", encoding="utf-8")
    assert len(read_chemprot("dev", path=path)) == 2
    assert f"{path}:2" in caplog.text


def test_ddi_pairs_with_inclusive_offsets_and_false_pairs(tmp_path, caplog):
    path = tmp_path / "d1.xml"
    path.write_text(DDI_XML, encoding="utf-8")
    statements = list(read_ddi_file(path))
    assert [s.label for s in statements] == ["mechanism", DDI_NEGATIVE]  # the pair naming no entity is reported
    first = statements[0]
    assert first.text[slice(*first.head)] == "Ketoconazole" and first.text[slice(*first.tail)] == "cisapride"
    assert "e9" in caplog.text or "names an entity" in caplog.text


def test_ddi_dev_split_is_by_document_and_stable():
    splits = [ddi_split(f"DDI-MedLine.d{i}") for i in range(500)]
    assert splits == [ddi_split(f"DDI-MedLine.d{i}") for i in range(500)]
    assert 0.12 < splits.count("dev") / 500 < 0.28


def test_biored_negatives_are_unrelated_chemical_gene_sentences(shared_data, biored_dev):
    negatives = read_biored_negatives("dev", shared_data)
    assert len(negatives) > 100 and {s.label for s in negatives} == {NONE}
    docs, _ = biored_dev
    related = {(doc.pmid, doc.entities[a].id, doc.entities[b].id) for doc in docs
               for (a, b), label in doc.labels.items() if label}
    by_pmid = {doc.pmid: doc for doc in docs}
    for s in negatives[:50]:
        pmid, start = s.source.split(":")
        doc = by_pmid[pmid]
        assert doc.text[int(start):int(start) + len(s.text)] == s.text
        chemical = next(e.id for e in doc.entities if (s.head[0] + int(start), s.head[1] + int(start)) in e.spans)
        gene = next(e.id for e in doc.entities if (s.tail[0] + int(start), s.tail[1] + int(start)) in e.spans)
        assert (pmid, chemical, gene) not in related and (pmid, gene, chemical) not in related


def test_marking_wraps_both_entities_in_either_order():
    s = Statement("CYP2D6 metabolizes tramadol.", (19, 27), (0, 6), "")
    marked, head, tail = mark(s)
    assert marked == "<< CYP2D6 >> metabolizes [[ tramadol ]]."
    assert marked[head:].startswith("[[ tramadol") and marked[tail:].startswith("<< CYP2D6")


def test_long_sentences_are_cut_around_both_entities(tokenizer):
    words = ["word"] * 400
    text = " ".join(words[:300] + ["aspirin", "inhibits", "COX1"] + words[300:])
    start = text.index("aspirin")
    s = Statement(text, (start, start + 7), (text.index("COX1"), text.index("COX1") + 4), "")
    enc = encode_statement(s, tokenizer, 64)
    assert len(enc.input_ids) == 64
    assert tokenizer.convert_ids_to_tokens(enc.input_ids[enc.head]) == "["
    assert tokenizer.convert_ids_to_tokens(enc.input_ids[enc.tail]) == "<"


def test_every_chemprot_label_has_a_directed_predicate():
    assert set(CHEMPROT_PREDICATES) == set(CHEMPROT_LABELS) - {NONE}
    assert CHEMPROT_PREDICATES["SUBSTRATE"] == (Predicate.HAS_SUBSTRATE, True)  # gene → chemical
    assert CHEMPROT_PREDICATES["INHIBITOR"] == (Predicate.DECREASES_ACTIVITY_OF, False)  # chemical → gene


def _doc(text: str, chemical: str, gene: str):
    """One-sentence document with a chemical ``MESH:<NAME>`` and CYP2D6 (NCBIGene:1565)."""
    def span(name: str) -> tuple[int, int]:
        return text.index(name), text.index(name) + len(name)

    return build_reldoc("1", text, 0, [(f"MESH:{chemical.upper()}", Category.CHEMICAL, span(chemical), chemical),
                                       ("NCBIGene:1565", Category.GENE, span(gene), gene)], [(0, len(text))])


def test_a_statement_needs_both_entities_in_the_sentence():
    doc = build_reldoc("1", "Tramadol is used. CYP2D6 is polymorphic.", 0,
                       [("MESH:D1", Category.CHEMICAL, (0, 8), "Tramadol"),
                        ("NCBIGene:1565", Category.GENE, (18, 24), "CYP2D6")], [(0, 17), (18, 40)])
    assert sentence_statement(doc, (0, 17), 0, 1) is None


@pytest.fixture(scope="module")
def typer() -> StatementTyper:
    return StatementTyper(DEFAULT_TYPER_DIR)


@pytest.mark.parametrize(("text", "chemical", "expected"), [
    ("Tramadol is metabolized by CYP2D6 to its active metabolite.", "Tramadol",
     ("NCBIGene:1565", Predicate.HAS_SUBSTRATE, "MESH:TRAMADOL")),
    ("Paroxetine is a potent inhibitor of CYP2D6 activity.", "Paroxetine",
     ("MESH:PAROXETINE", Predicate.DECREASES_ACTIVITY_OF, "NCBIGene:1565")),
])
def test_the_typer_gives_the_cyp2d6_edges_their_mechanism(typer, text, chemical, expected):
    doc = _doc(text, chemical, "CYP2D6")
    chemical_index = next(i for i, e in enumerate(doc.entities) if e.category == Category.CHEMICAL)
    gene_index = 1 - chemical_index
    p = PairPrediction(chemical_index, gene_index, "Association", 0.9, 0)
    assert typer.refine(doc, [p], [(0, len(text))]) == {0: (*expected, (0, len(text)))}


def test_the_most_confident_sentence_naming_both_becomes_the_evidence(typer):
    first = "Poor CYP2D6 metabolizers had lower plasma morphine than others."
    text = f"{first} Codeine is converted to morphine by CYP2D6 in the liver."
    second = (len(first) + 1, len(text))

    def at(name: str, start: int) -> tuple[int, int]:
        return text.index(name, start), text.index(name, start) + len(name)

    doc = build_reldoc("1", text, 0, [
        ("MESH:D009020", Category.CHEMICAL, at("morphine", 0), "morphine"),
        ("MESH:D009020", Category.CHEMICAL, at("morphine", second[0]), "morphine"),
        ("NCBIGene:1565", Category.GENE, at("CYP2D6", 0), "CYP2D6"),
        ("NCBIGene:1565", Category.GENE, at("CYP2D6", second[0]), "CYP2D6")], [(0, len(first)), second])
    chemical = next(i for i, e in enumerate(doc.entities) if e.category == Category.CHEMICAL)
    prediction = PairPrediction(chemical, 1 - chemical, "Association", 0.9, 0)
    refined = typer.refine(doc, [prediction], [(0, len(first))])
    assert refined[0][3] == second  # "converted to morphine by CYP2D6" says how; the first sentence does not
    subject, predicate, object_ = refined[0][:3]  # the enzyme acts on or makes morphine: the gene is the subject
    assert (subject, object_) == ("NCBIGene:1565", "MESH:D009020")
    assert predicate in (Predicate.HAS_SUBSTRATE, Predicate.AFFECTS)


def test_the_shipped_typer_records_its_dev_scores():
    model, _ = load_typer(DEFAULT_TYPER_DIR)
    trained = model.config.trained
    assert trained["chemprot_dev"]["f1"] > 50 and trained["ddi_dev"]["f1"] > 50
    assert 0 < model.config.min_confidence["chemprot"] < 1


def test_kg_evaluate_re_scores_chemprot_and_ddi_files(tmp_path):
    chemprot = tmp_path / "chemprot.txt"
    chemprot.write_text("\n".join(json.dumps({"text": t, "label": label}) for t, label in [
        ("[[ Paroxetine ]] is a potent inhibitor of << CYP2D6 >>.", "INHIBITOR"),
        ("[[ Tramadol ]] is metabolized by << CYP2D6 >>.", "SUBSTRATE")]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", "re", "--corpus", "chemprot", "--file", str(chemprot), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["statements"] == 2 and report["micro"]["gold"] == 2 and "INHIBITOR" in report["per_label"]
    ddi = tmp_path / "d1.xml"
    ddi.write_text(DDI_XML, encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", "re", "--corpus", "ddi", "--file", str(ddi)])
    assert result.exit_code == 0, result.output
    assert "ddi" in result.output and "mechanism" in result.output
    wrong = CliRunner().invoke(cli, ["evaluate", "re", "--corpus", "ddi", "--entities", "predicted"])
    assert wrong.exit_code == 2 and "BioRED only" in wrong.output
