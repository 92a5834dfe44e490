"""Hetionet disease–gene associations meet DrugCentral indications: gene → disease ← drug paths on real data."""

from __future__ import annotations

import pytest

from kg.importers.drugcentral import import_drugcentral
from kg.importers.hetionet import HETIONET_SOURCE, import_hetionet, read_disease_genes
from queries.gene_drugs import GeneDrugFinder

EGFR, CETUXIMAB, COLORECTAL = "NCBIGene:1956", "MESH:D000068818", "MESH:D003110"


def test_associations_connect_genes_to_drugcentral_treatments(store, shared_data):
    import_drugcentral(store, shared_data, drugs=["cetuximab"], targets=False)
    summary = import_hetionet(store, shared_data)
    assert summary.associations == 12_623 and summary.skipped == {}
    assert import_hetionet(store, shared_data).store_delta == {"nodes": {}, "relationships": {}}
    # DrugCentral named the shared disease node first; Hetionet does not rename it.
    assert store.query("entities_by_id", ids=[COLORECTAL])[0]["name"] == "Colorectal Cancer"

    result = GeneDrugFinder(store).search("EGFR")
    assert [a.drug_id for a in result.answers] == [CETUXIMAB]
    path = result.answers[0].paths[0]
    assert (path.kind, path.type, path.disease_id) == ("via_disease", "gene_associated_with_condition/treats",
                                                       COLORECTAL)
    assert path.edges[0].knowledge_sources == [HETIONET_SOURCE]
    assert path.score == pytest.approx(0.5 * 0.9 * 0.9)  # hop weight × two curated edges, one drug per disease


def test_missing_folder_says_what_to_pass(tmp_path):
    with pytest.raises(FileNotFoundError, match="pass the shared data folder"):
        read_disease_genes(tmp_path)
