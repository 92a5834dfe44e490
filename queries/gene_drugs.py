"""Gene → drugs: resolve a gene (CURIE, symbol or star allele), collect typed paths to drugs, score them, with evidence.

Input
    ``NCBIGene:1565`` (any CURIE of a ``Gene`` entity), a symbol or synonym (``CYP2D6``, ``egfr``; matched
    case-insensitively against the names and synonyms of the store's Gene entities, read once per finder with
    ``entities_by_category``), or a star allele / diplotype (``CYP2D6*10``, ``CYP2C19*2/*3``, ``HLA-B*57:01``):
    the gene part is resolved as a symbol and the alleles are kept in the answer.
    Optionally (``lexicon``: the normalization
    lexicon of ``extractors.normalize``, HGNC aliases, previous symbols and full names), a name the store does not
    know is looked up there and accepted when the gene it gives is in the store. Text that names no gene is answered
    with what was not recognised and the closest gene names in the store (difflib ratio ≥ 0.6), never an exception.

Paths
    *direct*       chemical –P→ gene or gene –P→ chemical (``chemicals_for_gene``, ``chemicals_from_gene``), typed by
                   the predicate P (binding, activity/expression changes, affects, associations);
    *via_disease*  gene –P– disease ←treats– drug (``gene_disease_drug_paths``): the drug treats a disease the gene
                   is linked to; typed as ``P/treats``.

Scoring (``GeneDrugParams``)
    Each edge e gets a support strength in [0, 1] that combines curated and text-mined support as a noisy-OR:

        strength(e) = 1 - (1 - curated_strength * [e has a curated source]) * (1 - text(e))
        text(e)     = best_score(e) * (1 - exp(-n_pmids(e) / pmid_scale))      (distinct PMIDs, saturating)

    direct path:       score = predicate_weight(P) * strength(e) * n_genes(drug) ** -selectivity_exponent
                       (n_genes = genes the drug is linked to by any edge: a drug acting on one gene says more
                       about it than a multi-target one — the analogue of the symptom ranking's hub penalty)
    via_disease path:  score = hop_weight * strength(gene–disease) * strength(treats) / (1 + ln n_drugs(disease))
                       (n_drugs = drugs reached through that disease: a disease treated by everything says little
                       about the gene)
    drug:              score = 1 - prod over its paths (1 - path score)                (independent paths add up)

    Predicate weights: mechanistic edges (activity/expression changes, physical interaction) 1.0; ``affects`` and
    ``interacts_with`` 0.8; associations/correlations 0.6; anything else 0.5. Defaults: curated_strength 0.9,
    pmid_scale 2, hop_weight 0.5, selectivity_exponent 0.25 (as the symptom ranking's hub_exponent) — set by hand,
    not fitted (PharmGKB levels 1A/1B are the evaluation, see ``queries/gene_drug_evaluation.py``). Ties are broken
    by drug id, so rankings are deterministic.

    Support from ``excluded_sources`` is ignored (an edge with nothing else is dropped): the PharmGKB evaluation
    excludes ``infores:pharmgkb``, its own gold standard.

Evidence
    Every path lists its edges with predicate, PMIDs, best score and knowledge sources
    (``primary_knowledge_source`` tells curated from text-mined support); for the returned drugs, text-mined edges
    carry up to ``evidence_per_edge`` supporting sentences from ``evidence_for_edges`` (one query for all of them).
"""

from __future__ import annotations

import difflib
import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Protocol

from kg.schema import TEXT_MINED_SOURCE, edge_key
from kg.store.base import GraphStore, Row

GENE_CATEGORIES = ["Gene"]
MECHANISTIC = ("increases_activity_of", "decreases_activity_of", "increases_expression_of",
               "decreases_expression_of", "physically_interacts_with")
PREDICATE_WEIGHTS: dict[str, float] = {
    **dict.fromkeys(MECHANISTIC, 1.0),
    "affects": 0.8, "interacts_with": 0.8,
    "associated_with": 0.6, "gene_associated_with_condition": 0.6,
    "positively_correlated_with": 0.6, "negatively_correlated_with": 0.6,
}
DEFAULT_PREDICATE_WEIGHT = 0.5

_CURIE = re.compile(r"^[A-Za-z][\w.]*:\S+$")
_STAR_ALLELE = re.compile(
    r"^(?P<gene>[A-Za-z][A-Za-z0-9 -]*?)\s*(?P<alleles>\*\s*[0-9A-Za-z:.]+(?:\s*/\s*\*?\s*[0-9A-Za-z:.]+)*)$")


