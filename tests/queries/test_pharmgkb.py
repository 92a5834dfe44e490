"""PharmGKB clinical annotations → drug–gene associations and the pharmacogenomic warnings they give."""

from __future__ import annotations

import pytest

from kg.importers.drugcentral import import_drugcentral
from kg.importers.pharmgkb import PHARMGKB_SOURCE, import_pharmgkb, read_pharmgkb
from queries.gene_drugs import GeneDrugFinder, GeneDrugParams
from queries.patient import PatientAnalyzer, PatientProfile

CODEINE, CYP2D6 = "MESH:D003061", "NCBIGene:1565"


def test_annotations_land_on_drugcentral_nodes_and_import_is_idempotent(store, shared_data):
    import_drugcentral(store, shared_data, drugs=["codeine"])
    first = import_pharmgkb(store, shared_data, levels=("1A",), genes=["CYP2D6"])
    assert first.genes == 1 and first.drugs >= 10 and first.associations == first.drugs
    assert first.store_delta["relationships"]["associated_with"] == first.associations
    rows = store.query("chemicals_for_gene", id=CYP2D6)
    codeine = [r for r in rows if r["chemical_id"] == CODEINE]
    assert [(r["chemical_name"], r["predicate"], r["primary_knowledge_source"]) for r in codeine] == [
        ("codeine", "associated_with", PHARMGKB_SOURCE)]
    assert import_pharmgkb(store, shared_data, levels=("1A",), genes=["CYP2D6"]).store_delta == {
        "nodes": {}, "relationships": {}}

    with_gold = GeneDrugFinder(store).search("CYP2D6*10", top=100)
    assert CODEINE in [a.drug_id for a in with_gold.answers]
    without = GeneDrugFinder(store, GeneDrugParams(excluded_sources=(PHARMGKB_SOURCE,))).search("CYP2D6", top=100)
    assert without.n_drugs == 0 and without.answers == []  # codeine's only CYP2D6 edge came from PharmGKB

    report = PatientAnalyzer(store).analyze(PatientProfile(drugs=["Codeine"], genotypes=["CYP2D6*10"]))
    assert [(f.kind, f.drug_id, f.about_id, f.sources) for f in report.risk_flags] == [
        ("pharmacogenomic", CODEINE, CYP2D6, [PHARMGKB_SOURCE])]
    assert report.risk_flags[0].message == \
        "codeine associated with CYP2D6: genotype CYP2D6*10 may change its effect or exposure"


def test_levels_and_combinations(shared_data):
    strong = read_pharmgkb(shared_data, levels=("1A", "1B"), genes=["CFTR"])
    entities, pairs, _, used = strong
    names = sorted(entities[d].name for d, _ in pairs)
    # "ivacaftor / lumacaftor" has no cross-references of its own, so each component is linked.
    assert used == 35 and names == ["ivacaftor", "lumacaftor", "tezacaftor"]
    weaker = read_pharmgkb(shared_data, levels=("3",), genes=["CFTR"])
    assert weaker[3] > 0 and weaker[1] != pairs


def test_missing_folder_says_what_to_pass(tmp_path):
    with pytest.raises(FileNotFoundError, match="pass the shared data folder"):
        read_pharmgkb(tmp_path)
