"""The HTTP interface through FastAPI's TestClient, over real stores of both backends."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kg.api import ApiSettings, StoreAccess, create_app
from kg.config import StoreConfig
from kg.importers.hpo import import_hpo
from tests import graph_fixture as g

MARFAN, CF = "OMIM:154700", "OMIM:219700"


@pytest.fixture
def graph(store):
    g.build(store)
    import_hpo(store, diseases=[MARFAN, CF, "OMIM:249100"])
    return store


def client_for(store, **settings) -> TestClient:
    return TestClient(create_app(StoreAccess(store=store), ApiSettings(**settings)))


def test_health_reports_the_backend_and_counts(graph):
    body = client_for(graph).get("/health").json()
    assert body["status"] == "ok" and body["backend"] == graph.backend
    assert body["nodes"]["Entity:Disease"] == 5 + 3  # the fixture's 5 diseases + 3 from HPO
    assert body["relationships"]["has_phenotype"] > 100


def test_symptoms_post_and_get_rank_diseases_and_report_unrecognised_text(graph):
    client = client_for(graph)
    response = client.post("/symptoms", json={"text": "arachnodactyly, ectopia lentis, no chorea, blorptitis",
                                              "top": 2})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["answers"][0]["disease_id"] == MARFAN and body["answers"][0]["disease_name"] == "Marfan syndrome"
    assert [t["label"] for t in body["absent"]] == ["Chorea"]
    assert [u["text"] for u in body["unrecognized"]] == ["blorptitis"]
    assert body["unrecognized"][0]["close_matches"], "an unknown symptom comes with its closest terms"
    again = client.get("/symptoms", params={"text": "salty tasting skin, bronchiectasis", "top": 1}).json()
    assert again["answers"][0]["disease_id"] == CF
    nothing = client.post("/symptoms", json={"text": "qwertyuiop"})
    assert nothing.status_code == 200 and nothing.json()["answers"] == []


def test_symptoms_reject_malformed_input_as_json(graph):
    response = client_for(graph).post("/symptoms", json={"text": "", "top": 0})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request" and "body.text" in body["detail"] and "body.top" in body["detail"]


def test_evidence_by_key_and_by_triple(graph):
    client = client_for(graph)
    key = f"{g.PNEUMONIA}|has_phenotype|{g.FEVER}"
    body = client.get("/evidence", params={"edge_key": key, "limit": 2}).json()
    assert body["edge"]["n_pmids"] == 2 and body["edge"]["subject_name"] == "Pneumonia"
    assert body["edge"]["belief"] == 0.931 and body["edge"]["asserted"]
    assert [e["pmid"] for e in body["evidence"]] == ["PMID:101", "PMID:102"]  # best first, cut at the limit
    assert body["evidence"][0]["sentence"] == "Sentence 0 of 101."
    summary = body["summary"]
    assert summary["n_papers"] == 2 and summary["supporting_papers"] == ["PMID:101", "PMID:102"]
    assert summary["statements"][0]["text"] == "2 papers state Pneumonia has_phenotype Fever (2001–2005)."
    assert summary["statements"][0]["pmids"] == summary["supporting_papers"]
    same = client.get("/evidence", params={"subject": g.PNEUMONIA, "predicate": "has_phenotype",
                                           "object": g.FEVER}).json()
    assert same["edge_key"] == key and len(same["evidence"]) == 3
    missing = client.get("/evidence", params={"edge_key": f"{g.MIGRAINE}|treats|{g.FEVER}"})
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_edge"
    assert client.get("/evidence", params={"edge_key": "no-pipes"}).status_code == 422
    assert client.get("/evidence", params={"subject": g.PNEUMONIA}).status_code == 422


def test_views_serve_the_answers_as_html_pages(graph):
    client = client_for(graph)
    page = client.get("/v1/view/symptoms", params={"text": "arachnodactyly, ectopia lentis", "limit": 2})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Marfan syndrome" in page.text and "cytoscape" in page.text.lower()
    unknown = client.get("/v1/view/drugs-for-gene", params={"gene": "CYP2D7"})
    assert unknown.status_code == 200 and "Gene not recognised" in unknown.text
    assert client.get("/v1/view/symptoms", params={"text": ""}).status_code == 422


def test_cypher_runs_parameterised_reads_with_a_row_limit(graph):
    client = client_for(graph, cypher_max_rows=2)
    query = ("MATCH (d:Entity)-[r:has_phenotype]->(p:Entity) WHERE p.id IN $ids "
             "RETURN d.id AS disease, p.id AS phenotype ORDER BY disease, phenotype")
    body = client.post("/cypher", json={"query": query, "parameters": {"ids": [g.FEVER, g.COUGH]}}).json()
    assert body["columns"] == ["disease", "phenotype"] and body["truncated"] is True and body["max_rows"] == 2
    assert body["rows"] == [{"disease": g.INFLUENZA, "phenotype": g.FEVER},
                            {"disease": g.INFLUENZA, "phenotype": g.COUGH}]
    one = client.post("/cypher", json={"query": query, "parameters": {"ids": [g.CHEST_PAIN]}}).json()
    assert one["rows"] == [{"disease": g.PNEUMONIA, "phenotype": g.CHEST_PAIN},
                           {"disease": "OMIM:249100", "phenotype": g.CHEST_PAIN}]  # familial Mediterranean fever
    assert one["truncated"] is False
    asked = client.post("/cypher", json={"query": query, "parameters": {"ids": [g.CHEST_PAIN]}, "max_rows": 1})
    assert asked.json()["rows"] == one["rows"][:1] and asked.json()["truncated"] is True


@pytest.mark.parametrize("query", [
    "MATCH (n:Entity) SET n.name = 'x' RETURN n.id AS id",
    "CREATE (n:Entity {id: 'X:1'})",
    "MATCH (n:Entity) WHERE n.id = $id DETACH DELETE n",
])
def test_cypher_refuses_writes(graph, query):
    response = client_for(graph).post("/cypher", json={"query": query, "parameters": {"id": g.FEVER}})
    assert response.status_code == 400 and response.json()["error"] == "write_refused"
    assert graph.query("entities_by_id", ids=[g.FEVER])[0]["name"] == "Fever"


def test_cypher_reports_bad_queries_and_stops_slow_ones(graph):
    client = client_for(graph, cypher_timeout_s=0.2)
    bad = client.post("/cypher", json={"query": "MATCH (n:Entity RETURN n"})
    assert bad.status_code == 400 and bad.json()["error"] == "query_error"
    # 10^9 pairs: minutes of work, stopped after 0.2 s (one huge range() is built before any check, so two loops)
    slow = client.post("/cypher", json={"query": "UNWIND range(1, 30000) AS x UNWIND range(1, 30000) AS y "
                                                 "WITH x, y WHERE (x * y) % 7 = 3 RETURN count(*) AS n"})
    assert slow.status_code == 504, slow.text
    assert slow.json()["error"] == "query_timeout"


def test_cypher_examples_are_served_and_errors_carry_the_portable_hint(graph):
    client = client_for(graph)
    body = client.get("/v1/cypher/examples").json()
    assert body["rules"] and body["meta"]["backend"] == graph.backend
    examples = {e["name"]: e for e in body["examples"]}
    example = examples["symptoms-to-diseases"]
    ran = client.post("/v1/cypher", json={"query": example["cypher"], "parameters": example["parameters"]})
    assert ran.status_code == 200, ran.text
    if graph.backend == "embedded":  # Neo4j runs type(r); the embedded engine has none
        bad = client.post("/v1/cypher", json={"query": "MATCH ()-[r]->() RETURN type(r) AS t LIMIT 1"}).json()
        assert bad["error"] == "query_error" and "hint: " in bad["detail"] and "r.predicate" in bad["detail"]


def test_bearer_token_is_required_when_configured(graph):
    client = client_for(graph, token="s3cret")
    assert client.get("/health").status_code == 401
    wrong = client.get("/health", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized"
    assert client.get("/health", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_openapi_lists_the_endpoints(graph):
    paths = client_for(graph).get("/openapi.json").json()["paths"]
    assert {"/v1/health", "/v1/symptoms", "/v1/evidence", "/v1/cypher"} <= set(paths)


def test_unreachable_store_answers_503(tmp_path):
    for config in (StoreConfig(backend="embedded", db_path=tmp_path / "missing.lbug"),
                   StoreConfig(backend="neo4j", neo4j_uri="bolt://127.0.0.1:1", neo4j_user=None)):
        client = TestClient(create_app(StoreAccess(config)))
        for response in (client.get("/health"), client.post("/symptoms", json={"text": "fever"})):
            assert response.status_code == 503
            assert response.json()["error"] == "store_unavailable"


def test_drugs_for_gene_by_symbol_star_allele_and_unknown_gene(graph):
    client = client_for(graph)
    body = client.post("/drugs-for-gene", json={"gene": "CYP2D6*10", "top": 5}).json()
    assert body["gene"]["id"] == g.CYP2D6 and body["genotype"] == "*10"
    drugs = [a["drug_id"] for a in body["answers"]]
    assert g.CODEINE in drugs and g.TAMOXIFEN in drugs
    assert client.get("/drugs-for-gene", params={"gene": g.EGFR}).json()["answers"][0]["drug_id"] == g.GEFITINIB
    unknown = client.get("/drugs-for-gene", params={"gene": "CYP2D7"})
    assert unknown.status_code == 200 and unknown.json()["answers"] == []
    assert "CYP2D6" in [m["name"] for m in unknown.json()["unrecognized"]["close_matches"]]


def test_patient_profile_over_http(graph):
    client = client_for(graph)
    body = client.post("/patient", json={"symptoms": "fever and cough, no chest pain", "drugs": "codeine",
                                         "genotype": "CYP2D6*10", "top_diseases": 2}).json()
    assert {a["disease_id"] for a in body["differential"]["answers"][:2]} == {g.INFLUENZA, g.PNEUMONIA}
    assert ("pharmacogenomic", g.CODEINE) in {(f["kind"], f["drug_id"]) for f in body["risk_flags"]}
    empty = client.post("/patient", json={})
    assert empty.status_code == 422 and "at least one" in empty.json()["detail"]


def test_an_embedded_server_sees_writes_committed_after_it_opened(tmp_path):
    from kg.schema import Category, Entity
    from kg.store.embedded import EmbeddedStore

    path = tmp_path / "graph.lbug"
    with EmbeddedStore(path) as writer:
        g.build(writer)
    client = TestClient(create_app(StoreAccess(StoreConfig(backend="embedded", db_path=path), refresh_s=0)))
    before = client.get("/health").json()["nodes"]
    with EmbeddedStore(path) as writer:  # a writer while the server holds its read-only connection
        writer.upsert_entities([Entity("HP:0000001", Category.PHENOTYPE, "All")])
    after = client.get("/health").json()["nodes"]
    assert after["Entity"] == before["Entity"] + 1


def test_a_slow_cypher_query_does_not_hold_up_health_or_symptoms(tmp_path):
    import threading

    from kg.store.embedded import EmbeddedStore

    path = tmp_path / "graph.lbug"
    with EmbeddedStore(path) as writer:
        g.build(writer)
        import_hpo(writer, diseases=[MARFAN, CF])
    client = TestClient(create_app(StoreAccess(StoreConfig(backend="embedded", db_path=path)),
                                   ApiSettings(cypher_timeout_s=3)))
    assert client.post("/symptoms", json={"text": "fever"}).status_code == 200  # the ranker is built
    slow_answer: list = []
    slow = threading.Thread(target=lambda: slow_answer.append(client.post("/cypher", json={
        "query": "UNWIND range(1, 300000000) AS x RETURN sum(x) AS s"})))
    slow.start()
    try:
        for _ in range(5):
            assert client.get("/health").status_code == 200
            assert client.post("/symptoms", json={"text": "arachnodactyly"}).status_code == 200
        assert slow.is_alive(), "the slow query ended before the other requests were answered"
    finally:
        slow.join(30)
    assert slow_answer[0].json()["error"] in ("query_timeout", "query_too_large"), slow_answer[0].text
