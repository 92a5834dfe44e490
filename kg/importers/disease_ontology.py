"""Import the Disease Ontology: diseases with their cross-references, and their symptoms normalized to HPO.

Read from the shared data folder (the root holding ``kb/``): ``kb/disease_ontology/doid.obo.gz`` (or ``doid.obo``)
and, when present, two of its DO report tables:

* ``DOreports/allXREFinDO.tsv`` — the cross-references (:class:`kg.crosswalk.DiseaseCrosswalk`), so that a DO
  disease gets the node the other curated importers give it; without the table the OBO file's own ``xref:`` lines
  are used with the same rules;
* ``DOreports/DO-subClassOf-anonymous.tsv`` — the term's logical axioms, of which ``'has symptom' some X`` (X a
  Symptom Ontology name) and ``'has phenotype' some X`` (X an HPO name) are read.

What is written, all curated (``primary_knowledge_source: infores:doid``; the store gives curated edges
``knowledge_level: knowledge_assertion`` and ``agent_type: manual_agent``):

* every non-obsolete DO term as ``Disease``. Its node is the one the same disease has in the other sources: the
  OMIM/Orphanet diseases the DO maps it to (at most ``kg.crosswalk.MAX_CROSSWALK``, as HPO's annotations name
  them), else its single MeSH descriptor (as medkg's NER, DrugCentral and Hetionet name it), else the DOID. A node
  that is already stored keeps its name (HPO's name for an OMIM disease); a new one gets the DO label and, when it
  is the DOID's own node, its EXACT synonyms;
* ``disease -has_phenotype-> phenotype`` for each symptom the DO states — ``has_symptom`` in the term's
  definition ("… The infection has_symptom fever, has_symptom cough …") and the two axioms above — normalized to
  HPO by medkg's own symptom parser and lexicon (:func:`queries.symptom_text.parse_symptoms`: clause and item
  splitting, negation, exact names and synonyms, then character n-gram nearest names at the symptom questions'
  threshold). Phrases that do not normalize are counted and listed in the summary, not written.

Re-running the import changes nothing (entities and edges are upserted by key and skipped when already stored).
"""

from __future__ import annotations

import gzip
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.crosswalk import DO_XREFS, MAX_CROSSWALK, DiseaseCrosswalk
from kg.importers.curated import Progress, batched, changed_entities, store_delta, write_curated
from kg.schema import Category, Entity, Predicate
from kg.store.base import GraphStore
from kg.tsv import data_rows

DO_SOURCE = "infores:doid"
DO_DIR = Path("kb/disease_ontology")
DO_OBO_NAMES = ("doid.obo.gz", "doid.obo")
DO_AXIOMS = DO_DIR / "DOreports" / "DO-subClassOf-anonymous.tsv"
MAX_LISTED = 50  # unnormalized phrases listed in the summary

# "has_symptom", also written "has _symptom" and "has symptom" in a few definitions
_HAS_SYMPTOM = re.compile(r"\bhas[ _]+_?symptoms?\b\s*", re.IGNORECASE)
# Where a has_symptom phrase ends: another relation of the definition, or the end of the sentence.
_PHRASE_END = re.compile(
    r"\.\s|\.$|;|\b(?:results?_in\w*|has_material_basis_in|located_in|transmitted_by|derives_from|"
    r"has_material|which is|which are|and is|and has_material_basis_in|caused by|characterized by)\b",
    re.IGNORECASE)
_AXIOM = re.compile(r"'has (symptom|phenotype)' some (?:'([^']+)'|([\w-]+))")


@dataclass(frozen=True, slots=True)
class DoTerm:
    id: str
    name: str
    definition: str = ""
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    obsolete: bool = False


