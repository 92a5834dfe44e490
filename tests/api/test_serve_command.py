"""``kg serve`` for real: the command in a subprocess (uvicorn on a free loopback port), queried with httpx."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kg.importers.hpo import import_hpo
from kg.store.embedded import EmbeddedStore
from tests import graph_fixture as g
from tests.conftest import REPO_ROOT

SECRET_SYMPTOMS = "arachnodactyly, ectopia lentis"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, headers: dict[str, str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"kg serve exited with {process.returncode}")
        try:
            if httpx.get(url, headers=headers, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"kg serve did not answer at {url} within {seconds} s")


def test_kg_serve_answers_over_loopback_and_logs_no_patient_data(tmp_path: Path):
    db = tmp_path / "graph.lbug"
    with EmbeddedStore(db) as store:
        g.build(store)
        import_hpo(store, diseases=["OMIM:154700", "OMIM:219700"])
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "MEDKG_API_TOKEN": "t0ken", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    headers = {"Authorization": "Bearer t0ken"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", "embedded", "--db", str(db), "--port", str(port)],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{base}/health", process, headers)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            assert client.get("/health").json()["relationships"]["has_phenotype"] > 50
            answer = client.post("/symptoms", json={"text": SECRET_SYMPTOMS, "top": 1}).json()
            assert answer["answers"][0]["disease_name"] == "Marfan syndrome"
            again = client.get("/symptoms", params={"text": SECRET_SYMPTOMS}).json()
            assert again["answers"][0]["disease_id"] == "OMIM:154700"
            rows = client.post("/cypher", json={"query": "MATCH (e:Entity) WHERE e.id = $id RETURN e.name AS name",
                                                "parameters": {"id": g.CYP2D6}}).json()["rows"]
            assert rows == [{"name": "CYP2D6"}]
            refused = client.post("/cypher", json={"query": "MATCH (e:Entity) DETACH DELETE e"})
            assert refused.status_code == 400
        assert httpx.get(f"{base}/health", timeout=10).status_code == 401  # no token
    finally:
        process.terminate()
        process.wait(timeout=30)
    logged = log.read_text()
    assert "POST /symptoms 200" in logged and "GET /symptoms 200" in logged
    assert "arachnodactyly" not in logged.lower() and "ectopia" not in logged.lower()


def test_an_empty_token_is_refused_at_start(tmp_path):
    db = tmp_path / "graph.lbug"
    EmbeddedStore(db).close()
    result = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--db", str(db), "--port", str(_free_port())],
                            env={**os.environ, "MEDKG_API_TOKEN": ""}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "MEDKG_API_TOKEN is set but empty" in result.stderr


def test_cors_origin_is_opt_in_and_repeatable(tmp_path, monkeypatch):
    """`kg serve --cors-origin A --cors-origin B` builds the app with CORS for A and B only; without it, none."""
    import uvicorn
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from kg.cli import main

    db = tmp_path / "graph.lbug"
    with EmbeddedStore(db) as store:
        g.build(store)
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.append(app))
    monkeypatch.delenv("MEDKG_API_TOKEN", raising=False)
    runner = CliRunner()
    base = ["serve", "--db", str(db), "--no-warm"]
    result = runner.invoke(main, [*base, "--cors-origin", "https://a.example", "--cors-origin", "http://b.example:8080"])
    assert result.exit_code == 0, result.output
    assert "CORS for https://a.example, http://b.example:8080" in result.output
    assert runner.invoke(main, base).exit_code == 0
    with_cors, without = (TestClient(app) for app in served)
    for origin in ("https://a.example", "http://b.example:8080"):
        allowed = with_cors.get("/v1/health", headers={"Origin": origin})
        assert allowed.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-origin" not in with_cors.get("/v1/health", headers={"Origin": "https://c.example"}
                                                              ).headers
    assert "access-control-allow-origin" not in without.get("/v1/health", headers={"Origin": "https://a.example"}
                                                            ).headers
    bad = runner.invoke(main, [*base, "--cors-origin", "a.example/path"])
    assert bad.exit_code == 2 and "is not an origin" in bad.output
