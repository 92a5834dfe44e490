"""Fixtures for the NER tests: the shipped model (loaded once); the shared data path is tests/conftest.py's."""

from __future__ import annotations

import pytest

from extractors.ner.component import DEFAULT_MODEL, NerComponent


@pytest.fixture(scope="session")
def ner() -> NerComponent:
    component = NerComponent(DEFAULT_MODEL)
    component.nlp  # noqa: B018  (load once for the session)
    return component
