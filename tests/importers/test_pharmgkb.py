"""PharmGKB clinical annotations → drug–gene associations and the pharmacogenomic warnings they give."""

from __future__ import annotations

import pytest

from kg.importers.drugcentral import import_drugcentral
from kg.importers.pharmgkb import PHARMGKB_SOURCE, import_pharmgkb, read_pharmgkb
from queries.gene_drug_evaluation import PGX_GENES, check_guidelines
from queries.gene_drugs import GeneDrugFinder, GeneDrugParams
from queries.patient import PatientAnalyzer, PatientProfile

CODEINE, CYP2D6 = "MESH:D003061", "NCBIGene:1565"


def test_annotations_land_on_drugcentral_nodes_and_import_is_idempotent(store, shared_data):
    import_drugcentral(store, shared_data, drugs=["codeine"])
    first = import_pharmgkb(store, shared_data, levels=("1A",), genes=["CYP2D6"], guidelines=False)
    assert first.genes == 1 and first.drugs >= 10 and first.associations == first.drugs
    assert first.store_delta["relationships"]["associated_with"] == first.associations
    rows = store.query("chemicals_for_gene", id=CYP2D6)
    codeine = [r for r in rows if r["chemical_id"] == CODEINE]
    assert [(r["chemical_name"], r["predicate"], r["primary_knowledge_source"]) for r in codeine] == [
        ("codeine", "associated_with", PHARMGKB_SOURCE)]
    assert import_pharmgkb(store, shared_data, levels=("1A",), genes=["CYP2D6"], guidelines=False).store_delta == {
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


def test_guideline_drugs_come_first_for_the_nine_pharmacogenes(store, shared_data):
    """Issue 19 item 7: on DrugCentral + PharmGKB (guidelines included), the top 10 answers (all, for a gene with
    fewer guideline drugs) have a CPIC/DPWG guideline for the gene and every CPIC drug is in the top 25. Before,
    codeine was #31 and tamoxifen #49 for CYP2D6 (hub penalty); 1 of the 9 genes passed."""
    import_drugcentral(store, shared_data)
    summary = import_pharmgkb(store, shared_data)
    assert summary.guideline_pairs["infores:cpic"] > 80 and summary.guideline_pairs["infores:dpwg"] > 90
    assert import_pharmgkb(store, shared_data).store_delta == {"nodes": {}, "relationships": {}}  # idempotent
    report = check_guidelines(GeneDrugFinder(store, GeneDrugParams(evidence_per_edge=0)), shared_data)
    by_gene = {g["gene"]: g for g in report["genes"]}
    assert list(by_gene) == list(PGX_GENES)
    assert {g: r["passed"] for g, r in by_gene.items()} == dict.fromkeys(PGX_GENES, True)
    cyp2d6 = by_gene["CYP2D6"]
    assert cyp2d6["n_cpic"] == 18 and max(cyp2d6["cpic_ranks"].values()) <= 18
    answers = GeneDrugFinder(store).search("CYP2D6", top=25).answers
    assert {"codeine", "tamoxifen"} <= {a.drug_name for a in answers}
    assert answers[0].parts["guideline"] == 2
    # The evaluation's default exclusions take the guideline sources out with PharmGKB's own.
    excluded = GeneDrugParams(excluded_sources=(PHARMGKB_SOURCE, "infores:cpic", "infores:dpwg"))
    assert all(a.parts["guideline"] == 0 for a in GeneDrugFinder(store, excluded).search("CYP2D6", top=50).answers)
