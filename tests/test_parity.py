"""Every named read query returns identical rows on Neo4j and on the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.schema import Relation
from kg.store.queries import NAMED_QUERIES
from tests import graph_fixture as g

PARAMS = {
    "entities_by_id": {"ids": [g.FEVER, g.CYP2D6, "MESH:D000000"]},
    "entities_by_category": {"category": "Disease", "skip": 1, "limit": 3},
    "diseases_for_phenotypes": {"ids": [g.FEVER, g.COUGH, g.CHEST_PAIN]},
    "disease_phenotype_pairs": {"skip": 1, "limit": 3},
    "disease_phenotype_edges": {"disease_ids": [g.PNEUMONIA, g.INFLUENZA], "ids": [g.FEVER, g.COUGH, g.CHEST_PAIN]},
    "chemicals_for_gene": {"id": g.CYP2D6},
    "drugs_via_disease_for_gene": {"ids": [g.CYP2D6, g.EGFR]},
    "chemicals_from_gene": {"id": g.CYP2D6},
    "gene_disease_links": {"id": g.EGFR},
    "gene_disease_treatments": {"id": g.EGFR},
    "gene_chemical_gene_links": {"id": g.CYP2D6},
    "entities_by_name": {"names": ["cyp2d6", "flu", "tamoxifen"], "categories": ["Gene", "Disease", "Drug"]},
    "treatments_for_diseases": {"ids": [g.BREAST_CANCER, g.LUNG_CANCER, g.INFLUENZA]},
    "drug_condition_edges": {"ids": [g.CODEINE, g.TAMOXIFEN], "condition_ids": [g.CONSTIPATION, g.BREAST_CANCER]},
    "drug_interactions": {"ids": [g.TAMOXIFEN, g.CODEINE], "other_ids": [g.PAROXETINE, g.GEFITINIB]},
    "edge_evidence": {"subject": g.PNEUMONIA, "predicate": "has_phenotype", "object": g.FEVER, "limit": 10},
    "evidence_by_ids": {"ids": [g.ev(101, 0.9).key(g.PNEUMONIA, "has_phenotype", g.FEVER),
                                g.ev(102, 0.8, start=40).key(g.PNEUMONIA, "has_phenotype", g.FEVER),
                                g.ev(104, 0.77, speculative=True).key(g.CODEINE, "affects", g.CYP2D6), "no-such-id"]},
    "edge_summary": {"subject": g.PNEUMONIA, "predicate": "has_phenotype", "object": g.FEVER},
    "publication_state": {"pmids": ["101", "105", "999"]},
    "pipeline_versions": {},
    "publication_mentions": {"pmids": ["101", "104"]},
    "publications_after": {"after": "101", "limit": 3},
    "publications_by_pmid": {"pmids": ["105", "101", "999"]},
    "mentions_of_publication_range": {"first": "101", "last": "105", "source": "mesh"},
    "evidence_of_publications": {"pmids": ["102", "104", "999"]},
    "edge_keys_of_publications": {"pmids": ["102", "104"]},
    "entity_page": {"after": g.FEVER, "limit": 4},
    "edges_of_subject_range": {"first": "MESH:D003061", "last": "MESH:D013629"},
    "edges_lacking_properties": {"limit": 10},
    "edges_with_source": {"predicate": "has_phenotype", "source": "infores:hpo-annotations"},
    "neighbours": {"ids": [g.CYP2D6], "limit": 20},
}


def test_every_named_query_has_parity_parameters():
    assert set(PARAMS) == set(NAMED_QUERIES)


@pytest.fixture(scope="module")
def results(neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list]]:
    from kg.store.embedded import EmbeddedStore
    from kg.store.neo4j_store import Neo4jStore

    out: dict[str, dict[str, list]] = {}
    path = Path(tmp_path_factory.mktemp("parity")) / "graph.lbug"
    with EmbeddedStore(path) as embedded, Neo4jStore(neo4j_uri, user=None) as neo:
        neo.clear()
        for store in (embedded, neo):
            g.build(store)
            g.build_clinical(store)
            # A drug linked to two genes (for gene_chemical_gene_links).
            store.upsert_relations([Relation(g.TAMOXIFEN, "affects", g.EGFR, [g.ev(104, 0.6)])])
            # An edge as a store written before beliefs keeps it (for edges_lacking_properties).
            unset = (f"MATCH (a:Entity)-[r:treats]->(b:Entity) WHERE a.id = '{g.OSELTAMIVIR}' "
                     f"AND b.id = '{g.INFLUENZA}' ")
            if store is neo:
                neo._write(unset + "REMOVE r.belief")
            else:
                embedded._execute(unset + "SET r.belief = NULL")
            out[store.backend] = {name: store.query(name, **params) for name, params in PARAMS.items()}
        neo.clear()
    return out


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_named_query_parity(results, name):
    embedded, neo = results["embedded"][name], results["neo4j"][name]
    assert embedded, f"{name} returned no rows: the fixture graph must exercise it"
    assert embedded == neo