def parse_do_obo(path: Path) -> tuple[dict[str, DoTerm], str]:
    """The ``[Term]`` stanzas of a Disease Ontology OBO file (gzipped or not) and its data version."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return parse_do_lines(fh)


def parse_do_lines(lines: Iterable[str]) -> tuple[dict[str, DoTerm], str]:
    terms: dict[str, DoTerm] = {}
    version = ""
    current: dict[str, Any] | None = None

    def finish() -> None:
        if current and current.get("id", "").startswith("DOID:"):
            terms[current["id"]] = DoTerm(current["id"], current.get("name", ""), current.get("def", ""),
                                          tuple(dict.fromkeys(current["synonyms"])), tuple(current["xrefs"]),
                                          tuple(current["parents"]), current.get("obsolete", False))

    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith("["):
            finish()
            current = {"synonyms": [], "xrefs": [], "parents": []} if line.strip() == "[Term]" else None
            continue
        if current is None:
            if line.startswith("data-version:"):
                parts = line.split(":", 1)[1].strip().split("/")
                version = parts[-2] if len(parts) > 1 and parts[-1].endswith(".obo") else parts[-1]
            continue
        tag, sep, value = line.partition(": ")
        if not sep:
            continue
        value = value.strip()
        if tag == "id":
            current["id"] = value
        elif tag == "name":
            current["name"] = value
        elif tag == "def" and value.startswith('"'):
            current["def"] = _quoted(value)
        elif tag == "synonym" and value.startswith('"'):
            if value[len(_quoted(value)) + 2:].split()[:1] == ["EXACT"]:
                current["synonyms"].append(_quoted(value))
        elif tag == "xref":
            current["xrefs"].append(value.split()[0])
        elif tag == "is_a":
            current["parents"].append(value.split("!", 1)[0].strip())
        elif tag == "is_obsolete":
            current["obsolete"] = value == "true"
    finish()
    return terms, version


def _quoted(value: str) -> str:
    """The text of a leading OBO quoted string (``\\"`` escapes kept as quotes)."""
    out, i = [], 1
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
            continue
        if ch == '"':
            break
        out.append(ch)
        i += 1
    return "".join(out)


def has_symptom_phrases(definition: str) -> list[str]:
    """The phrases that follow ``has_symptom`` in a DO definition, up to the next relation or sentence end."""
    parts = _HAS_SYMPTOM.split(definition)
    phrases = []
    for part in parts[1:]:
        end = _PHRASE_END.search(part)
        phrase = (part[: end.start()] if end else part).strip(" ,")
        phrase = re.sub(r"(?:,\s*)?\band\s*$", "", phrase).strip(" ,")
        if phrase:
            phrases.append(phrase)
    return phrases


def read_axioms(path: Path) -> dict[str, list[tuple[str, str]]]:
    """DOID → [("symptom" | "phenotype", name)] from the DO report of anonymous superclasses (empty if absent)."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if not path.is_file():
        return found
    for _, (doid, _label, axioms, *_) in data_rows(path, 3, []):
        for kind, quoted, bare in _AXIOM.findall(axioms):
            found[doid].append((kind, quoted or bare))
    return found


def crosswalk_from_terms(terms: dict[str, DoTerm]) -> DiseaseCrosswalk:
    """The crosswalk rules of :meth:`DiseaseCrosswalk.read` applied to the OBO file's own ``xref:`` lines."""
    mesh: dict[str, set[str]] = defaultdict(set)
    rare: dict[str, set[str]] = defaultdict(set)
    for term in terms.values():
        for xref in term.xrefs:
            prefix, _, local = xref.partition(":")
            if prefix == "MESH" and local.startswith("D"):
                mesh[term.id].add(xref)
            elif prefix in ("OMIM", "MIM") and local.isdigit():
                rare[term.id].add(f"OMIM:{local}")
            elif prefix == "ORDO" and local.isdigit():
                rare[term.id].add(f"ORPHA:{local}")
    return DiseaseCrosswalk({d: next(iter(m)) for d, m in mesh.items() if len(m) == 1},
                            {d: sorted(r) for d, r in rare.items() if len(r) <= MAX_CROSSWALK},
                            {t.id: t.name for t in terms.values()})


def do_obo_path(data: Path) -> Path:
    """``doid.obo.gz`` (or ``doid.obo``) under ``data`` given as the shared data root or as the DO folder."""
    data = Path(data)
    for folder in (data / DO_DIR, data):
        for name in DO_OBO_NAMES:
            if (folder / name).is_file():
                return folder / name
    raise FileNotFoundError(f"no {' or '.join(DO_OBO_NAMES)} in {data / DO_DIR} or {data}; pass the shared data "
                            "folder (--data or KG_SHARED_DATA)")


@dataclass(slots=True)
class Statement:
    """One symptom the DO states for a term, and what medkg read it as."""

    doid: str
    origin: str  # definition | axiom:symptom | axiom:phenotype
    text: str
    term_id: str = ""
    label: str = ""
    method: str = ""


@dataclass(slots=True)
class DiseaseOntologySummary:
    do_version: str = ""
    terms: int = 0
    diseases: int = 0
    diseases_with_symptoms: int = 0
    statements: dict[str, int] = field(default_factory=dict)
    normalized: dict[str, int] = field(default_factory=dict)
    by_method: dict[str, int] = field(default_factory=dict)
    has_phenotype: int = 0
    nodes: dict[str, int] = field(default_factory=dict)  # node prefix -> DO terms written onto such nodes
    unnormalized: list[str] = field(default_factory=list)
    seconds: float = 0.0
    store_delta: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DiseaseOntologyTables:
    """What the import writes, read from the files (kept apart from writing so that it can be inspected)."""

    version: str
    terms: dict[str, DoTerm]
    nodes: dict[str, list[str]]  # DOID -> its node(s)
    statements: list[Statement]
    edges: set[tuple[str, str]]


_STOP = frozenset({"a", "an", "the", "of", "in", "on", "at", "to", "by", "for", "from", "with", "and", "or", "its",
                   "their"})
_POLARITY = frozenset({"non", "no", "not", "without", "decreased", "reduced", "absent", "absence", "lack",
                       "diminished", "less", "increased"})
"""Words that turn a phrase around ("non-productive cough", "decreased tearing"): the name must say them too."""


def _words(text: str) -> set[str]:
    words = set()
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w not in _STOP:
            words.add(w[:-1] if len(w) > 3 and w.endswith("s") else w)
    return words


def no_wider_than_phrase(phrase: str, term_id: str, ontology: Any) -> bool:
    """Whether some name of the term says nothing the phrase does not: each of its words is in the phrase.

    Guards the nearest-name matches that become curated edges: "severe diarrhea" → Diarrhea and "muscle aches" →
    Myalgia (synonym "Muscle ache") pass; "redness" → Fatigue (by the characters of "Tiredness"), "fibrosis" →
    Renal fibrosis and "non-productive cough" → Productive cough do not.
    """
    term = ontology.terms[term_id]
    words = _words(phrase)
    polarity = words & _POLARITY
    return any(_words(name) <= words and polarity <= _words(name)
               for name in (term.name, *term.synonyms, *term.broad_synonyms))


def normalize_statements(statements: list[Statement], lexicon: Any) -> None:
    """Fill each statement's HPO term from medkg's symptom parser (a phrase may yield several; the first is kept
    on the statement and the others are added as statements of their own). A nearest-name (fuzzy) match is only
    kept when :func:`no_wider_than_phrase` holds: these become curated edges."""
    from queries.symptom_text import parse_symptoms

    extra = []
    cache: dict[str, list[Any]] = {}
    for st in statements:
        if st.text not in cache:
            cache[st.text] = [t for t in parse_symptoms(st.text, lexicon).present
                              if t.method != "fuzzy" or no_wider_than_phrase(t.text, t.term_id, lexicon.ontology)]
        for i, term in enumerate(cache[st.text]):
            target = st if i == 0 else Statement(st.doid, st.origin, st.text)
            target.term_id, target.label, target.method = term.term_id, term.label, term.method
            if i:
                extra.append(target)
    statements.extend(extra)


def read_disease_ontology(data: Path, lexicon: Any = None, obo: Path | None = None) -> DiseaseOntologyTables:
    """Parse the DO files under ``data`` (or the OBO file ``obo``) and normalize the symptoms with ``lexicon``
    (default: the HPO lexicon of the symptom questions)."""
    obo = obo or do_obo_path(data)
    terms, version = parse_do_obo(obo)
    root = Path(data) if data is not None else obo.parent
    xref_table = root / DO_XREFS
    crosswalk = DiseaseCrosswalk.read(xref_table) if xref_table.is_file() else crosswalk_from_terms(terms)
    axioms = read_axioms(root / DO_AXIOMS)
    live = {d: t for d, t in terms.items() if not t.obsolete}
    nodes = {d: list(crosswalk.rare.get(d) or [crosswalk.node(d)]) for d in sorted(live)}
    statements = []
    for doid, term in sorted(live.items()):
        statements += [Statement(doid, "definition", p) for p in has_symptom_phrases(term.definition)]
        statements += [Statement(doid, f"axiom:{kind}", name) for kind, name in axioms.get(doid, ())]
    if lexicon is None:
        from kg.ontology import load_ontology
        from queries.symptom_text import Lexicon

        lexicon = Lexicon(load_ontology())
    normalize_statements(statements, lexicon)
    edges = {(node, st.term_id) for st in statements if st.term_id for node in nodes[st.doid]}
    return DiseaseOntologyTables(version, terms, nodes, statements, edges)


def import_disease_ontology(store: GraphStore, data: Path, *, lexicon: Any = None, obo: Path | None = None,
                            batch_size: int = 20_000, progress: Progress | None = None) -> DiseaseOntologySummary:
    """Write DO diseases and their HPO-normalized symptoms into ``store`` (idempotent; stored names are kept)."""
    started = time.perf_counter()
    tables = read_disease_ontology(data, lexicon, obo)
    before = store.stats().as_dict()
    entities: dict[str, Entity] = {}
    for doid, node_ids in tables.nodes.items():
        term = tables.terms[doid]
        for node in node_ids:
            synonyms = tuple(s for s in term.synonyms if s != term.name) if node == doid else ()
            entities.setdefault(node, Entity(node, Category.DISEASE, term.name, synonyms))
    ordered = sorted(entities.values(), key=lambda e: e.id)
    stored = {row["id"] for row in store.query("entities_by_id", ids=[e.id for e in ordered])}
    new = [e for e in ordered if e.id not in stored]
    batched(store.upsert_entities, changed_entities(store, new), batch_size, "entities", progress)
    # phenotypes not yet in the graph (imported without `kg import hpo`, or a term HPO's annotations do not use)
    from kg.ontology import load_ontology

    ontology = load_ontology()
    phenotype_ids = sorted({p for _, p in tables.edges})
    stored_p = {row["id"] for row in store.query("entities_by_id", ids=phenotype_ids)}
    phenotypes = [Entity(p, Category.PHENOTYPE, ontology.terms[p].name,
                         tuple(s for s in ontology.terms[p].synonyms if s != ontology.terms[p].name))
                  for p in phenotype_ids if p not in stored_p and p in ontology.terms]
    batched(store.upsert_entities, phenotypes, batch_size, "phenotypes", progress)
    write_curated(store, Predicate.HAS_PHENOTYPE, sorted(tables.edges), DO_SOURCE, batch_size, progress)
    store.flush()

    st = tables.statements
    with_symptoms = {s.doid for s in st if s.term_id}
    unnormalized = sorted({f"{s.doid} {s.text}" for s in st if not s.term_id})
    return DiseaseOntologySummary(
        do_version=tables.version, terms=len(tables.terms), diseases=len(tables.nodes),
        diseases_with_symptoms=len(with_symptoms),
        statements=dict(Counter(s.origin for s in st)),
        normalized=dict(Counter(s.origin for s in st if s.term_id)),
        by_method=dict(Counter(s.method for s in st if s.term_id)),
        has_phenotype=len(tables.edges),
        nodes=dict(Counter(n.split(":", 1)[0] for d in with_symptoms for n in tables.nodes[d])),
        unnormalized=unnormalized[:MAX_LISTED], seconds=round(time.perf_counter() - started, 2),
        store_delta=store_delta(before, store.stats().as_dict()))
