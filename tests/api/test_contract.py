"""The API contract (issue 19 item 3): typed answers and errors as the OpenAPI schema declares them, /v1 paths with
the old ones as deprecated aliases, versions in every answer, pages, CORS, offline docs, clean Cypher rows."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from kg.api import ApiSettings, StoreAccess, create_app
from kg.config import StoreConfig
from kg.importers.hpo import import_hpo
from queries import answers
from tests import graph_fixture as g

MARFAN = "OMIM:154700"
PMID = re.compile(r"^PMID:\d+$")


@pytest.fixture
def graph(store):
    g.build(store)
    g.build_clinical(store)
    import_hpo(store, diseases=[MARFAN, "OMIM:219700"])
    return store


def client_for(store, **settings) -> TestClient:
    return TestClient(create_app(StoreAccess(store=store), ApiSettings(**settings)))


# ---- helpers: the published schema, strictly --------------------------------------------------------------
def _strict(schema: Any) -> Any:
    """Objects with declared properties accept no others (unless they say so): an answer field the schema does not
    describe fails the check."""
    if isinstance(schema, dict):
        schema = {k: _strict(v) for k, v in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def check_against_openapi(openapi: dict, path: str, method: str, response) -> None:
    responses = openapi["paths"][path][method]["responses"]
    declared = responses[str(response.status_code)]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator(_strict({**declared, "components": openapi["components"]})).validate(
        response.json())


def assert_covers(raw: Any, dumped: Any, where: str = "$") -> None:
    """Every field of ``raw`` (a question class's answer) survives the model (none is dropped as unknown)."""
    if isinstance(raw, dict):
        assert isinstance(dumped, dict), where
        assert not set(raw) - set(dumped), f"{where}: fields the model does not describe: {set(raw) - set(dumped)}"
        for key, value in raw.items():
            assert_covers(value, dumped[key], f"{where}.{key}")
    elif isinstance(raw, list):
        assert isinstance(dumped, list) and len(raw) == len(dumped), where
        for i, (a, b) in enumerate(zip(raw, dumped, strict=True)):
            assert_covers(a, b, f"{where}[{i}]")


def validated(model: type[BaseModel], raw: dict) -> dict:
    dumped = model.model_validate(raw).model_dump(mode="json")
    assert_covers(raw, dumped)
    return dumped


def all_pmids(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in
                ([v] if k == "pmid" else v if k == "pmids" and isinstance(v, list) else all_pmids(v))]
    if isinstance(value, list):
        return [p for v in value for p in all_pmids(v)]
    return []


# ---- answers -----------------------------------------------------------------------------------------------
def test_every_answer_validates_against_its_model_and_the_published_schema(graph):
    from queries.evidence_summary import summarize_edge
    from queries.gene_drugs import GeneDrugFinder
    from queries.patient import PatientAnalyzer, PatientProfile
    from queries.symptoms import SymptomRanker

    client = client_for(graph)
    openapi = client.get("/openapi.json").json()
    key = f"{g.PNEUMONIA}|has_phenotype|{g.FEVER}"
    calls = [
        ("/v1/health", "get", {}, answers.HealthAnswer),
        ("/v1/symptoms", "post", {"json": {"text": "fever, cough, no chest pain, blorptitis", "limit": 3}},
         answers.SymptomsAnswer),
        ("/v1/symptoms", "get", {"params": {"text": "arachnodactyly, ectopia lentis"}}, answers.SymptomsAnswer),
        ("/v1/drugs-for-gene", "post", {"json": {"gene": "CYP2D6*10"}}, answers.GeneDrugsAnswer),
        ("/v1/drugs-for-gene", "get", {"params": {"gene": "CYP2D7"}}, answers.GeneDrugsAnswer),
        ("/v1/patient", "post", {"json": {"symptoms": "fever and cough", "history": "asthma, blorpitis",
                                          "drugs": "codeine, paroxetine", "genotype": "CYP2D6*10, FOO1*2"}},
         answers.PatientAnswer),
        ("/v1/evidence", "get", {"params": {"edge_key": key}}, answers.EvidenceAnswer),
        ("/v1/cypher", "post", {"json": {"query": "MATCH (e:Entity) WHERE e.id = $id RETURN e, e.name AS name",
                                         "parameters": {"id": g.FEVER}}}, answers.CypherAnswer),
    ]
    for path, method, kwargs, model in calls:
        response = client.request(method.upper(), path, **kwargs)
        assert response.status_code == 200, (path, response.text)
        check_against_openapi(openapi, path, method, response)
        body = validated(model, response.json())
        assert body["meta"]["backend"] == graph.backend and body["meta"]["api_version"] == "v1", path
        assert all(PMID.match(p) for p in all_pmids(body)), (path, all_pmids(body))
    # The question classes' own answers, as the CLI gets them: every field described by the shared models.
    ranker = SymptomRanker(graph)
    symptoms = ranker.search("fever, cough, no chest pain, blorptitis")
    assert symptoms["answers"] and symptoms["answers"][0]["pmids"]
    assert all(PMID.match(p) for p in validated(answers.SymptomsResult, symptoms)["answers"][0]["pmids"])
    finder = GeneDrugFinder(graph)
    genes = validated(answers.GeneDrugsResult, finder.search("CYP2D6*10").as_dict())
    assert genes["answers"] and all(PMID.match(p) for p in all_pmids(genes))
    validated(answers.GeneDrugsResult, finder.search("CYP2D7").as_dict())
    report = PatientAnalyzer(graph, ranker, finder).analyze(PatientProfile.from_text(
        "fever and cough", "asthma, blorpitis", "codeine, paroxetine", "CYP2D6*10, FOO1*2")).as_dict()
    assert report["risk_flags"] and report["unrecognized"]["history"]
    validated(answers.PatientResult, report)
    validated(answers.PatientResult, PatientAnalyzer(graph, ranker, finder).analyze(
        PatientProfile.from_text(drugs="codeine")).as_dict())  # no symptoms: the short differential
    digest = summarize_edge(graph, g.PNEUMONIA, "has_phenotype", g.FEVER)
    assert digest is not None and digest.statements
    validated(answers.EvidenceDigest, digest.model_dump(mode="json"))
    validated(answers.EdgeSummary, answers.edge_summary(graph.query(
        "edge_summary", subject=g.PNEUMONIA, predicate="has_phenotype", object=g.FEVER)[0]))
    for row in graph.query("edge_evidence", subject=g.PNEUMONIA, predicate="has_phenotype", object=g.FEVER, limit=9):
        validated(answers.EvidenceSentence, row)


def test_openapi_types_every_response_and_declares_the_real_errors(graph):
    openapi = client_for(graph).get("/openapi.json").json()
    paths = openapi["paths"]
    assert set(paths) == {"/v1/health", "/v1/symptoms", "/v1/drugs-for-gene", "/v1/patient", "/v1/evidence",
                          "/v1/cypher", "/v1/query", "/v1/view/symptoms", "/v1/view/drugs-for-gene",
                          "/v1/cypher/examples"}, \
        "the old paths are aliases, left out of the schema"
    schemas = openapi["components"]["schemas"]
    assert "HTTPValidationError" not in schemas, "FastAPI's own error shape is never answered"
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path.startswith("/v1/view/"):  # pages for a browser; their answers' JSON is the questions'
                assert set(operation["responses"]["200"]["content"]) == {"text/html"}, path
                continue
            ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
            name = ok["$ref"].rsplit("/", 1)[-1]
            assert "meta" in schemas[name]["properties"], (path, method)
            for code in ("401", "503"):
                assert code in operation["responses"], (path, method, code)
            for code, response in operation["responses"].items():
                if code != "200":
                    error = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                    assert {"error", "detail"} <= set(schemas[error]["properties"]), (path, code)
                    assert set(schemas[error]["required"]) >= {"error", "detail"}
    assert paths["/v1/evidence"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]["$ref"] \
        .endswith("/UnknownEdge")
    assert {"400", "413", "422", "504"} <= set(paths["/v1/cypher"]["post"]["responses"])
    assert "problems" in schemas["InvalidRequest"]["properties"]


def test_each_error_is_answered_as_declared(graph, tmp_path):
    client = client_for(graph, token="s3cret", max_body_bytes=4000, cypher_timeout_s=0.2)
    auth = {"Authorization": "Bearer s3cret"}
    openapi = client.get("/openapi.json", headers=auth).json()
    cases = [
        (401, "/v1/symptoms", "post", client.post("/v1/symptoms", json={"text": "fever"})),
        (413, "/v1/cypher", "post", client.post("/v1/cypher", content=b"{" + b" " * 5000 + b"}", headers=auth)),
        (422, "/v1/symptoms", "post", client.post("/v1/symptoms", json={"text": "", "limit": 0}, headers=auth)),
        (422, "/v1/drugs-for-gene", "get", client.get("/v1/drugs-for-gene", params={"gene": "CYP2D6", "limit": 2,
                                                                                      "top": 3}, headers=auth)),
        (404, "/v1/evidence", "get", client.get("/v1/evidence", params={"edge_key": f"{g.MIGRAINE}|treats|{g.FEVER}"},
                                                headers=auth)),
        (400, "/v1/cypher", "post", client.post("/v1/cypher", json={"query": "CREATE (n:Entity {id: 'X:1'})"},
                                                headers=auth)),
        (400, "/v1/cypher", "post", client.post("/v1/cypher", json={"query": "MATCH (n:Entity RETURN n"},
                                                headers=auth)),
        (504, "/v1/cypher", "post", client.post("/v1/cypher", json={
            "query": "UNWIND range(1, 30000) AS x UNWIND range(1, 30000) AS y WITH x, y WHERE (x * y) % 7 = 3 "
                     "RETURN count(*) AS n"}, headers=auth)),
    ]
    for status, path, method, response in cases:
        assert response.status_code == status, (status, path, response.text)
        check_against_openapi(openapi, path, method, response)
    assert cases[2][3].json()["problems"][0]["where"].startswith("body.")
    unreachable = TestClient(create_app(StoreAccess(StoreConfig(backend="embedded", db_path=tmp_path / "no.lbug"))))
    response = unreachable.get("/v1/health")
    assert response.status_code == 503
    check_against_openapi(openapi, "/v1/health", "get", response)


def test_old_paths_answer_as_deprecated_aliases_of_v1(graph):
    client = client_for(graph)
    key = f"{g.PNEUMONIA}|has_phenotype|{g.FEVER}"
    for method, old, kwargs in (("POST", "/symptoms", {"json": {"text": "fever, cough", "top": 2}}),
                                ("GET", "/drugs-for-gene", {"params": {"gene": "CYP2D6", "top": 2}}),
                                ("GET", "/evidence", {"params": {"edge_key": key}}),
                                ("POST", "/cypher", {"json": {"query": "RETURN 1 AS x"}})):
        then, now = client.request(method, old, **kwargs), client.request(method, f"/v1{old}", **kwargs)
        assert then.status_code == now.status_code == 200, then.text
        assert then.headers["deprecation"] == "true" and f"</v1{old}>" in then.headers["link"]
        assert "deprecation" not in now.headers
        drop = {"meta", "elapsed_ms"}
        assert {k: v for k, v in then.json().items() if k not in drop} == \
            {k: v for k, v in now.json().items() if k not in drop}
    assert "deprecation" not in client.get("/health").headers  # a liveness path, kept as it is


# ---- versions ----------------------------------------------------------------------------------------------
def test_every_answer_carries_the_graph_and_model_versions(graph):
    client = client_for(graph)
    health = client.get("/v1/health").json()
    meta = health["meta"]
    stats = {"nodes": health["nodes"], "relationships": health["relationships"]}
    assert meta["graph"]["counts_hash"] == answers.counts_hash(stats)
    assert meta["graph"]["pipelines"] == ["test@1"]  # as recorded on the fixture's publications
    assert meta["medkg_version"] == answers.medkg_version()
    assert (meta["graph"]["last_modified"] is not None) == (graph.backend == "embedded")
    symptoms = client.post("/v1/symptoms", json={"text": "fever"}).json()["meta"]
    assert symptoms["graph"] == meta["graph"] and re.match(r"^\d{4}-\d{2}-\d{2}$", symptoms["models"]["hpo"])
    patient = client.post("/v1/patient", json={"symptoms": "fever"}).json()["meta"]
    assert patient["models"]["hpo"] == symptoms["models"]["hpo"]
    assert client.post("/v1/cypher", json={"query": "RETURN 1 AS x"}).json()["meta"]["graph"] == meta["graph"]


def test_the_counts_hash_is_the_same_for_the_same_graph_on_either_backend(graph, tmp_path):
    """The fixture graph written to a second, embedded store hashes like the store under test."""
    from kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "other.lbug") as other:
        g.build(other)
        g.build_clinical(other)
        import_hpo(other, diseases=[MARFAN, "OMIM:219700"])
        assert answers.graph_version(other).counts_hash == answers.graph_version(graph).counts_hash
        other.upsert_entities([g.Entity("MESH:D000001", g.Category.DRUG, "One drug more")])
        other.flush()
        assert answers.graph_version(other).counts_hash != answers.graph_version(graph).counts_hash


