"""Shared fixtures: the real Neo4j test server, fresh stores of both backends, the shared data path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent


def _neo4j_required() -> bool:
    """Under CI (.ci/run sets KG_REQUIRE_NEO4J=1) a missing Neo4j is a failure, not a skip."""
    return os.environ.get("KG_REQUIRE_NEO4J") == "1"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = Path(os.environ.get("KG_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")
    if not (path / "README.md").is_file():
        pytest.skip(f"shared data not found at {path} (set KG_SHARED_DATA to its location)")
    return path


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    """A Bolt URI of a real Neo4j: NEO4J_URI if set, else an in-process server started for this session."""
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"]
        return
    from tests.neo4j_server import Neo4jTestServer, java_toolchain_missing

    reason = java_toolchain_missing()
    if reason:
        if _neo4j_required():
            pytest.fail(f"Neo4j tests are required here (KG_REQUIRE_NEO4J=1) but: {reason}")
        pytest.skip(f"Neo4j tests need Java 17 and Maven: {reason}")
    with Neo4jTestServer() as server:
        yield server.uri


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator:
    """An empty store of each backend; the parity of the two is what the tests check."""
    if request.param == "embedded":
        from kg.store.embedded import EmbeddedStore

        with EmbeddedStore(tmp_path / "graph.lbug") as embedded:
            yield embedded
        return
    from kg.store.neo4j_store import Neo4jStore

    uri = request.getfixturevalue("neo4j_uri")
    with Neo4jStore(uri, user=None) as neo:
        neo.clear()
        yield neo
        neo.clear()
