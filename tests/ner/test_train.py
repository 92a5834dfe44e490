"""Training-data conversion (partial annotation) and assembling a model from trained + copied components."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.ner.component import DEFAULT_MODEL, load_model
from extractors.ner.corpora import GoldDoc
from extractors.ner.train import (
    GROUP_NAMES,
    VARIANT_TOKEN,
    assemble,
    blank_pipeline,
    gene_symbols,
    to_docbin,
    train_ner,
    unannotated_finder,
)
from kg.schema import Category, Document, Mention


def gold_doc(text: str, mentions: list[tuple[str, Category]]) -> GoldDoc:
    found = []
    for surface, category in mentions:
        start = text.index(surface)
        found.append(Mention(start, start + len(surface), surface, category))
    return GoldDoc(Document("1", title=text), found)


def test_unannotated_mentions_are_missing_not_outside() -> None:
    nlp = blank_pipeline()
    lexicon = [gold_doc("Ten patients and HeLa cells.", [("patients", Category.TAXON), ("HeLa", Category.CELL_LINE)])]
    finder = unannotated_finder(nlp, [Category.TAXON, Category.CELL_LINE, Category.VARIANT], lexicon)
    # a gene-only sentence: its species, cell line and variant are not annotated
    sentence = gold_doc("BRCA1 G12D was found in Patients and in HeLa cells.", [("BRCA1", Category.GENE)])
    docbin, stats = to_docbin(nlp, [sentence], [Category.GENE], finder)
    (doc,) = docbin.get_docs(nlp.vocab)
    iob = {t.text: t.ent_iob_ for t in doc}
    assert iob["BRCA1"] == "B" and [e.label_ for e in doc.ents] == ["Gene"]
    assert iob["Patients"] == iob["HeLa"] == iob["G12D"] == ""  # missing
    assert iob["found"] == iob["cells"] == "O"
    assert stats.missing == 3 and stats.mentions == 1


def test_without_finder_everything_else_is_outside() -> None:
    nlp = blank_pipeline()
    docbin, stats = to_docbin(nlp, [gold_doc("TP53 in patients.", [("TP53", Category.GENE)])], [Category.GENE])
    (doc,) = docbin.get_docs(nlp.vocab)
    assert [t.ent_iob_ for t in doc] == ["B", "O", "O", "O"] and stats.missing == 0


@pytest.mark.parametrize("token", ["rs6232", "c.474delA", "p.Val204Asp", "G12D", "Arg72Pro", "C677T", "-308G>A"])
def test_variant_shapes(token: str) -> None:
    assert VARIANT_TOKEN.fullmatch(token)


@pytest.mark.parametrize("token", ["BRCA1", "p53", "IL-6", "patients", "TNF"])
def test_not_variant_shapes(token: str) -> None:
    assert not VARIANT_TOKEN.fullmatch(token)


def test_only_rejects_unknown_components(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown component"):
        train_ner(tmp_path, tmp_path / "out", only=["ner_nope"])


def test_assemble_copies_untrained_components_from_base(tmp_path: Path) -> None:
    base = load_model(DEFAULT_MODEL)
    nlp = assemble({}, tmp_path / "copy", base)
    assert nlp.pipe_names == [*GROUP_NAMES, "gene_symbols", "sentencizer"]
    copied = load_model(tmp_path / "copy")
    text = "Cisplatin and BRCA1 in HeLa cells."
    assert [(e.text, e.label_) for e in copied(text).ents] == [(e.text, e.label_) for e in base(text).ents]


def test_gene_symbol_rule_tags_exact_symbols_the_model_left_and_never_overrides() -> None:
    nlp = load_model(DEFAULT_MODEL)
    doc = nlp("Metoprolol is metabolized mainly by CYP2D6. Paroxetine inhibited CYP2D6 and CYP3A4.")
    genes = [e.text for e in doc.ents if e.label_ == "Gene"]
    assert genes == ["CYP2D6", "CYP2D6", "CYP3A4"]
    assert {e.text for e in doc.ents if e.label_ == "ChemicalEntity"} >= {"Metoprolol", "Paroxetine"}
    symbols = gene_symbols()
    assert "CYP2D6" in symbols and "TP53" in symbols and "ACE" not in symbols and "C3" not in symbols
