"""The DrugCentral importer on a slice of the shared tables, on both real backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.crosswalk import drugcentral_root
from kg.importers.drugcentral import DRUGCENTRAL_SOURCE, import_drugcentral, read_drugcentral
from queries.gene_drugs import GeneDrugFinder

SLICE = ["gefitinib", "quinidine", "ivacaftor", "warfarin"]
GEFITINIB, QUINIDINE, EGFR, CYP2D6, SCN5A = "MESH:C419708", "MESH:D011802", "NCBIGene:1956", "NCBIGene:1565", \
    "NCBIGene:6331"


def test_slice_is_imported_with_mapped_identifiers_and_is_idempotent(store, shared_data):
    first = import_drugcentral(store, shared_data, drugs=SLICE)
    assert first.drugs == 4 and first.drugs_by_drugcentral_id == 0
    assert first.store_delta["nodes"]["Entity:Drug"] == 4
    assert first.target_edges["decreases_activity_of"] >= 5  # gefitinib–EGFR, quinidine–CYP2D6/SCN*, warfarin
    assert first.target_edges["increases_activity_of"] == 1  # ivacaftor is a positive modulator of CFTR
    rows = store.query("entities_by_id", ids=[GEFITINIB, QUINIDINE, EGFR, CYP2D6])
    assert [(r["id"], r["category"], r["name"]) for r in rows] == [
        (GEFITINIB, "Drug", "gefitinib"), (QUINIDINE, "Drug", "quinidine"),
        (CYP2D6, "Gene", "CYP2D6"), (EGFR, "Gene", "EGFR")]
    edges = {(r["chemical_id"], r["predicate"]): r for gene in (EGFR, CYP2D6)
             for r in store.query("chemicals_for_gene", id=gene)}
    assert set(edges) == {(GEFITINIB, "decreases_activity_of"), (QUINIDINE, "decreases_activity_of")}
    edge = edges[(QUINIDINE, "decreases_activity_of")]
    assert edge["primary_knowledge_source"] == DRUGCENTRAL_SOURCE and edge["pmids"] == [] and edge["n_pmids"] == 0
    treats = store.query("treatments_for_diseases", ids=["MESH:D002289"])  # non-small cell lung carcinoma (DOID:3908)
    assert [(r["drug_id"], r["primary_knowledge_source"]) for r in treats] == [(GEFITINIB, DRUGCENTRAL_SOURCE)]
    assert import_drugcentral(store, shared_data, drugs=SLICE).store_delta == {"nodes": {}, "relationships": {}}

    result = GeneDrugFinder(store).search("CYP2D6*10")
    assert [a.drug_id for a in result.answers] == [QUINIDINE] and result.genotype == "*10"
    assert result.answers[0].sources == [DRUGCENTRAL_SOURCE]


def test_multi_gene_targets_give_one_edge_per_gene(shared_data):
    tables = read_drugcentral(shared_data, drugs=["quinidine"], indications=False)
    genes = sorted(gene for pairs in tables.targets.values() for _, gene in pairs)
    assert CYP2D6 in genes and SCN5A in genes and len(genes) == 5  # SCN1A|SCN2A|SCN3A, SCN5A, CYP2D6


def test_bad_rows_are_reported_with_file_and_line_and_the_rest_imported(tmp_path: Path, shared_data):
    source = drugcentral_root(shared_data) / "kb" / "drugcentral"
    folder = tmp_path / "kb" / "drugcentral"
    folder.mkdir(parents=True)
    for name in ("identifiers.tsv", "drug_indication.tsv"):
        (folder / name).write_text("".join((source / name).open(encoding="utf-8").readlines()[:200]))
    lines = (source / "drug_target.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    gefitinib = next(line for line in lines if "\tgefitinib\t" in line)
    (folder / "drug_target.tsv").write_text(lines[0] + "1282\tbroken row\n" + "\t".join(
        ["9999", "", "nothing", "x", "Enzyme", "", "", "", "INHIBITOR", "", ""]) + "\n" + gefitinib)
    tables = read_drugcentral(tmp_path, indications=False)
    assert tables.problems == ["drug_target.tsv:2: 2 columns, expected 9",
                               "drug_target.tsv:3: no drug id or no gene/UniProt accession"]
    # Without Hetionet's gene table next to it, the gene falls back to its UniProt accession.
    assert {g for pairs in tables.targets.values() for _, g in pairs} == {"UniProtKB:P00533"}


def test_missing_folder_says_what_to_pass(tmp_path):
    with pytest.raises(FileNotFoundError, match="pass the shared data folder"):
        drugcentral_root(tmp_path)
