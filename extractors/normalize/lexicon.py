"""Text → CURIE: exact and normalized lookup in the lexicon, then character n-gram TF-IDF nearest neighbour.

Every name of every concept is indexed under three keys of :mod:`extractors.normalize.text` (normal, loose,
sorted words). :meth:`Lexicon.lookup` tries them strictest first; then rewrites of the mention
(:mod:`extractors.normalize.variants`: "nephrotoxicity" → kidney disease, "Na" → sodium, "glutamate" → glutamic
acid, …); then the nearest name by cosine similarity of character 3-gram TF-IDF vectors (scikit-learn), accepted
above ``fuzzy_threshold``; and for diseases last one concept of a coordination ("hepatic and renal dysfunctions")
or the phrase's head ("acute stroke" → Stroke, method ``head``, a broader concept rather than none).

Candidates are restricted by category (a Disease mention only matches concepts whose vocabulary puts them
among diseases: MeSH trees C/F03, DOID, …) and ranked by: the category's vocabulary preference (``PREFERENCE``:
MeSH before DOID for diseases, MeSH before DrugBank before ChEBI for chemicals, NCBI Gene for genes, HPO for
phenotypes), then a name of the concept itself before one that reaches it through a cross-reference, then a
concept's own name before another concept's synonym, then MeSH descriptors before supplementary concepts. A
concept of a less preferred vocabulary with a cross-reference to a preferred one (DOID → MeSH, ChEBI → MeSH) is
reported as that one, so that its synonyms extend the preferred vocabulary.

The index of the ~0.5 M concepts takes about a minute to build; it is pickled into the user's cache
(``$XDG_CACHE_HOME/medkg-data/lexicon``), keyed by the table's content hash and :data:`INDEX_VERSION`, and loads
in seconds afterwards.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from extractors.normalize.sources import Concept
from extractors.normalize.table import SHIPPED_TABLE, read_table
from extractors.normalize.text import MAX_KEY_CHARS, forms, loose_form, normal_form
from extractors.normalize.variants import chemical_variants, conjunct_variants, disease_variants, head_backoff
from kg.curie import LOCAL_PREFIX
from kg.schema import Category

log = logging.getLogger(__name__)

INDEX_VERSION = "5"
"""Bump when the index layout or the key functions change (invalidates cached indexes)."""

PREFERENCE: dict[Category, tuple[str, ...]] = {
    Category.DISEASE: ("MESH", "DOID", "OMIM", "ORPHA"),
    Category.CHEMICAL: ("MESH", "DRUGBANK", "CHEBI"),
    Category.DRUG: ("DRUGBANK", "MESH", "CHEBI"),
    Category.GENE: ("NCBIGene", "HGNC"),
    Category.PHENOTYPE: ("HP", "SYMP"),
}
"""Vocabularies each category normalizes to, most preferred first."""

COMPATIBLE: dict[Category, frozenset[Category]] = {
    Category.DISEASE: frozenset({Category.DISEASE}),
    Category.CHEMICAL: frozenset({Category.CHEMICAL, Category.DRUG}),
    Category.DRUG: frozenset({Category.CHEMICAL, Category.DRUG}),
    Category.GENE: frozenset({Category.GENE}),
    Category.PHENOTYPE: frozenset({Category.PHENOTYPE}),
}
"""Concept categories a mention of each category may resolve to."""

METHOD_SCORES = {"exact": 1.0, "normalized": 0.97, "loose": 0.94, "word-order": 0.9, "variant": 0.85, "head": 0.7}
FUZZY_PREFIXES = frozenset({"MESH", "DOID", "DRUGBANK", "HP", "SYMP", "NCBIGene"})
"""Vocabularies whose names enter the fuzzy index (ChEBI's ~200 k systematic names only match exactly, and so do
MeSH's supplementary chemicals)."""
MIN_FUZZY_CHARS = 4


@dataclass(frozen=True, slots=True)
class Match:
    """A resolved mention: the CURIE, its preferred name and category, how it was found and how sure."""

    curie: str
    name: str
    category: Category
    score: float
    method: str  # exact | normalized | loose | word-order | variant | fuzzy | head | local
    matched: str = ""  # the lexicon name that matched (the concept's own name when one of its synonyms did)

    @property
    def is_local(self) -> bool:
        return self.method == "local"


def local_id(text: str, category: Category | str | None) -> str:
    """Stable identifier of an unmappable mention: category and a hash of its loose normal form."""
    key = loose_form(text) or text.strip()
    slug = str(category or Category.NAMED_THING)
    return f"{LOCAL_PREFIX}:{slug}:{hashlib.sha1(f'{slug}|{key}'.encode()).hexdigest()[:12]}"


def cache_dir() -> Path:
    """``$KG_CACHE`` or ``$XDG_CACHE_HOME/medkg-data`` (default ``~/.cache/medkg-data``)."""
    if os.environ.get("KG_CACHE"):
        return Path(os.environ["KG_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "medkg-data"


def built_table() -> Path:
    """Where ``kg lexicon build`` writes its table; used instead of the shipped one when it exists."""
    return cache_dir() / "lexicon" / "medkg-lexicon.tsv.gz"


def default_table() -> Path:
    return built_table() if built_table().is_file() else SHIPPED_TABLE


class _FuzzyIndex:
    """Character 3-gram TF-IDF vectors of the names of one category group; nearest by cosine."""

    def __init__(self, texts: list[str], codes: np.ndarray) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.codes = codes
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True,
                                          dtype=np.float32)
        # features x names: a query only touches the rows (postings) of its own n-grams
        self.postings = self.vectorizer.fit_transform(texts).T.tocsr()

    def nearest(self, text: str, k: int) -> list[tuple[int, float]]:
        """(code, cosine) of the ``k`` most similar names, best first."""
        query = self.vectorizer.transform([text])
        if query.nnz == 0:
            return []
        scores = (query @ self.postings).tocsr()
        if scores.nnz == 0:
            return []
        data, cols = scores.data, scores.indices
        top = np.argsort(-data)[:k] if len(data) > k else np.argsort(-data)
        return [(int(self.codes[cols[i]]), float(data[i])) for i in top]


class Lexicon:
    """Concepts of the lexicon table, indexed for :meth:`lookup`.

    Build with :meth:`load` (cached index) or :meth:`from_concepts`; thread-safe for lookups.
    """

    def __init__(self, concepts: list[Concept], provenance: dict[str, str] | None = None) -> None:
        self.provenance = provenance or {}
        self.curies = [c.curie for c in concepts]
        self.names = [c.name for c in concepts]
        interned: dict[frozenset[Category], frozenset[Category]] = {}
        self._categories = [interned.setdefault(frozenset(c.categories), frozenset(c.categories)) for c in concepts]
        self._row = {curie: i for i, curie in enumerate(self.curies)}
        # one dict per key level; a name's looser key is only stored where it differs from the stricter one
        # (lookups at a level also consult the stricter dicts). A code is concept index * 4 + the name's kind
        # (_NAME, _SYNONYM, _CORPUS_NAME), so that ranking can prefer a concept's own name to a synonym.
        self._keys: tuple[dict[str, Any], ...] = ({}, {}, {})
        for i, concept in enumerate(concepts):
            names = [(concept.name, _NAME), *((n, _SYNONYM) for n in concept.synonyms),
                     *((n, _CORPUS_NAME) for n in concept.corpus_names)]
            if concept.curie.startswith("MESH:D"):  # "Ecstasy (Drug)" is also "ecstasy"
                names += [(m.group(1), _SYNONYM) for n, _ in names[:1 + len(concept.synonyms)]
                          if (m := _QUALIFIED.match(n)) and len(m.group(1)) >= 3]
            for name, kind in names:
                code = i * 4 + kind
                previous = ""
                for keys, key in zip(self._keys, forms(name), strict=True):
                    if key and key != previous:
                        _add(keys, key, code)
                    previous = key
        self._equivalents = self._link_equivalents(concepts)
        self._fuzzy_texts = {group: self._fuzzy_names(concepts, group) for group in _FUZZY_GROUPS}
        self._fuzzy: dict[Category, _FuzzyIndex] = {}
        self._lock = threading.Lock()

    # ---- construction ------------------------------------------------------------------------------------------
    @classmethod
    def from_concepts(cls, concepts: Iterable[Concept], provenance: dict[str, str] | None = None) -> Lexicon:
        return cls(list(concepts), provenance)

    @classmethod
    def load(cls, table: Path | None = None, cache: bool = True) -> Lexicon:
        """The lexicon of ``table`` (default: the user's built table, else the shipped one), index cached."""
        table = Path(table) if table else default_table()
        if not table.is_file():
            raise FileNotFoundError(f"no lexicon table at {table}: run `kg lexicon build`")
        digest = hashlib.sha256(table.read_bytes()).hexdigest()[:16]
        cached = cache_dir() / "lexicon" / f"index-{INDEX_VERSION}-{digest}.pkl"
        if cache and cached.is_file():
            try:
                with cached.open("rb") as stream:
                    lexicon = pickle.load(stream)
                lexicon._lock = threading.Lock()
                return lexicon
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
                log.warning("ignoring unreadable lexicon cache %s (%s); rebuilding", cached, exc)
        concepts, provenance = read_table(table)
        lexicon = cls(concepts, provenance)
        if cache:
            lexicon.build_fuzzy()
            lexicon._save(cached)
        return lexicon

    def build_fuzzy(self) -> None:
        for group in _FUZZY_GROUPS:
            self._fuzzy_index(group)

    def _save(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as stream:
                pickle.dump(self, stream, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except OSError as exc:  # a read-only home must not stop normalization
            log.warning("could not cache the lexicon index at %s: %s", path, exc)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _link_equivalents(self, concepts: list[Concept]) -> dict[int, list[int]]:
        """Concept index → indexes of concepts its cross-references name (both directions)."""
        links: dict[int, list[int]] = {}
        for i, concept in enumerate(concepts):
            for xref in concept.xrefs:
                j = self._row.get(xref)
                if j is not None and j != i:
                    links.setdefault(i, []).append(j)
                    links.setdefault(j, []).append(i)
        return links

    def _fuzzy_names(self, concepts: list[Concept], group: Category) -> tuple[list[str], np.ndarray]:
        texts: dict[str, int] = {}
        allowed = COMPATIBLE[group]
        for i, concept in enumerate(concepts):
            prefix, _, local = concept.curie.partition(":")
            if prefix not in FUZZY_PREFIXES or not allowed & self._categories[i]:
                continue
            if prefix == "MESH" and local.startswith("C") and group == Category.CHEMICAL:
                continue  # ~250 k supplementary chemicals: systematic names, exact matches only
            for j, name in enumerate((concept.name, *concept.synonyms)):
                if group == Category.GENE and " " not in name:
                    continue  # gene symbols only match exactly: "CYP2D7" must not become CYP2D6
                key = normal_form(name)
                if len(key) >= MIN_FUZZY_CHARS:
                    texts.setdefault(key, i * 4 + (j > 0))
        return list(texts), np.fromiter(texts.values(), dtype=np.int64, count=len(texts))

    def _fuzzy_index(self, group: Category) -> _FuzzyIndex:
        with self._lock:
            index = self._fuzzy.get(group)
            if index is None:
                texts, codes = self._fuzzy_texts.pop(group)
                index = self._fuzzy[group] = _FuzzyIndex(texts, codes)
            return index

    # ---- lookup ------------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.curies)

    def concept(self, curie: str) -> tuple[str, frozenset[Category]] | None:
        """Name and categories of a CURIE of the lexicon, or None."""
        i = self._row.get(curie)
        return None if i is None else (self.names[i], self._categories[i])

    def lookup(self, text: str, category: Category | str | None = None, *, fuzzy: bool = True,
               fuzzy_threshold: float = 0.75, partial: bool = True) -> Match | None:
        """The best concept for ``text`` among those compatible with ``category`` (any when None), or None.

        ``partial=False`` leaves out the last resorts that name only part of a disease phrase (one concept of a
        coordination, the phrase's head): for callers that split phrases themselves, such as symptom queries.
        """
        category = Category(category) if category else None
        if len(text) > MAX_KEY_CHARS:  # no name is this long: not a mention but a passage
            return None
        keys = forms(text)
        if not keys[0] or (category is not None and category not in COMPATIBLE):
            return None
        found = self._exact_match(text, keys, category)
        if found is None and category in _DISEASE_LIKE:
            found = self._first_variant(disease_variants(keys[0]), category)
        elif category in _CHEMICAL_LIKE and found is None:
            found = self._first_variant(chemical_variants(text, keys[0]), category)
        elif category in _CHEMICAL_LIKE and self._weak(found, category):
            found = self._first_variant(chemical_variants(text, keys[0]), category, strong=True) or found
        if found is not None:
            return found
        if fuzzy and category in COMPATIBLE and len(keys[0]) >= MIN_FUZZY_CHARS:
            near = self.nearest(text, category, k=1)
            if near and near[0].score >= fuzzy_threshold:
                return near[0]
        if partial and category in _DISEASE_LIKE:
            return self._first_variant(conjunct_variants(keys[0]), category) or \
                self._first_variant(head_backoff(keys[0]), category, method="head")
        return None

    def _first_variant(self, variants: list[str], category: Category, method: str = "variant",
                       strong: bool = False) -> Match | None:
        """The exact match of the first of ``variants`` that has one (:mod:`extractors.normalize.variants`); with
        ``strong``, only a normal-form match in the category's first vocabulary counts (it replaces a weak one)."""
        for variant in variants:
            keys = forms(variant)
            found = self._exact_match(variant, (keys[0], "", "") if strong else keys, category, method=method)
            if found and not (strong and self._weak(found, category)):
                return found
        return None

    @staticmethod
    def _weak(found: Match, category: Category) -> bool:
        """A chemical match only through a plural/word-order key or outside the category's first vocabulary
        ("glutamate" → Glutamates, "valproate" → ChEBI's anion): a rewrite's normal-form MeSH match is better."""
        return found.method in ("loose", "word-order") or not found.curie.startswith(PREFERENCE[category][0] + ":")

    def _exact_match(self, text: str, keys: tuple[str, str, str], category: Category | None,
                     method: str = "") -> Match | None:
        """Best candidate over the three key levels: the preferred vocabulary first, then the strictest level."""
        candidates: list[tuple[int, int]] = []
        seen: set[tuple[int, str]] = set()
        for level, key in enumerate(keys):
            for depth in range(level + 1):  # a looser key is also looked up among the stricter keys
                if (depth, key) not in seen:
                    seen.add((depth, key))
                    candidates += [(level, c) for c in _as_tuple(self._keys[depth].get(key, ()))]
        best = self._best(candidates, category)
        if best is None:
            return None
        level, code, i = best
        method = method or ("exact" if level == 0 and self._name_of(code) == text else _LEVELS[level])
        return self._match(i, category, METHOD_SCORES[method], method, self._name_of(code))

    def nearest(self, text: str, category: Category | str, k: int = 5) -> list[Match]:
        """The ``k`` nearest concepts by character n-gram similarity (one per concept), best first."""
        category = Category(category)
        group = _FUZZY_GROUP_OF.get(category)
        if group is None:
            return []
        found: dict[int, Match] = {}
        for code, score in self._fuzzy_index(group).nearest(normal_form(text), k * 4):
            best = self._best([(0, code)], category)
            if best is None:
                continue
            i = best[2]
            if i not in found:
                found[i] = self._match(i, category, round(score, 4), "fuzzy", self._name_of(code))
            if len(found) == k:
                break
        return list(found.values())

    def _name_of(self, code: int) -> str:
        return self.names[code // 4] if code % 4 == _NAME else ""

    def _match(self, i: int, category: Category | None, score: float, method: str, matched: str) -> Match:
        categories = self._categories[i]
        if category is None or category not in categories:
            category = next(iter(sorted(categories))) if category is None else category
        return Match(self.curies[i], self.names[i], category, score, method, matched or self.names[i])

    def _best(self, candidates: list[tuple[int, int]], category: Category | None) -> tuple[int, int, int] | None:
        """(level, code, concept index after following cross-references) of the best (level, code) candidate.

        Ranked by: a name that annotated training corpora use for this category (``corpus_names``, only in
        tables built with ``--corpora``), vocabulary preference, word order only when nothing matches better, own
        name before synonym (MeSH's plural names: "Phenylketonurias" before the entry term "phenylketonuria" of
        "Phenylketonuria, Maternal"), normal before loose key, MeSH descriptor before supplementary concept.
        """
        allowed = COMPATIBLE.get(category) if category else None
        preference = PREFERENCE.get(category, ()) if category else ()
        ranked: list[tuple[tuple[bool, int, bool, bool, int, int, bool, int], int, int, int]] = []
        for level, code in candidates:
            # a concept of another category counts through a cross-reference of this one (HPO "Short stature"
            # → MeSH's "Dwarfism" for a Disease mention)
            i = self._preferred_equivalent(code // 4, preference, allowed)
            if allowed is not None and not allowed & self._categories[i]:
                continue
            prefix, _, local = self.curies[i].partition(":")
            rank = preference.index(prefix) if prefix in preference else len(preference)
            kind = code % 4
            key = (kind != _CORPUS_NAME, rank, level == 2, i != code // 4, kind, level,
                   prefix == "MESH" and local.startswith("C"), i)
            ranked.append((key, level, code, i))
        if not ranked:
            return None
        _, level, code, i = min(ranked)
        return level, code, i

    def _preferred_equivalent(self, i: int, preference: tuple[str, ...],
                              allowed: frozenset[Category] | None) -> int:
        if not preference:
            return i
        prefix = self.curies[i].split(":", 1)[0]
        rank = preference.index(prefix) if prefix in preference else len(preference)
        best = i
        # two hops: DrugBank → ChEBI → MeSH
        for j in {k for h in self._equivalents.get(i, ()) for k in (h, *self._equivalents.get(h, ()))}:
            other = self.curies[j].split(":", 1)[0]
            if other in preference and preference.index(other) < rank and \
                    (allowed is None or allowed & self._categories[j]):
                best, rank = j, preference.index(other)
        return best


_LEVELS = ("normalized", "loose", "word-order")
_QUALIFIED = re.compile(r"^(.*\S) \([^()]+\)$")
"""A MeSH name with a trailing qualifier or expansion: "Ecstasy (Drug)", "TBI (Traumatic Brain Injury)"."""
_NAME, _SYNONYM, _CORPUS_NAME = 0, 1, 2
_DISEASE_LIKE = frozenset({Category.DISEASE, Category.PHENOTYPE})
_CHEMICAL_LIKE = frozenset({Category.CHEMICAL, Category.DRUG})
_FUZZY_GROUPS = (Category.DISEASE, Category.CHEMICAL, Category.GENE, Category.PHENOTYPE)
_FUZZY_GROUP_OF = {Category.DISEASE: Category.DISEASE, Category.CHEMICAL: Category.CHEMICAL,
                   Category.DRUG: Category.CHEMICAL, Category.GENE: Category.GENE,
                   Category.PHENOTYPE: Category.PHENOTYPE}


def _add(keys: dict[str, Any], key: str, code: int) -> None:
    old = keys.get(key)
    if old is None:
        keys[key] = code
    elif isinstance(old, int):
        if old != code:
            keys[key] = (old, code)
    elif code not in old:
        keys[key] = (*old, code)


def _as_tuple(codes: int | tuple[int, ...]) -> tuple[int, ...]:
    return (codes,) if isinstance(codes, int) else codes
