"""The gate in front of the app: token and body size decided before the body is read."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from kg.api import ApiSettings, StoreAccess, create_app
from kg.api_gate import RequestGate
from tests import graph_fixture as g


@pytest.fixture
def graph(store):
    g.build(store)
    return store


def test_docs_and_openapi_need_the_token_when_one_is_set(graph):
    client = TestClient(create_app(StoreAccess(store=graph), ApiSettings(token="s3cret")))
    for path in ("/docs", "/openapi.json", "/redoc"):
        refused = client.get(path)
        assert refused.status_code == 401, path
        assert refused.json()["error"] == "unauthorized" and refused.headers["www-authenticate"] == "Bearer"
    assert client.get("/openapi.json", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_a_declared_or_streamed_body_over_the_limit_is_refused_with_413(graph):
    client = TestClient(create_app(StoreAccess(store=graph), ApiSettings(max_body_bytes=1000)))
    declared = client.post("/cypher", content=b"{" + b" " * 5000 + b"}", headers={"content-type": "application/json"})
    assert declared.status_code == 413 and declared.json()["error"] == "body_too_large"

    def chunks():  # no Content-Length: the client sends it chunked
        yield b'{"query": "RETURN 1 AS x", "parameters": {"p": "'
        for _ in range(10):
            yield b"a" * 500
        yield b'"}}'

    streamed = client.post("/cypher", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["error"] == "body_too_large"
    fine = client.post("/cypher", json={"query": "RETURN 1 AS x"})
    assert fine.status_code == 200 and fine.json()["rows"] == [{"x": 1}]


def test_an_unauthenticated_request_is_answered_without_reading_its_body():
    async def app(scope, receive, send):  # the app behind the gate must never run
        raise AssertionError("the app ran")

    async def receive():
        raise AssertionError("the body was read")

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    gate = RequestGate(app, token="s3cret")
    scope = {"type": "http", "method": "POST", "path": "/cypher",
             "headers": [(b"content-length", b"50000000"), (b"authorization", b"Bearer wrong")]}
    asyncio.run(gate(scope, receive, send))
    assert sent[0]["status"] == 401
    oversized = dict(scope, headers=[(b"content-length", b"50000000"), (b"authorization", b"Bearer s3cret")])
    sent.clear()
    asyncio.run(gate(oversized, receive, send))
    assert sent[0]["status"] == 413
