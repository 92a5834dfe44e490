"""Patient profile → differential diagnosis, candidate treatments and risk flags, each with its evidence.

A profile is free text in four parts: symptoms (with negations, as for ``kg query symptoms``), history (conditions),
current drugs, and genotypes (``CYP2D6*10``, ``CYP2C19*2/*2``). Lists are split at commas, semicolons and new lines.

Steps
    1. Differential: :class:`queries.symptoms.SymptomRanker` on the symptoms (its score and evidence unchanged).
    2. History conditions and current drugs are resolved to store entities: a CURIE as is, otherwise by exact
       (case-insensitive) name or synonym with ``entities_by_name`` (conditions: Disease and PhenotypicFeature;
       drugs: Drug and ChemicalEntity), then, when a normalization lexicon is given, by its exact/normalized match
       (brand names, synonyms the store lacks) if that entity is in the store. Unresolved items are reported with
       close names (difflib ratio ≥ 0.6, :class:`queries.close_names.CloseNames`).
       Genotypes are resolved with :class:`queries.gene_drugs.GeneDrugFinder` (star alleles kept).
       As for symptoms, only the first ``MAX_ITEMS`` items of each field are resolved and the first
       ``MAX_UNRECOGNIZED`` unrecognised ones listed; the report counts the others per field (``ignored``,
       ``unrecognized_omitted``).
    3. Candidate treatments: drugs with a ``treats`` edge to each of the ``top_diseases`` best diagnoses
       (``treatments_for_diseases``), ranked by edge strength (curated/text-mined noisy-OR, see gene_drugs).
    4. Risk flags, for the current drugs and the candidate treatments:
       * ``adverse_effect`` — the drug ``causes`` a condition of the history, a presenting symptom or a diagnosis
         of the differential (``drug_condition_edges``); for a current drug and a presenting symptom the flag says
         the drug may explain the symptom;
       * ``interaction`` — an ``interacts_with`` edge between a drug and a current drug (``drug_interactions``);
       * ``pharmacogenomic`` — a direct drug–gene edge between the drug and a gene of the genotype (any predicate:
         metabolism, inhibition, target binding, association), with the genotype in the message.
       Each flag carries the edge's strength, knowledge sources and PMIDs.

Privacy: the analysis only reads the store (the CLI opens it read-only) and logs nothing; a profile is never
written anywhere. Names from the profile do travel as query parameters, and the Neo4j driver's own DEBUG logging
(logger ``neo4j``) prints those: keep that logger at INFO or above where profiles are real patients.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from kg.provenance import TEXT_MINED_SOURCE, is_curated
from kg.store.base import GraphStore, Row
from queries.close_names import CloseNames
from queries.gene_drugs import GeneDrugFinder, GeneDrugsResult, edge_strength
from queries.resolve import NameResolver, Unrecognized, is_curie, lexicon_entity
from queries.symptom_text import MAX_ITEMS, MAX_UNRECOGNIZED
from queries.symptoms import SymptomRanker

CONDITION_CATEGORIES = ["Disease", "PhenotypicFeature"]
DRUG_CATEGORIES = ["Drug", "ChemicalEntity"]
_SPLIT = re.compile(r"[,;\n]+")


def split_list(text: str | Iterable[str] | None) -> list[str]:
    """``"asthma; type 2 diabetes, hypertension"`` → three items (a list is split item by item)."""
    if not text:
        return []
    parts = [text] if isinstance(text, str) else list(text)
    return [item.strip() for part in parts for item in _SPLIT.split(part) if item.strip()]


@dataclass(slots=True)
class PatientProfile:
    symptoms: str = ""
    history: list[str] = field(default_factory=list)
    drugs: list[str] = field(default_factory=list)
    genotypes: list[str] = field(default_factory=list)

    @classmethod
    def from_text(cls, symptoms: str = "", history: str = "", drugs: str = "", genotype: str = "") -> PatientProfile:
        return cls(symptoms.strip(), split_list(history), split_list(drugs), split_list(genotype))


@dataclass(slots=True)
class ResolvedItem:
    text: str
    id: str
    name: str
    category: str
    matched_by: str  # curie | name | synonym | lexicon


class Resolution(NamedTuple):
    resolved: list[ResolvedItem]
    unresolved: list[Unrecognized]
    omitted: int  # unresolved items after the first max_unrecognized, not listed


@dataclass(slots=True)
class TreatmentOption:
    drug_id: str
    drug_name: str
    strength: float
    sources: list[str]
    pmids: list[str]
    flags: list[str] = field(default_factory=list)  # kinds of risk flags raised for this drug


@dataclass(slots=True)
class Treatments:
    disease_id: str
    disease_name: str
    drugs: list[TreatmentOption]


@dataclass(slots=True)
class RiskFlag:
    kind: str  # adverse_effect | interaction | pharmacogenomic
    drug_id: str
    drug_name: str
    drug_role: str  # current | candidate
    about_id: str  # the condition, other drug or gene
    about_name: str
    message: str
    predicate: str
    strength: float
    sources: list[str]
    pmids: list[str]


@dataclass(slots=True)
class PatientReport:
    differential: dict[str, Any]
    history: list[ResolvedItem]
    drugs: list[ResolvedItem]
    genotypes: list[dict[str, Any]]
    unrecognized: dict[str, list[Unrecognized]]
    treatments: list[Treatments]
    risk_flags: list[RiskFlag]
    ignored: dict[str, int]  # field -> items after the first MAX_ITEMS, not analysed
    unrecognized_omitted: dict[str, int]  # field -> unrecognised items after the first MAX_UNRECOGNIZED, not listed

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _row_strength(row: Row, finder: GeneDrugFinder) -> float:
    curated = is_curated(row.get("knowledge_sources"), row.get("primary_knowledge_source"))
    return round(edge_strength(row.get("n_pmids"), row.get("best_score"), curated, finder.params), 4)


def _sources(row: Row) -> list[str]:
    return sorted(row.get("knowledge_sources") or [row.get("primary_knowledge_source") or TEXT_MINED_SOURCE])


class PatientAnalyzer:
    """Differential, treatments and risk flags for patient profiles, read from one store."""

    def __init__(self, store: GraphStore, ranker: SymptomRanker | None = None,
                 finder: GeneDrugFinder | None = None, lexicon: NameResolver | None = None) -> None:
        self.store = store
        self._ranker = ranker
        self.lexicon = lexicon
        self.finder = finder or GeneDrugFinder(store, lexicon=lexicon)
        self._names: dict[tuple[str, ...], tuple[dict[str, str], CloseNames]] = {}  # for close matches

    @cached_property
    def ranker(self) -> SymptomRanker:
        return self._ranker or SymptomRanker(self.store)

    def _names_of(self, categories: list[str]) -> tuple[dict[str, str], CloseNames]:
        """Lower-case name → id of every entity of the categories (the first id of a shared name), indexed for
        close matches; read once per analyzer and category list."""
        key = tuple(categories)
        if key not in self._names:
            names: dict[str, str] = {}
            for category in categories:
                skip, page = 0, 50_000
                while True:
                    rows = self.store.query("entities_by_category", category=category, skip=skip, limit=page)
                    for row in rows:
                        if row["name"]:
                            names.setdefault(row["name"].lower(), row["id"])
                    skip += len(rows)
                    if len(rows) < page:
                        break
            self._names[key] = names, CloseNames(names)
        return self._names[key]

    def _close_matches(self, item: str, categories: list[str]) -> list[dict[str, Any]]:
        names, close = self._names_of(categories)
        return [{"id": names[c], "name": c} for c in close.get_close_matches(item.lower(), n=5, cutoff=0.6)]

    def resolve(self, items: list[str], categories: list[str],
                max_unrecognized: int = MAX_UNRECOGNIZED) -> Resolution:
        """Items → entities of the categories (CURIE, name or synonym), and the first ``max_unrecognized`` of those
        that name none, with close names."""
        curies = [i for i in items if is_curie(i)]
        by_id = {r["id"]: r for r in self.store.query("entities_by_id", ids=curies)} if curies else {}
        texts = [i for i in items if not is_curie(i)]
        by_name: dict[str, list[Row]] = {}
        if texts:
            for row in self.store.query("entities_by_name", names=[t.lower() for t in texts], categories=categories):
                for text in {row["name"].lower() if row["name"] else "", *(s.lower() for s in row["synonyms"] or ())}:
                    by_name.setdefault(text, []).append(row)
        resolved: list[ResolvedItem] = []
        unresolved: list[Unrecognized] = []
        for item in items:
            found = self._resolved(item, by_id, by_name, categories)
            if found is not None:
                resolved.append(found)
            elif len(unresolved) < max_unrecognized:
                unresolved.append(self._unrecognized(item, categories))
        return Resolution(resolved, unresolved, len(items) - len(resolved) - len(unresolved))

    def _unrecognized(self, item: str, categories: list[str]) -> Unrecognized:
        kinds = " or ".join(categories)
        if is_curie(item):
            return Unrecognized(item, f"no {kinds} {item} in the store")
        return Unrecognized(item, f"no {kinds} named {item!r} in the store", self._close_matches(item, categories))

    def _resolved(self, item: str, by_id: dict[str, Row], by_name: dict[str, list[Row]],
                  categories: list[str]) -> ResolvedItem | None:
        """The entity ``item`` names: by CURIE, by name or synonym (``by_name``), else by the lexicon, or None."""
        if is_curie(item):
            row = by_id.get(item)
            if row and row["category"] in categories:
                return ResolvedItem(item, row["id"], row["name"] or row["id"], row["category"], "curie")
            return None
        rows = by_name.get(item.lower())
        if not rows:
            row = next((found for c in categories
                        if (found := lexicon_entity(self.store, self.lexicon, item, c, categories))), None)
            return None if row is None else ResolvedItem(item, row["id"], row["name"] or row["id"], row["category"],
                                                         "lexicon")
        rows = sorted(rows, key=lambda r: ((r["name"] or "").lower() != item.lower(),
                                           categories.index(r["category"]), r["id"]))
        row = rows[0]
        how = "name" if (row["name"] or "").lower() == item.lower() else "synonym"
        return ResolvedItem(item, row["id"], row["name"] or row["id"], row["category"], how)

    def _genotypes(self, texts: list[str]) -> tuple[list[GeneDrugsResult], int]:
        """Each genotype resolved, with close gene names for the first ``MAX_UNRECOGNIZED`` that name no gene, and
        how many more name none (left out of the list)."""
        results: list[GeneDrugsResult] = []
        unknown = omitted = 0
        for text in texts:
            result = self.finder.search(text, top=0, suggest=unknown < MAX_UNRECOGNIZED)
            if result.gene is None:
                unknown += 1
                if unknown > MAX_UNRECOGNIZED:
                    omitted += 1
                    continue
            results.append(result)
        return results, omitted

    def analyze(self, profile: PatientProfile, *, top: int = 10, top_diseases: int = 3,
                treatments_per_disease: int = 5) -> PatientReport:
        differential: dict[str, Any] = self.ranker.search(profile.symptoms, top=top) if profile.symptoms else {
            "query": "", "present": [], "absent": [], "unrecognized": [], "unrecognized_omitted": 0, "ignored": 0,
            "answers": []}
        history, bad_history, history_omitted = self.resolve(profile.history[:MAX_ITEMS], CONDITION_CATEGORIES)
        drugs, bad_drugs, drugs_omitted = self.resolve(profile.drugs[:MAX_ITEMS], DRUG_CATEGORIES)
        genotypes, genotypes_omitted = self._genotypes(profile.genotypes[:MAX_ITEMS])

        top_answers = differential["answers"][:top_diseases]
        treatments = self._treatments(top_answers, treatments_per_disease)
        current = {d.id: d.name for d in drugs}
        candidates = {o.drug_id: o.drug_name for t in treatments for o in t.drugs if o.drug_id not in current}
        conditions = {h.id: (h.name, "in the history") for h in history}
        conditions.update({t["term_id"]: (t["label"], "a presenting symptom") for t in differential["present"]})
        conditions.update({a["disease_id"]: (a["disease_name"], "in the differential") for a in top_answers})

        flags = self._adverse_effects(current, candidates, conditions)
        flags += self._interactions(current, candidates)
        flags += self._pharmacogenomic(current, candidates, genotypes)
        flags.sort(key=lambda f: (f.drug_role != "current", -f.strength, f.kind, f.drug_id, f.about_id))
        kinds: dict[str, set[str]] = {}
        for flag in flags:
            kinds.setdefault(flag.drug_id, set()).add(flag.kind)
        for treatment in treatments:
            for option in treatment.drugs:
                option.flags = sorted(kinds.get(option.drug_id, ()))
        return PatientReport(
            differential=differential, history=history, drugs=drugs,
            genotypes=[_genotype_summary(g) for g in genotypes],
            unrecognized={"history": bad_history, "drugs": bad_drugs},
            treatments=treatments, risk_flags=flags,
            ignored={"symptoms": differential["ignored"],
                     **{name: max(len(items) - MAX_ITEMS, 0) for name, items in
                        (("history", profile.history), ("drugs", profile.drugs), ("genotypes", profile.genotypes))}},
            unrecognized_omitted={"symptoms": differential["unrecognized_omitted"], "history": history_omitted,
                                  "drugs": drugs_omitted, "genotypes": genotypes_omitted},
        )

    def _treatments(self, answers: list[dict[str, Any]], per_disease: int) -> list[Treatments]:
        if not answers:
            return []
        rows = self.store.query("treatments_for_diseases", ids=[a["disease_id"] for a in answers])
        out = []
        for answer in answers:
            options = [TreatmentOption(r["drug_id"], r["drug_name"] or r["drug_id"], _row_strength(r, self.finder),
                                       _sources(r), list(r["pmids"] or []))
                       for r in rows if r["disease_id"] == answer["disease_id"]]
            options.sort(key=lambda o: (-o.strength, o.drug_id))
            out.append(Treatments(answer["disease_id"], answer["disease_name"], options[:per_disease]))
        return out

    def _adverse_effects(self, current: dict[str, str], candidates: dict[str, str],
                         conditions: dict[str, tuple[str, str]]) -> list[RiskFlag]:
        drugs = {**candidates, **current}
        if not drugs or not conditions:
            return []
        flags = []
        for row in self.store.query("drug_condition_edges", ids=sorted(drugs), condition_ids=sorted(conditions)):
            role = "current" if row["drug_id"] in current else "candidate"
            name, where = conditions[row["condition_id"]]
            drug = row["drug_name"] or row["drug_id"]
            message = f"{drug} is reported to cause {name} ({where})"
            if role == "current" and where == "a presenting symptom":
                message += "; the current drug may explain the symptom"
            flags.append(RiskFlag("adverse_effect", row["drug_id"], drug, role, row["condition_id"], name, message,
                                  row["predicate"], _row_strength(row, self.finder), _sources(row),
                                  list(row["pmids"] or [])))
        return flags

    def _interactions(self, current: dict[str, str], candidates: dict[str, str]) -> list[RiskFlag]:
        if not current:
            return []
        flags, seen = [], set()
        drugs = {**candidates, **current}
        for row in self.store.query("drug_interactions", ids=sorted(drugs), other_ids=sorted(current)):
            a, b = row["drug_id"], row["other_id"]
            if a == b or frozenset((a, b)) in seen:
                continue
            seen.add(frozenset((a, b)))
            role = "current" if a in current else "candidate"
            drug, other = row["drug_name"] or a, row["other_name"] or b
            flags.append(RiskFlag("interaction", a, drug, role, b, other,
                                  f"{drug} interacts with the current drug {other}", row["predicate"],
                                  _row_strength(row, self.finder), _sources(row), list(row["pmids"] or [])))
        return flags

    def _pharmacogenomic(self, current: dict[str, str], candidates: dict[str, str],
                         genotypes: list[GeneDrugsResult]) -> list[RiskFlag]:
        drugs = {**candidates, **current}
        flags = []
        for result in genotypes:
            if result.gene is None:
                continue
            gene = result.gene
            label = f"{gene.name}{result.genotype}" if result.genotype else gene.name
            for drug_id, (name, paths) in sorted(self.finder.paths(gene.id).items()):
                if drug_id not in drugs:
                    continue
                for path in (p for p in paths if p.kind == "direct"):
                    edge = path.edges[0]
                    role = "current" if drug_id in current else "candidate"
                    drug = name or drugs[drug_id]
                    flags.append(RiskFlag(
                        "pharmacogenomic", drug_id, drug, role, gene.id, gene.name,
                        f"{drug} {path.type.replace('_', ' ')} {gene.name}" if edge.subject == drug_id else
                        f"{gene.name} {path.type.replace('_', ' ')} {drug}",
                        path.type, round(edge.strength, 4), sorted(edge.knowledge_sources), edge.pmids))
                    flags[-1].message += f": genotype {label} may change its effect or exposure"
        return flags


def _genotype_summary(result: GeneDrugsResult) -> dict[str, Any]:
    return {"query": result.query, "gene": asdict(result.gene) if result.gene else None,
            "alleles": result.alleles, "genotype": result.genotype,
            "unrecognized": asdict(result.unrecognized) if result.unrecognized else None,
            "n_linked_drugs": result.n_drugs}
