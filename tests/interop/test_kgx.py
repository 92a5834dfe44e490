"""KGX export and import: a medkg round trip, and third-party files."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from kg.belief import belief
from kg.commands.export_kgx import export_kgx_command
from kg.commands.import_kgx import import_kgx_command
from kg.interop.kgx import FORMATS, export_kgx, import_kgx, read_kgx
from kg.schema import Relation
from kg.store.embedded import EmbeddedStore
from tests import graph_fixture as g
from tests.interop.helpers import edge_count, edge_rows, entity_rows


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip(store, tmp_path, fmt):
    g.build(store)
    # An edge both text-mined and curated: curated primary source, PMIDs from its evidence.
    store.upsert_relations([Relation(g.TAMOXIFEN, "treats", g.BREAST_CANCER, [],
                                     primary_knowledge_source="infores:drugcentral")])
    exported = export_kgx(store, tmp_path, fmt, page_size=5)
    entities, edges = entity_rows(store), edge_rows(store)
    assert (exported.nodes, exported.edges) == (len(entities), len(edges)) == (14, 13)
    store.clear()
    assert edge_count(store) == 0
    summary = import_kgx(store, exported.nodes_path, exported.edges_path, batch_size=4)
    assert (summary.nodes_imported, summary.edges_imported, dict(summary.skipped)) == (14, 13, {})
    assert entity_rows(store) == entities
    after = edge_rows(store)
    assert after.keys() == edges.keys()
    mixed = after[(g.TAMOXIFEN, "treats", g.BREAST_CANCER)]
    assert (mixed["primary_source"], mixed["sources"], mixed["pmids"]) == (
        "infores:drugcentral", ["infores:drugcentral", "infores:medkg"], ["102", "105"])
    for key, edge in edges.items():  # what survives: PMIDs, best score, knowledge sources and their kind
        for field in ("pmids", "n_pmids", "primary_source", "sources", "knowledge_level", "agent_type"):
            assert after[key][field] == edge[field], (key, field)
        assert after[key]["best_score"] == pytest.approx(edge["best_score"])
    # Re-importing the same files changes nothing.
    before = store.stats().as_dict()
    import_kgx(store, exported.nodes_path, exported.edges_path)
    assert store.stats().as_dict() == before


def test_text_mined_skip_keeps_only_curated_edges(store, tmp_path):
    g.build(store)
    exported = export_kgx(store, tmp_path, "tsv")
    store.clear()
    summary = import_kgx(store, exported.nodes_path, exported.edges_path, text_mined="skip")
    assert summary.skipped == {"text-mined edge (--text-mined skip)": 12}
    assert list(edge_rows(store)) == [(g.INFLUENZA, "has_phenotype", g.COUGH)]


def test_export_columns(tmp_path):
    with EmbeddedStore(tmp_path / "g.lbug") as store:
        g.build(store)
        exported = export_kgx(store, tmp_path / "out", "tsv")
    header = exported.edges_path.read_text().splitlines()[0].split("\t")
    assert header[:9] == ["id", "subject", "predicate", "object", "knowledge_level", "agent_type",
                          "primary_knowledge_source", "aggregator_knowledge_source", "publications"]
    edges = {(e["subject"], e["predicate"], e["object"]): e for e in read_kgx(exported.edges_path)}
    fever = edges[(g.PNEUMONIA, "biolink:has_phenotype", g.FEVER)]
    assert fever["publications"] == ["PMID:101", "PMID:102"] and fever["n_pmids"] == "2"
    assert float(fever["belief"]) == belief([ev for r in g.RELATIONS if (r.subject, r.object) == (g.PNEUMONIA, g.FEVER)
                                             for ev in r.evidence])
    assert fever["id"].startswith("urn:uuid:") and fever["aggregator_knowledge_source"] is None
    curated = edges[(g.INFLUENZA, "biolink:has_phenotype", g.COUGH)]
    assert curated["aggregator_knowledge_source"] == ["infores:medkg"]
    assert float(curated["belief"]) == belief([], ["infores:hpo-annotations"])  # curated support counts
    nodes = {n["id"]: n for n in read_kgx(exported.nodes_path)}
    assert nodes[g.INFLUENZA]["category"] == ["biolink:Disease"] and nodes[g.INFLUENZA]["synonym"] == ["Flu", "Grippe"]


THIRD_PARTY_NODES = """id\tcategory\tname\tsynonym\tprovided_by
MONDO:0005015\tbiolink:Disease|biolink:DiseaseOrPhenotypicFeature|biolink:NamedThing\tdiabetes mellitus\tDM|diabetes
CHEBI:6801\tbiolink:ChemicalEntity|biolink:Drug\tmetformin\t\tinfores:chebi
UniProtKB:P01308\tbiolink:Protein\tinsulin\t\t
not-a-curie\tbiolink:Gene\tbad\t\t
"""
THIRD_PARTY_EDGES = """subject\tpredicate\tobject\tprimary_knowledge_source\tpublications\tnegated
CHEBI:6801\tbiolink:treats\tMONDO:0005015\tinfores:drugcentral\tPMID:1|doi:10.1/x\t
CHEBI:6801\tbiolink:treats\tUniProtKB:P01308\t\t\t
UniProtKB:P01308\tbiolink:related_to\tMONDO:0005015\tinfores:x\t\t
CHEBI:6801\tbiolink:causes\tMONDO:0005015\tinfores:x\t\tTrue
HGNC:6081\tbiolink:gene_associated_with_condition\tMONDO:0005015\tinfores:omim\t\t
"""


def test_third_party_tsv(store, tmp_path):
    nodes, edges = tmp_path / "n.tsv", tmp_path / "e.tsv.gz"
    nodes.write_text(THIRD_PARTY_NODES)
    with gzip.open(edges, "wt") as out:
        out.write(THIRD_PARTY_EDGES)
    summary = import_kgx(store, nodes, edges)
    assert (summary.nodes_read, summary.nodes_imported, summary.edges_read, summary.edges_imported) == (4, 3, 5, 3)
    assert summary.skipped == {"node id is not a CURIE": 1, "predicate not in medkg: biolink:related_to": 1,
                               "negated edge": 1}
    entities = {e["id"]: e for e in entity_rows(store)}
    assert entities["MONDO:0005015"]["category"] == "Disease"
    assert entities["MONDO:0005015"]["synonyms"] == ["DM", "diabetes"]
    assert entities["CHEBI:6801"]["category"] == "Drug"  # the most specific category medkg knows
    assert entities["UniProtKB:P01308"]["category"] == "NamedThing"
    assert entities["HGNC:6081"]["category"] == "NamedThing"  # edge endpoint without a node row
    edges_in = edge_rows(store)
    treats = edges_in[("CHEBI:6801", "treats", "MONDO:0005015")]
    assert treats["primary_source"] == "infores:drugcentral" and treats["pmids"] == []  # curated: no PMIDs kept
    assert treats["agent_type"] == "manual_agent"
    assert edges_in[("CHEBI:6801", "treats", "UniProtKB:P01308")]["primary_source"] == "infores:unknown"


def test_third_party_jsonl(store, tmp_path):
    nodes, edges = tmp_path / "nodes.jsonl", tmp_path / "edges.jsonl"
    nodes.write_text(json.dumps({"id": "HP:0001945", "category": ["biolink:PhenotypicFeature"], "name": "Fever",
                                 "synonym": ["Pyrexia", "Pyrexia"]}) + "\n\n")
    edges.write_text(json.dumps({"subject": "MESH:D011014", "predicate": "biolink:has_phenotype",
                                 "object": "HP:0001945", "primary_knowledge_source": "infores:hpo-annotations",
                                 "knowledge_level": "knowledge_assertion"}) + "\n")
    summary = import_kgx(store, nodes, edges, default_source="infores:mine")
    assert (summary.nodes_imported, summary.edges_imported) == (1, 1)
    assert entity_rows(store)[0]["synonyms"] == ["Pyrexia"]
    edge = edge_rows(store)[("MESH:D011014", "has_phenotype", "HP:0001945")]
    assert edge["primary_source"] == "infores:hpo-annotations"


def test_cli_round_trip(tmp_path):
    source, target, out = tmp_path / "a.lbug", tmp_path / "b.lbug", tmp_path / "kgx"
    with EmbeddedStore(source) as store:
        g.build(store)
    # By default only what medkg asserts: curated edges and those of belief >= 0.665 (two fixture edges are less).
    result = CliRunner().invoke(export_kgx_command, [str(tmp_path / "asserted"), "--db", str(source), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["edges"] == 11
    result = CliRunner().invoke(export_kgx_command, [str(out), "--format", "jsonl", "--min-belief", "0",
                                                     "--db", str(source), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["edges"] == 13
    result = CliRunner().invoke(import_kgx_command, [str(out / "nodes.jsonl"), str(out / "edges.jsonl"),
                                                     "--db", str(target), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["edges_imported"] == 13
    with EmbeddedStore(target) as store:
        assert edge_count(store) == 13