# ---- pages -------------------------------------------------------------------------------------------------
def test_drugs_for_gene_pages_through_every_linked_drug(graph):
    client = client_for(graph)
    whole = client.get("/v1/drugs-for-gene", params={"gene": "CYP2D6", "limit": 100}).json()
    ranked = [a["drug_id"] for a in whole["answers"]]
    assert whole["n_drugs"] == len(ranked) == whole["page"]["total"] >= 3 and whole["page"]["next_offset"] is None
    seen, offset = [], 0
    while offset is not None:
        page = client.post("/v1/drugs-for-gene", json={"gene": "CYP2D6", "offset": offset, "limit": 1}).json()
        assert page["page"]["offset"] == offset and page["page"]["returned"] == 1
        seen += [a["drug_id"] for a in page["answers"]]
        offset = page["page"]["next_offset"]
    assert seen == ranked
    past = client.get("/v1/drugs-for-gene", params={"gene": "CYP2D6", "offset": 50}).json()
    assert past["answers"] == [] and past["page"]["next_offset"] is None and past["n_drugs"] == len(ranked)
    assert client.get("/v1/drugs-for-gene", params={"gene": "CYP2D6", "offset": 10**6}).status_code == 422


def test_symptoms_and_evidence_pages(graph):
    client = client_for(graph)
    whole = client.post("/v1/symptoms", json={"text": "fever, cough", "limit": 10}).json()
    ranked = [a["disease_id"] for a in whole["answers"]]
    assert len(ranked) >= 2 and whole["page"]["next_offset"] is None and whole["page"]["total"] is None
    first = client.post("/v1/symptoms", json={"text": "fever, cough", "limit": 1}).json()
    assert first["page"]["next_offset"] == 1 and [a["disease_id"] for a in first["answers"]] == ranked[:1]
    rest = client.get("/v1/symptoms", params={"text": "fever, cough", "offset": 1, "limit": 10}).json()
    assert [a["disease_id"] for a in rest["answers"]] == ranked[1:] and rest["page"]["next_offset"] is None
    key = f"{g.PNEUMONIA}|has_phenotype|{g.FEVER}"
    sentences = [e["sentence"] for e in client.get("/v1/evidence", params={"edge_key": key}).json()["evidence"]]
    one = client.get("/v1/evidence", params={"edge_key": key, "offset": 1, "limit": 1}).json()
    assert [e["sentence"] for e in one["evidence"]] == sentences[1:2] and one["page"]["next_offset"] == 2


