"""Fixtures for the NER tests: the shipped model (loaded once) and the shared data path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from extractors.ner.component import DEFAULT_MODEL, NerComponent

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def ner() -> NerComponent:
    component = NerComponent(DEFAULT_MODEL)
    component.nlp  # noqa: B018  (load once for the session)
    return component


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = Path(os.environ.get("KG_SHARED_DATA") or REPO.parent / "shared" / "data")
    if not (root / "corpora").is_dir():
        pytest.skip(f"shared data not found at {root} (set KG_SHARED_DATA to its location)")
    return root
