"""Fixtures for the relation tests: the shipped model (loaded once) and BioRED dev documents."""

from __future__ import annotations

import pytest

from extractors.relations.component import RelationExtractor
from extractors.relations.model import DEFAULT_MODEL_DIR, load_base


@pytest.fixture(scope="session")
def tokenizer():
    return load_base()[1]


@pytest.fixture(scope="session")
def extractor() -> RelationExtractor:
    component = RelationExtractor(DEFAULT_MODEL_DIR)
    component.model  # noqa: B018  (load once for the session)
    return component


@pytest.fixture(scope="session")
def biored_dev(shared_data):
    from extractors.relations import corpora

    return corpora.load("biored", "dev", shared_data)