# ---- Cypher rows -------------------------------------------------------------------------------------------
def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_cypher_rows_carry_labels_and_properties_not_engine_internals(graph):
    client = client_for(graph)
    query = ("MATCH p = (d:Entity)-[r]->(f:Entity) WHERE d.id = $d AND f.id = $f "
             "RETURN d, r, p, r.predicate AS predicate")
    body = client.post("/v1/cypher", json={"query": query, "parameters": {"d": g.PNEUMONIA, "f": g.FEVER}}).json()
    row = body["rows"][0]
    assert not {k for k in _keys(body["rows"]) if k.startswith("_")}, "no _ID, _LABEL, _SRC, _DST"
    assert "Entity" in row["d"]["labels"]
    assert row["d"]["properties"] == {"id": g.PNEUMONIA, "category": "Disease", "name": "Pneumonia", "synonyms": []}
    assert row["r"]["type"] == "has_phenotype" and row["r"]["properties"]["n_pmids"] == 2
    assert None not in row["r"]["properties"].values(), "unset properties are left out, as Neo4j stores none"
    assert [n["properties"]["id"] for n in row["p"]["nodes"]] == [g.PNEUMONIA, g.FEVER]
    assert [r["type"] for r in row["p"]["relationships"]] == ["has_phenotype"]
    assert row["predicate"] == "has_phenotype"
    dated = client.post("/v1/cypher", json={"query": "RETURN date('2020-01-02') AS d, {a: [1, 2]} AS m"}).json()
    assert dated["rows"] == [{"d": "2020-01-02", "m": {"a": [1, 2]}}]