@dataclass(frozen=True, slots=True)
class GeneDrugParams:
    curated_strength: float = 0.9
    pmid_scale: float = 2.0
    hop_weight: float = 0.5
    evidence_per_edge: int = 2
    max_paths: int = 5
    excluded_sources: tuple[str, ...] = ()  # knowledge sources to ignore (the evaluation's gold source)
    selectivity_exponent: float = 0.25


# ---- input -----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GeneQuery:
    """What the user typed, split into the gene part and star alleles (``CYP2C19*2/*3`` → ``["*2", "*3"]``)."""

    text: str
    gene_text: str
    alleles: tuple[str, ...] = ()

    @property
    def genotype(self) -> str:
        return "/".join(self.alleles)


def parse_gene_query(text: str) -> GeneQuery:
    text = text.strip()
    match = _STAR_ALLELE.match(text)
    if not match or _CURIE.match(text):
        return GeneQuery(text, text)
    alleles = tuple("*" + a.strip().lstrip("*").strip() for a in match["alleles"].split("/"))
    return GeneQuery(text, match["gene"], alleles)


@dataclass(slots=True)
class ResolvedGene:
    id: str
    name: str
    matched_by: str  # curie | name | synonym | lexicon
    alternatives: list[dict[str, str]] = field(default_factory=list)  # other genes with the same name/synonym


@dataclass(slots=True)
class Unrecognized:
    text: str
    reason: str
    close_matches: list[dict[str, Any]]


# ---- answers ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class EdgeSupport:
    subject: str
    predicate: str
    object: str
    strength: float
    n_pmids: int
    best_score: float
    pmids: list[str]
    primary_knowledge_source: str
    knowledge_sources: list[str]
    sentences: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return edge_key(self.subject, self.predicate, self.object)


@dataclass(slots=True)
class DrugPath:
    kind: str  # direct | via_disease
    type: str  # the predicate, or "<gene–disease predicate>/treats"
    score: float
    edges: list[EdgeSupport]
    disease_id: str = ""
    disease_name: str = ""


@dataclass(slots=True)
class DrugAnswer:
    drug_id: str
    drug_name: str
    score: float
    parts: dict[str, float]
    paths: list[DrugPath]
    sources: list[str]
    pmids: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class GeneDrugsResult:
    query: str
    gene: ResolvedGene | None
    alleles: list[str]
    genotype: str
    unrecognized: Unrecognized | None
    n_drugs: int
    answers: list[DrugAnswer]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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


# ---- scoring ---------------------------------------------------------------------------------------------
def is_curated(sources: list[str] | None, primary: str | None) -> bool:
    return bool(primary and primary != TEXT_MINED_SOURCE) or any(s != TEXT_MINED_SOURCE for s in sources or ())


def edge_strength(n_pmids: int | None, best_score: float | None, curated: bool, params: GeneDrugParams) -> float:
    """Noisy-OR of curated support and saturating text-mined support (see the module docstring)."""
    text = (best_score or 0.0) * (1.0 - math.exp(-(n_pmids or 0) / params.pmid_scale))
    return 1.0 - (1.0 - (params.curated_strength if curated else 0.0)) * (1.0 - text)


def _support(row: Row, subject: str, object_: str, params: GeneDrugParams) -> EdgeSupport | None:
    """The edge with its strength, counting only sources not excluded (None when none is left)."""
    primary = row.get("primary_knowledge_source") or TEXT_MINED_SOURCE
    sources = [s for s in row.get("knowledge_sources") or [primary] if s not in params.excluded_sources]
    if not sources:
        return None
    if primary in params.excluded_sources:
        primary = next((s for s in sources if s != TEXT_MINED_SOURCE), sources[0])
    # n_pmids and best_score only ever come from text mining.
    mined = TEXT_MINED_SOURCE in sources
    n_pmids, best = (row.get("n_pmids") or 0, row.get("best_score") or 0.0) if mined else (0, 0.0)
    strength = edge_strength(n_pmids, best, is_curated(sources, primary), params)
    return EdgeSupport(subject, row["predicate"], object_, strength, n_pmids, round(best, 4),
                       list(row.get("pmids") or []) if mined else [], primary, sources)


def _edge_columns(row: Row, prefix: str, predicate: str) -> Row:
    """One edge's columns out of a path row (``treats_n_pmids`` → ``n_pmids``)."""
    return {"predicate": predicate, "n_pmids": row[f"{prefix}_n_pmids"], "pmids": row[f"{prefix}_pmids"],
            "best_score": row[f"{prefix}_score"], "primary_knowledge_source": row[f"{prefix}_source"],
            "knowledge_sources": row[f"{prefix}_sources"]}


