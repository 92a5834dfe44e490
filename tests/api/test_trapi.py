"""One-hop TRAPI (POST /v1/query): the answer is a valid TRAPI 1.5 message (checked with NCATS' reasoner-pydantic
models) with Biolink-prefixed categories and predicates, on both stores."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from reasoner_pydantic import Response as TrapiResponse

from kg.api import ApiSettings, StoreAccess, create_app
from tests import graph_fixture as g


@pytest.fixture
def client(store):
    g.build(store)
    g.build_clinical(store)
    return TestClient(create_app(StoreAccess(store=store), ApiSettings()))


def one_hop(subject: dict, object_: dict, predicates: list[str] | None = None) -> dict:
    edge = {"subject": "a", "object": "b", **({"predicates": predicates} if predicates else {})}
    return {"message": {"query_graph": {"nodes": {"a": subject, "b": object_}, "edges": {"e0": edge}}}}


def check_message(body: dict) -> None:
    TrapiResponse.model_validate(body)  # the Translator's own models of a TRAPI Response
    message = body["message"]
    kg = message["knowledge_graph"]
    for node in kg["nodes"].values():
        assert node["categories"] and all(c.startswith("biolink:") for c in node["categories"])
    for edge in kg["edges"].values():
        assert edge["predicate"].startswith("biolink:")
        assert edge["subject"] in kg["nodes"] and edge["object"] in kg["nodes"]
        roles = [s["resource_role"] for s in edge["sources"]]
        assert roles.count("primary_knowledge_source") == 1
    for result in message["results"]:
        assert set(result["node_bindings"]) == set(message["query_graph"]["nodes"])
        for bindings in result["node_bindings"].values():
            assert all(b["id"] in kg["nodes"] for b in bindings)
        for analysis in result["analyses"]:
            assert set(analysis["edge_bindings"]) == set(message["query_graph"]["edges"])
            assert all(b["id"] in kg["edges"] for bs in analysis["edge_bindings"].values() for b in bs)


def test_drugs_that_affect_a_gene(client):
    query = one_hop({"categories": ["biolink:ChemicalEntity"]}, {"ids": [g.CYP2D6], "categories": ["biolink:Gene"]},
                    ["biolink:affects"])
    response = client.post("/v1/query", json=query)
    assert response.status_code == 200, response.text
    body = response.json()
    check_message(body)
    assert body["schema_version"].startswith("1.5") and body["status"] == "Success"
    assert body["meta"]["api_version"] == "v1"
    kg = body["message"]["knowledge_graph"]
    # codeine affects CYP2D6, paroxetine decreases its activity (below affects); tamoxifen only binds it
    assert {(e["subject"], e["predicate"]) for e in kg["edges"].values()} == {
        (g.CODEINE, "biolink:affects"), (g.PAROXETINE, "biolink:decreases_activity_of")}
    assert kg["nodes"][g.CODEINE] == {"name": "Codeine", "categories": ["biolink:Drug"], "attributes": []}
    codeine = kg["edges"][f"{g.CODEINE}|affects|{g.CYP2D6}"]
    attributes = {a["attribute_type_id"]: a["value"] for a in codeine["attributes"]}
    assert attributes["biolink:publications"] == ["PMID:103"]  # the speculative sentence of 104 does not count
    assert codeine["sources"] == [{"resource_id": "infores:medkg", "resource_role": "primary_knowledge_source",
                                   "upstream_resource_ids": None}]
    paroxetine = kg["edges"][f"{g.PAROXETINE}|decreases_activity_of|{g.CYP2D6}"]
    assert {(s["resource_id"], s["resource_role"]) for s in paroxetine["sources"]} == {
        ("infores:drugcentral", "primary_knowledge_source"), ("infores:medkg", "aggregator_knowledge_source")}
    scores = [r["analyses"][0]["score"] for r in body["message"]["results"]]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True)
    assert body["message"]["results"][0]["node_bindings"]["b"] == [{"id": g.CYP2D6, "attributes": []}]


def test_a_pinned_subject_and_any_predicate(client):
    body = client.post("/v1/query", json=one_hop({"ids": [g.CYP2D6]}, {"categories": ["biolink:NamedThing"]},
                                                 ["biolink:related_to"])).json()
    check_message(body)
    assert {(e["predicate"], e["object"]) for e in body["message"]["knowledge_graph"]["edges"].values()} == {
        ("biolink:associated_with", g.BREAST_CANCER), ("biolink:affects", g.TAMOXIFEN)}
    nothing = client.post("/v1/query", json=one_hop({"ids": ["NCBIGene:0"]}, {})).json()
    check_message(nothing)
    assert nothing["message"]["results"] == []


@pytest.mark.parametrize("query", [
    one_hop({"categories": ["biolink:Drug"]}, {"categories": ["biolink:Gene"]}),  # nothing pinned
    one_hop({"ids": [g.CYP2D6], "categories": ["Gene"]}, {}),  # not Biolink-prefixed
    {"message": {"query_graph": {"nodes": {"a": {"ids": [g.CYP2D6]}, "b": {}, "c": {}},
                                 "edges": {"e0": {"subject": "a", "object": "b"},
                                           "e1": {"subject": "b", "object": "c"}}}}},  # two hops
])
def test_other_query_graphs_are_refused_with_a_reason(client, query):
    response = client.post("/v1/query", json=query)
    assert response.status_code == 400 and response.json()["error"] == "unsupported_query", response.text
