"""CloseNames answers what difflib.get_close_matches does, without a Python loop over every name."""

from __future__ import annotations

import difflib
import random
import string

import pytest

from kg.ontology import load_ontology
from queries.close_names import CloseNames


@pytest.fixture(scope="module")
def names() -> list[str]:
    return sorted({t.name.lower() for t in load_ontology().terms.values()})[:3000]


def words(names: list[str]) -> list[str]:
    """Misspelt and shortened names, random words, and edge cases."""
    rng = random.Random(7)
    typos = [n[:i] + rng.choice(string.ascii_lowercase) + n[i + 1:]
             for n in rng.sample(names, 30) for i in [rng.randrange(len(n))]]
    shortened = [" ".join(n.split()[:2]) for n in rng.sample(names, 10)]
    noise = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 12))) for _ in range(20)]
    return typos + shortened + noise + ["", "a", "é", names[0]]


def test_unbounded_it_is_difflib(names):
    close = CloseNames(names, max_scored=len(names))
    for word in words(names):
        for n, cutoff in ((5, 0.6), (1, 0.8)):
            assert close.get_close_matches(word, n=n, cutoff=cutoff) == \
                difflib.get_close_matches(word, names, n=n, cutoff=cutoff), word


def test_within_its_budget_it_finds_difflib_best_name(names):
    close = CloseNames(names, max_scored=20)
    same = sum(close.get_close_matches(w, n=5)[:1] == difflib.get_close_matches(w, names, n=5)[:1]
               for w in words(names))
    assert same >= len(words(names)) - 2
    assert CloseNames([]).get_close_matches("fever") == []
