"""Fixtures for the E-utilities tests: a loopback server replaying the real responses of
``../shared/data/pubmed/biopython_entrez`` (or ``$KG_SHARED_DATA``); nothing here reaches the network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.eutils import client as client_module
from tests.eutils.fake_eutils import FakeEutils

REPO = Path(__file__).resolve().parents[2]
CLOSED_PORT_URL = "http://127.0.0.1:9/entrez/eutils/"  # the discard port: nothing listens there


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_rate: keep NCBI's real rate limits and retry delays")


@pytest.fixture(scope="session")
def entrez_dir() -> Path:
    root = Path(os.environ.get("KG_SHARED_DATA") or REPO.parent / "shared" / "data")
    path = root / "pubmed" / "biopython_entrez"
    if not (path / "esearch2.xml").is_file():
        pytest.skip(f"real E-utilities responses not found at {path} (set KG_SHARED_DATA to the shared data)")
    return path


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """No NCBI credentials, a default base URL where nothing listens, no proxy; and unless a test is marked
    ``real_rate``, rate limits and backoff short enough for tests."""
    for var in ("NCBI_API_KEY", "NCBI_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NCBI_EUTILS_URL", CLOSED_PORT_URL)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")
    if request.node.get_closest_marker("real_rate") is None:
        monkeypatch.setattr(client_module, "RATE_WITHOUT_KEY", 1000.0)
        monkeypatch.setattr(client_module, "RATE_WITH_KEY", 1000.0)
        monkeypatch.setattr(client_module, "RATE_MARGIN", 0.0)
        monkeypatch.setattr(client_module, "DEFAULT_BACKOFF", 0.01)


@pytest.fixture
def server(entrez_dir: Path) -> Iterator[FakeEutils]:
    fake = FakeEutils(entrez_dir)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
