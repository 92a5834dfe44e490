"""The shipped lexicon, loaded once for the session (its index is cached in the user's cache after the first run)."""

from __future__ import annotations

import pytest

from extractors.normalize.component import Normalizer, shared_lexicon
from extractors.normalize.lexicon import Lexicon
from extractors.normalize.table import SHIPPED_TABLE


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return shared_lexicon(SHIPPED_TABLE)


@pytest.fixture(scope="session")
def normalizer(lexicon: Lexicon) -> Normalizer:
    return Normalizer(lexicon, table=SHIPPED_TABLE)


@pytest.fixture(scope="session")
def lexicon_loaded(lexicon: Lexicon) -> None:
    """The shipped lexicon is in this process's cache (CLI commands then share it)."""
