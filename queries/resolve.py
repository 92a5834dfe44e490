"""Names and CURIEs → store entities: what the gene, patient and symptom questions share when they read user input.

* :func:`is_curie` — the one rule for "this item is an id, not a name" (``NCBIGene:1565``, ``MESH:D003920``);
* :class:`NameResolver` / :class:`LazyLexicon` — the normalization lexicon of :mod:`extractors.normalize` (HGNC
  aliases, brand names, synonyms the store lacks), loaded only when a name is not found in the store;
* :func:`lexicon_entity` — the store entity that lexicon names, if it is in the store and of a wanted category;
* :class:`Unrecognized` — input that names nothing, with why and the closest names: the one type every question
  answers unknown input with (never an exception).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from kg.store.base import GraphStore, Row

_CURIE = re.compile(r"^[A-Za-z][\w.]*:\S+$")


def is_curie(text: str) -> bool:
    """Whether ``text`` is written as a CURIE (prefix, colon, local id without spaces)."""
    return bool(_CURIE.match(text))


@dataclass(slots=True)
class Unrecognized:
    """Input that names no entity (or term) of the store: the text, why, and the closest names found (the shape
    of a close match is the question's: ``{id, name[, similarity]}`` for entities, a term match for symptoms).
    ``negated``: the input said it is absent ("no xyz"; symptoms only)."""

    text: str
    reason: str
    close_matches: list[dict[str, Any]] = field(default_factory=list)
    negated: bool = False


class NameResolver(Protocol):
    """What :class:`extractors.normalize.Lexicon` offers: text + category → a match with a ``curie`` (or None)."""

    def lookup(self, text: str, category: str | None = None, *, fuzzy: bool = True) -> Any: ...


class LazyLexicon:
    """The shipped normalization lexicon, loaded on the first lookup (most inputs resolve without it)."""

    def lookup(self, text: str, category: str | None = None, *, fuzzy: bool = True) -> Any:
        from extractors.normalize import shared_lexicon

        return shared_lexicon().lookup(text, category, fuzzy=fuzzy)


def lexicon_entity(store: GraphStore, lexicon: NameResolver | None, text: str, category: str,
                   categories: list[str]) -> Row | None:
    """The store entity that the normalization lexicon names for ``text`` (exact/normalized match, no fuzzy)."""
    if lexicon is None:
        return None
    match = lexicon.lookup(text, category, fuzzy=False)
    if match is None:
        return None
    rows = store.query("entities_by_id", ids=[match.curie])
    return rows[0] if rows and rows[0]["category"] in categories else None