# ---- CORS and docs -----------------------------------------------------------------------------------------
def test_cors_is_off_by_default_and_opt_in_per_origin(graph):
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    closed = client_for(graph)
    assert "access-control-allow-origin" not in closed.get("/v1/health", headers={"Origin": "https://app.example"}
                                                             ).headers
    open_ = client_for(graph, token="s3cret", cors_origins=("https://app.example",))
    answer = open_.options("/v1/symptoms", headers=preflight)  # a preflight carries no token
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "https://app.example"
    assert "authorization" in answer.headers["access-control-allow-headers"].lower()
    call = open_.get("/v1/health", headers={"Origin": "https://app.example", "Authorization": "Bearer s3cret"})
    assert call.status_code == 200 and call.headers["access-control-allow-origin"] == "https://app.example"
    refused = open_.get("/v1/health", headers={"Origin": "https://app.example"})  # the browser may read the 401
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "https://app.example"
    other = open_.options("/v1/symptoms", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_docs_and_redoc_load_only_local_assets(graph):
    client = client_for(graph)
    for page, wanted in (("/docs", {"swagger-ui-bundle.js", "swagger-ui.css"}), ("/redoc", {"redoc.standalone.js"})):
        html = client.get(page).text
        urls = re.findall(r'(?:src|href|url)\s*[=:]\s*["\']([^"\']+)["\']', html)
        assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
        assert "http://" not in html and "https://" not in html, "nothing from another host"
        assert wanted <= {u.rsplit("/", 1)[-1] for u in urls}
        for url in urls:
            asset = client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 100, url
    assert client.get("/docs-assets/swagger-ui-bundle.js").headers["content-type"].startswith(
        ("application/javascript", "text/javascript"))


# ---- warm-up -----------------------------------------------------------------------------------------------
def test_loading_the_reranker_holds_up_no_other_request(graph, monkeypatch):
    """The first rerank question loads the language model (103 s measured) outside the store lock."""
    import threading
    import time

    import kg.api
    from queries.rerank import Reranked

    class InstantReranker:
        top_n, weight = 50, 0.0

        def rerank(self, texts, scored):
            return [Reranked(s.disease_id, s.score, s.score, 1.0) for s in scored]

    loading = threading.Event()

    def slow_load(ranker):
        loading.set()
        time.sleep(4)
        return InstantReranker()

    monkeypatch.setattr(kg.api, "_reranker", slow_load)
    client = client_for(graph)
    assert client.post("/v1/symptoms", json={"text": "fever"}).status_code == 200  # the ranker is built
    reranked: list = []
    first = threading.Thread(target=lambda: reranked.append(client.post("/v1/symptoms", json={
        "text": "fever, cough", "rerank": True})))
    first.start()
    try:
        assert loading.wait(30)
        started = time.monotonic()
        for _ in range(3):
            assert client.get("/v1/health").status_code == 200
            assert client.post("/v1/symptoms", json={"text": "cough"}).status_code == 200
            assert client.get("/v1/drugs-for-gene", params={"gene": "CYP2D6"}).status_code == 200
        assert time.monotonic() - started < 3 and first.is_alive(), "answered while the model was loading"
    finally:
        first.join(30)
    body = reranked[0].json()
    assert body["reranked"] is True and body["meta"]["models"]["reranker"] == kg.api.RERANKER_MODEL