class GeneDrugFinder:
    """Answers gene → drug questions on one store (read-only; nothing is written)."""

    def __init__(self, store: GraphStore, params: GeneDrugParams | None = None,
                 lexicon: NameResolver | None = None) -> None:
        self.store = store
        self.params = params or GeneDrugParams()
        self.lexicon = lexicon

    @cached_property
    def genes(self) -> list[Row]:
        """Every Gene entity (id, name, synonyms) in id order, read once per finder: like the symptom ranker's
        statistics, a finder does not see genes written after its first question."""
        genes: list[Row] = []
        page = 50_000
        while True:
            rows = self.store.query("entities_by_category", category="Gene", skip=len(genes), limit=page)
            genes += rows
            if len(rows) < page:
                return genes

    @cached_property
    def gene_names(self) -> dict[str, str]:
        """Upper-case name → gene id of every Gene entity (for close matches of unrecognised input)."""
        names: dict[str, str] = {}
        for row in self.genes:
            if row["name"]:
                names.setdefault(row["name"].upper(), row["id"])
        return names

    @cached_property
    def name_index(self) -> dict[str, list[Row]]:
        """Lower-case name or synonym → the genes that have it, in id order (what ``entities_by_name`` answers for
        Gene, without scanning every entity per question)."""
        index: dict[str, list[Row]] = defaultdict(list)
        for row in self.genes:
            entity = {"id": row["id"], "category": "Gene", "name": row["name"], "synonyms": row["synonyms"]}
            for key in dict.fromkeys(n.lower() for n in [row["name"], *(row["synonyms"] or [])] if n):
                index[key].append(entity)
        return dict(index)

    # ---- resolution ----------------------------------------------------------------------------------
    def resolve(self, text: str) -> tuple[GeneQuery, ResolvedGene | None, Unrecognized | None]:
        """The parsed input and either the gene it names or why it was not recognised."""
        query = parse_gene_query(text)
        if not query.gene_text:
            return query, None, Unrecognized(text, "empty gene query", [])
        if _CURIE.match(query.gene_text):
            rows = self.store.query("entities_by_id", ids=[query.gene_text])
            if rows and rows[0]["category"] in GENE_CATEGORIES:
                return query, ResolvedGene(rows[0]["id"], rows[0]["name"] or rows[0]["id"], "curie"), None
            reason = f"{query.gene_text} is a {rows[0]['category']}, not a gene" if rows \
                else f"no entity {query.gene_text} in the store"
            return query, None, Unrecognized(text, reason, [])
        wanted = query.gene_text.lower()
        rows = list(self.name_index.get(wanted, ()))
        if not rows:
            by_lexicon = lexicon_entity(self.store, self.lexicon, query.gene_text, "Gene", GENE_CATEGORIES)
            if by_lexicon:
                return query, ResolvedGene(by_lexicon["id"], by_lexicon["name"] or by_lexicon["id"], "lexicon"), None
            return query, None, Unrecognized(text, f"no gene named {query.gene_text!r} in the store",
                                             self.close_matches(query.gene_text))
        rows.sort(key=lambda r: ((r["name"] or "").lower() != wanted, not r["id"].startswith("NCBIGene:"), r["id"]))
        best = rows[0]
        matched_by = "name" if (best["name"] or "").lower() == wanted else "synonym"
        others = [{"id": r["id"], "name": r["name"]} for r in rows[1:]]
        return query, ResolvedGene(best["id"], best["name"] or best["id"], matched_by, others), None

    def close_matches(self, text: str, n: int = 5) -> list[dict[str, Any]]:
        names = self.gene_names
        found = difflib.get_close_matches(text.upper(), list(names), n=n, cutoff=0.6)
        return [{"id": names[name], "name": name,
                 "similarity": round(difflib.SequenceMatcher(None, text.upper(), name).ratio(), 3)}
                for name in found]

    # ---- paths ---------------------------------------------------------------------------------------
    def paths(self, gene_id: str) -> dict[str, tuple[str, list[DrugPath]]]:
        """drug id → (drug name, every scored path from the gene to it)."""
        p = self.params
        found: dict[str, tuple[str, list[DrugPath]]] = {}

        def add(drug_id: str, name: str | None, path: DrugPath) -> None:
            previous = found.setdefault(drug_id, (name or "", []))
            if not previous[0] and name:
                found[drug_id] = (name, previous[1])
            found[drug_id][1].append(path)

        for query, reverse in (("chemicals_for_gene", False), ("chemicals_from_gene", True)):
            for row in self.store.query(query, ids=[gene_id]):
                drug = row["chemical_id"]
                edge = _support(row, gene_id, drug, p) if reverse else _support(row, drug, gene_id, p)
                if edge is not None:
                    weight = PREDICATE_WEIGHTS.get(row["predicate"], DEFAULT_PREDICATE_WEIGHT)
                    add(drug, row["chemical_name"],
                        DrugPath("direct", row["predicate"], weight * edge.strength, [edge]))

        self._apply_selectivity(found)
        two_hop = []
        for row in self.store.query("gene_disease_drug_paths", ids=[gene_id]):
            link = _support(_edge_columns(row, "gene_disease", row["gene_disease_predicate"]), gene_id,
                            row["disease_id"], p)
            treats = _support(_edge_columns(row, "treats", "treats"), row["drug_id"], row["disease_id"], p)
            if link is not None and treats is not None:
                two_hop.append((row, link, treats))
        fan_out: dict[str, set[str]] = defaultdict(set)
        for row, _, _ in two_hop:
            fan_out[row["disease_id"]].add(row["drug_id"])
        for row, link, treats in two_hop:
            disease = row["disease_id"]
            score = p.hop_weight * link.strength * treats.strength / (1.0 + math.log(len(fan_out[disease])))
            add(row["drug_id"], row["drug_name"], DrugPath("via_disease", f"{link.predicate}/treats", score,
                                                           [link, treats], disease, row["disease_name"] or ""))
        return found

    def _apply_selectivity(self, found: dict[str, tuple[str, list[DrugPath]]]) -> None:
        """Scale direct paths by how many genes their drug is linked to (see the module docstring)."""
        exponent = self.params.selectivity_exponent
        if not found or exponent == 0:
            return
        genes: dict[str, set[str]] = defaultdict(set)
        for row in self.store.query("chemical_gene_links", ids=sorted(found)):
            sources = row["knowledge_sources"] or [TEXT_MINED_SOURCE]
            if any(s not in self.params.excluded_sources for s in sources):
                genes[row["chemical_id"]].add(row["gene_id"])
        for drug_id, (_, paths) in found.items():
            factor = max(len(genes.get(drug_id, ())), 1) ** -exponent
            for path in paths:
                path.score *= factor

    def rank(self, gene_id: str, top: int = 10) -> tuple[int, list[DrugAnswer]]:
        """How many drugs are linked to the gene, and the best ``top`` with their paths and evidence."""
        answers = []
        for drug_id, (name, paths) in self.paths(gene_id).items():
            paths.sort(key=lambda x: (-x.score, x.kind, x.type, x.disease_id))
            miss = 1.0
            for path in paths:
                miss *= 1.0 - path.score
            direct = [x.score for x in paths if x.kind == "direct"]
            via = [x.score for x in paths if x.kind == "via_disease"]
            parts = {"direct": round(max(direct, default=0.0), 4), "via_disease": round(max(via, default=0.0), 4),
                     "n_direct": len(direct), "n_via_disease": len(via)}
            for path in paths:  # rounded for output only, after the drug score is computed
                path.score = round(path.score, 4)
                for edge in path.edges:
                    edge.strength = round(edge.strength, 4)
            edges = [e for x in paths for e in x.edges]
            sources = sorted({s for e in edges for s in (e.knowledge_sources or [e.primary_knowledge_source])})
            pmids = sorted({pm for e in edges for pm in e.pmids}, key=lambda x: (len(x), x))
            answers.append(DrugAnswer(drug_id, name, round(1.0 - miss, 6), parts, paths[: self.params.max_paths],
                                      sources, pmids))
        answers.sort(key=lambda a: (-a.score, a.drug_id))
        chosen = answers[:top]
        self._attach_sentences(chosen)
        return len(answers), chosen

    def _attach_sentences(self, answers: list[DrugAnswer]) -> None:
        """Up to ``evidence_per_edge`` sentences on each text-mined edge, read for all edges in one query."""
        limit = self.params.evidence_per_edge
        if limit <= 0:
            return
        edges = [e for a in answers for path in a.paths for e in path.edges if e.n_pmids]
        # An undirected gene–disease link may be stored the other way round: ask for both keys.
        reverse = {e.key: edge_key(e.object, e.predicate, e.subject) for e in edges}
        found: dict[str, list[Row]] = defaultdict(list)
        if edges:
            for row in self.store.query("evidence_for_edges", edge_keys=sorted({*reverse, *reverse.values()})):
                found[row["edge_key"]].append(row)
        for edge in edges:
            rows = found.get(edge.key, [])[:limit] or found.get(reverse[edge.key], [])[:limit]
            edge.sentences = [{"pmid": r["pmid"], "sentence": r["sentence"], "score": r["score"]}
                              for r in rows if not (r["negated"] or r["speculative"])]

    def search(self, text: str, top: int = 10) -> GeneDrugsResult:
        """A gene (CURIE, symbol, star allele) → ranked drugs; unknown input is answered, never raised."""
        query, gene, unrecognized = self.resolve(text)
        n, answers = self.rank(gene.id, top) if gene else (0, [])
        return GeneDrugsResult(text, gene, list(query.alleles), query.genotype, unrecognized, n, answers)
