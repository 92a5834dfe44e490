"""``kg export rdf``: every format loads back into rdflib with the store's entities and edges."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from rdflib import RDFS, Graph, Literal, URIRef

from kg.belief import belief
from kg.commands.export_rdf import export_rdf_command
from kg.interop.rdf import FORMATS, entity_iri, export_rdf
from kg.schema import Category, Entity, Relation
from kg.store.embedded import EmbeddedStore
from tests import graph_fixture as g
from tests.interop.helpers import edge_count, edge_rows

PREFIXES = "PREFIX biolink: <https://w3id.org/biolink/vocab/> "
ENTITIES = PREFIXES + ("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c ; biolink:id ?id . "
                       "FILTER(?c != biolink:Association) }")
EDGES = PREFIXES + "SELECT (COUNT(?a) AS ?n) WHERE { ?a a biolink:Association }"
DIRECT = PREFIXES + ("SELECT (COUNT(*) AS ?n) WHERE { ?a a biolink:Association ; biolink:subject ?s ; "
                     "biolink:predicate ?p ; biolink:object ?o . ?s ?p ?o }")
TRIPLES = PREFIXES + ("SELECT ?sid ?p ?oid WHERE { ?a a biolink:Association ; biolink:subject ?s ; "
                      "biolink:predicate ?p ; biolink:object ?o . ?s biolink:id ?sid . ?o biolink:id ?oid }")
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
RDF_PARSERS = {"nt": "nt", "ttl": "turtle", "jsonld": "json-ld"}


def _count(graph: Graph, query: str) -> int:
    return int(next(iter(graph.query(query)))[0])


def _load(store, tmp_path, fmt: str, page_size: int = 5000) -> Graph:
    out = tmp_path / f"graph.{fmt}"
    summary = export_rdf(store, out, fmt, page_size)
    graph = Graph().parse(out, format=RDF_PARSERS[fmt])
    assert summary.triples == len(graph)
    return graph


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip_counts(store, tmp_path, fmt):
    g.build(store)
    graph = _load(store, tmp_path, fmt, page_size=4)  # several pages
    assert _count(graph, ENTITIES) == store.stats().nodes["Entity"] == 14
    assert _count(graph, EDGES) == _count(graph, DIRECT) == edge_count(store) == 13
    triples = {(str(s), str(p).rsplit("/", 1)[1], str(o)) for s, p, o in graph.query(TRIPLES)}
    assert triples == set(edge_rows(store))


def test_association_carries_provenance(store, tmp_path):
    g.build(store)
    graph = _load(store, tmp_path, "nt")
    rows = graph.query(PREFIXES + """
        PREFIX medkg: <https://w3id.org/medkg/vocab/>
        SELECT ?source ?level ?agent ?n (GROUP_CONCAT(STR(?pub); separator=" ") AS ?pubs) WHERE {
          ?a biolink:subject ?s ; biolink:predicate biolink:has_phenotype ; biolink:object ?o ;
             biolink:primary_knowledge_source ?source ; biolink:knowledge_level ?level ;
             biolink:agent_type ?agent ; medkg:n_pmids ?n .
          OPTIONAL { ?a biolink:publications ?pub }
          ?s biolink:id ?sid . ?o biolink:id ?oid . FILTER(?sid = ?subject && ?oid = ?object)
        } GROUP BY ?source ?level ?agent ?n""", initBindings={"subject": Literal(g.PNEUMONIA),
                                                              "object": Literal(g.FEVER)})
    (source, level, agent, n, pubs), = list(rows)
    assert (str(source), str(level), str(agent), int(n)) == ("infores:medkg", "not_provided", "text_mining_agent", 2)
    assert sorted(pubs.split()) == [str(entity_iri("PMID:101")), str(entity_iri("PMID:102"))]
    curated = graph.query(PREFIXES + "SELECT ?src WHERE { ?a biolink:primary_knowledge_source ?src ; "
                                     "biolink:aggregator_knowledge_source \"infores:medkg\" }")
    assert [str(r[0]) for r in curated] == ["infores:hpo-annotations"]
    # Every edge has a belief, curated ones included (which have no biolink:has_confidence_score).
    beliefs = graph.query(PREFIXES + """
        PREFIX medkg: <https://w3id.org/medkg/vocab/>
        SELECT ?src ?belief ?score WHERE { ?a biolink:primary_knowledge_source ?src ; medkg:belief ?belief .
                                          OPTIONAL { ?a biolink:has_confidence_score ?score } }""")
    found = [(str(src), float(b), score) for src, b, score in beliefs]
    assert len(found) == edge_count(store) and all(0 < b < 1 for _, b, _ in found)
    assert ("infores:hpo-annotations", belief([], ["infores:hpo-annotations"]), None) in found


def test_entities_have_iris_labels_and_synonyms(store, tmp_path):
    g.build(store)
    graph = _load(store, tmp_path, "nt")
    fever = URIRef("http://purl.obolibrary.org/obo/HP_0001945")
    assert (fever, RDFS.label, Literal("Fever")) in graph
    assert set(graph.objects(fever, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"))) == {Literal("Pyrexia")}
    assert (fever, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("https://w3id.org/biolink/vocab/PhenotypicFeature")) in graph


def test_unknown_prefix_and_awkward_text(tmp_path):
    with EmbeddedStore(tmp_path / "g.lbug") as store:
        odd = Entity("FOO:a b<c>", Category.NAMED_THING, 'say "hi"\nback\\slash\ttab', ("ünï",))
        store.upsert_entities([odd, Entity("medkg:local-1", Category.DISEASE, "Local")])
        store.upsert_relations([Relation("FOO:a b<c>", "associated_with", "medkg:local-1", [],
                                         primary_knowledge_source="infores:x")])
        for fmt in sorted(FORMATS):
            graph = _load(store, tmp_path, fmt)
            iri = URIRef("https://w3id.org/medkg/local/FOO%3Aa%20b%3Cc%3E")
            assert (iri, RDFS.label, Literal(odd.name)) in graph, fmt
            assert (iri, URIRef("https://w3id.org/biolink/vocab/associated_with"),
                    URIRef("https://w3id.org/medkg/local/local-1")) in graph, fmt


def test_page_size_changes_only_the_order(store):
    g.build(store)
    small, large = io.StringIO(), io.StringIO()
    export_rdf(store, small, "nt", page_size=1)
    export_rdf(store, large, "nt", page_size=1000)
    assert small.getvalue() != large.getvalue()  # each page writes its entities, then their edges
    assert sorted(small.getvalue().splitlines()) == sorted(large.getvalue().splitlines())


def test_cli(tmp_path):
    db = tmp_path / "g.lbug"
    with EmbeddedStore(db) as store:
        g.build(store)
    result = CliRunner().invoke(export_rdf_command, [str(tmp_path / "out.ttl"), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    assert '"format": "ttl"' in result.stdout and '"edges": 11' in result.stdout  # asserted ones only, by default
    result = CliRunner().invoke(export_rdf_command, [str(tmp_path / "all.nt"), "--min-belief", "0", "--db", str(db),
                                                     "--json"])
    assert result.exit_code == 0 and '"edges": 13' in result.stdout
    assert len(Graph().parse(tmp_path / "out.ttl")) > 0
    result = CliRunner().invoke(export_rdf_command, ["-", "--db", str(db)])
    assert result.exit_code == 0 and result.stdout.count(" .\n") > 200
