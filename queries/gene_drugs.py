"""Gene → drugs: resolve a gene (CURIE, symbol or star allele), collect typed paths to drugs, score them, with evidence.

Input
    ``NCBIGene:1565`` (any CURIE of a ``Gene`` entity), a symbol or synonym (``CYP2D6``, ``egfr``; matched
    case-insensitively against the names and synonyms of the store's Gene entities, read once per finder with
    ``entities_by_category``), or a star allele / diplotype (``CYP2D6*10``, ``CYP2C19*2/*3``, ``HLA-B*57:01``):
    the gene part is resolved as a symbol and the alleles are kept in the answer.
    Optionally (``lexicon``: the normalization
    lexicon of ``extractors.normalize``, HGNC aliases, previous symbols and full names), a name the store does not
    know is looked up there and accepted when the gene it gives is in the store. Text that names no gene is answered
    with what was not recognised and the closest gene names in the store (difflib ratio ≥ 0.6,
    :class:`queries.close_names.CloseNames`), never an exception.

Paths
    *direct*       chemical –P→ gene or gene –P→ chemical (``chemicals_for_gene``, ``chemicals_from_gene``), typed by
                   the predicate P (binding, activity/expression changes, affects, associations);
    *via_disease*  gene –P– disease ←treats– drug (``gene_disease_links``, then ``gene_disease_treatments``): the
                   drug treats a disease the gene is linked to; typed as ``P/treats``.

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

    Guidelines first: a drug whose direct edge to the gene carries ``infores:cpic`` (a CPIC guideline for the pair,
    from ``kg import pharmgkb``) is ranked before every other drug, then those with ``infores:dpwg`` (a DPWG
    guideline), then the rest; within a tier by score. The hub penalty (``n_genes ** -selectivity_exponent``) is not
    applied to guideline drugs: codeine and tamoxifen are linked to many genes, and that is no reason to doubt their
    CYP2D6 guidelines. The tier is ``parts["guideline"]`` of each answer (2, 1 or 0).

    Support from ``excluded_sources`` is ignored (an edge with nothing else is dropped): the PharmGKB evaluation
    excludes ``infores:pharmgkb``, its own gold standard.

Evidence
    Every path lists its edges with predicate, PMIDs, best score and knowledge sources
    (``primary_knowledge_source`` tells curated from text-mined support); for the returned drugs, text-mined edges
    carry up to ``evidence_per_edge`` supporting sentences, read by the edges' evidence ids (``evidence_by_ids``, one
    query for all of them, primary-key lookups).

Reads
    The gene's direct chemical edges, its disease links and the treats edges of those diseases (once each, not one
    row per path), and the other genes of its chemicals: five queries that start from the gene by ``= $id``
    (an index lookup on both stores). Every drug is scored; paths are built, names read and sentences attached only
    for the ``top`` answers.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from kg.provenance import TEXT_MINED_SOURCE, is_asserted, is_curated
from kg.schema import edge_key
from kg.store.base import GraphStore, Row
from queries.close_names import CloseNames
from queries.resolve import NameResolver, Unrecognized, is_curie, lexicon_entity

GENE_CATEGORIES = ["Gene"]
MECHANISTIC = ("increases_activity_of", "decreases_activity_of", "increases_expression_of",
               "decreases_expression_of", "physically_interacts_with", "has_substrate")
PREDICATE_WEIGHTS: dict[str, float] = {
    **dict.fromkeys(MECHANISTIC, 1.0),
    "affects": 0.8, "interacts_with": 0.8,
    "associated_with": 0.6, "gene_associated_with_condition": 0.6,
    "positively_correlated_with": 0.6, "negatively_correlated_with": 0.6,
}
DEFAULT_PREDICATE_WEIGHT = 0.5
# Knowledge sources that say a clinical guideline covers the drug–gene pair (written by ``kg import pharmgkb`` from
# PharmGKB's guideline annotations), strongest first: a drug's guideline tier is 2 (CPIC), 1 (DPWG only) or 0.
GUIDELINE_SOURCES: dict[str, int] = {"infores:cpic": 2, "infores:dpwg": 1}

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
    if not match or is_curie(text):
        return GeneQuery(text, text)
    alleles = tuple("*" + a.strip().lstrip("*").strip() for a in match["alleles"].split("/"))
    return GeneQuery(text, match["gene"], alleles)


@dataclass(slots=True)
class ResolvedGene:
    id: str
    name: str
    matched_by: str  # curie | name | synonym | lexicon
    alternatives: list[dict[str, str]] = field(default_factory=list)  # other genes with the same name/synonym


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
    belief: float | None = None  # the edge's stored belief (kg.belief), from all its support; None: not computed
    asserted: bool = False  # curated, or belief >= kg.provenance.ASSERTED_MIN_BELIEF (else a candidate)
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


# ---- scoring ---------------------------------------------------------------------------------------------
def edge_strength(n_pmids: int | None, best_score: float | None, curated: bool, params: GeneDrugParams) -> float:
    """Noisy-OR of curated support and saturating text-mined support (see the module docstring)."""
    text = (best_score or 0.0) * (1.0 - math.exp(-(n_pmids or 0) / params.pmid_scale))
    return 1.0 - (1.0 - (params.curated_strength if curated else 0.0)) * (1.0 - text)


def _strength(row: Row, params: GeneDrugParams) -> tuple[float, str, list[str], bool] | None:
    """(strength, primary source, sources, text-mined?) of an edge row, counting only sources not excluded (None
    when none is left)."""
    primary = row.get("primary_knowledge_source") or TEXT_MINED_SOURCE
    sources = [s for s in row.get("knowledge_sources") or [primary] if s not in params.excluded_sources]
    if not sources:
        return None
    if primary in params.excluded_sources:
        primary = next((s for s in sources if s != TEXT_MINED_SOURCE), sources[0])
    # n_pmids and best_score only ever come from text mining.
    mined = TEXT_MINED_SOURCE in sources
    n_pmids, best = (row.get("n_pmids") or 0, row.get("best_score") or 0.0) if mined else (0, 0.0)
    return edge_strength(n_pmids, best, is_curated(sources, primary), params), primary, sources, mined


def _support(row: Row, subject: str, object_: str, params: GeneDrugParams) -> EdgeSupport | None:
    """The edge with its strength (None when no source is left after the exclusions)."""
    terms = _strength(row, params)
    if terms is None:
        return None
    strength, primary, sources, mined = terms
    n_pmids, best = (row.get("n_pmids") or 0, row.get("best_score") or 0.0) if mined else (0, 0.0)
    belief = row.get("belief") or None
    return EdgeSupport(subject, row["predicate"], object_, strength, n_pmids, round(best, 4),
                       list(row.get("pmids") or []) if mined else [], primary, sources, belief,
                       is_asserted(belief, sources, primary))


def guideline_tier(paths: list[_Path], params: GeneDrugParams) -> int:
    """2 when a direct edge of the drug carries a CPIC guideline source, 1 for DPWG only, else 0 (excluded sources
    do not count)."""
    tier = 0
    for path in paths:
        if path.kind != "direct":
            continue
        for row, _, _ in path.edges:
            for source in row.get("knowledge_sources") or ():
                if source not in params.excluded_sources:
                    tier = max(tier, GUIDELINE_SOURCES.get(source, 0))
    return tier


@dataclass(slots=True)
class _Path:
    """A scored path before it is shown: its edges as (row, subject, object), turned into EdgeSupport only for the
    drugs that are answered (a hub gene has ~15k paths)."""

    score: float
    kind: str
    type: str
    disease_id: str
    disease_name: str
    edges: tuple[tuple[Row, str, str], ...]

    def sort_key(self) -> tuple[float, str, str, str]:
        return -self.score, self.kind, self.type, self.disease_id


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
    def close_names(self) -> CloseNames:
        """The gene names indexed for close matches."""
        return CloseNames(self.gene_names)

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
    def resolve(self, text: str, *, suggest: bool = True) -> tuple[GeneQuery, ResolvedGene | None, Unrecognized | None]:
        """The parsed input and either the gene it names or why it was not recognised (with the closest gene names
        when ``suggest``)."""
        query = parse_gene_query(text)
        if not query.gene_text:
            return query, None, Unrecognized(text, "empty gene query", [])
        if is_curie(query.gene_text):
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
                                             self.close_matches(query.gene_text) if suggest else [])
        rows.sort(key=lambda r: ((r["name"] or "").lower() != wanted, not r["id"].startswith("NCBIGene:"), r["id"]))
        best = rows[0]
        matched_by = "name" if (best["name"] or "").lower() == wanted else "synonym"
        others = [{"id": r["id"], "name": r["name"]} for r in rows[1:]]
        return query, ResolvedGene(best["id"], best["name"] or best["id"], matched_by, others), None

    def close_matches(self, text: str, n: int = 5) -> list[dict[str, Any]]:
        names = self.gene_names
        found = self.close_names.get_close_matches(text.upper(), n=n, cutoff=0.6)
        return [{"id": names[name], "name": name,
                 "similarity": round(difflib.SequenceMatcher(None, text.upper(), name).ratio(), 3)}
                for name in found]

    # ---- paths ---------------------------------------------------------------------------------------
    def paths(self, gene_id: str) -> dict[str, tuple[str, list[DrugPath]]]:
        """drug id → (drug name, every scored path from the gene to it)."""
        names, found = self._paths(gene_id)
        self._fill_names(names, list(found))
        out = {}
        for drug_id, paths in found.items():
            out[drug_id] = (names[drug_id], [self._shown(x, {})[0] for x in paths])
        return out

    def _paths(self, gene_id: str) -> tuple[dict[str, str], dict[str, list[_Path]]]:
        """Drug names known from the direct edges ("" otherwise), and drug id → its scored paths (see the module
        docstring). The two hops are read separately — the gene's disease links, then the treats edges of those
        diseases, once each — and paths are scored from those rows without building per-path objects."""
        p = self.params
        names: dict[str, str] = {}
        found: dict[str, list[_Path]] = defaultdict(list)
        for query, reverse in (("chemicals_for_gene", False), ("chemicals_from_gene", True)):
            for row in self.store.query(query, id=gene_id):
                drug = row["chemical_id"]
                terms = _strength(row, p)
                if terms is not None:
                    weight = PREDICATE_WEIGHTS.get(row["predicate"], DEFAULT_PREDICATE_WEIGHT)
                    if not names.get(drug):
                        names[drug] = row["chemical_name"] or ""
                    edge = (row, gene_id, drug) if reverse else (row, drug, gene_id)
                    found[drug].append(_Path(weight * terms[0], "direct", row["predicate"], "", "", (edge,)))
        self._apply_selectivity(gene_id, found)
        links: dict[str, list[tuple[Row, float]]] = defaultdict(list)
        for row in self.store.query("gene_disease_links", id=gene_id):
            terms = _strength(row, p)
            if terms is not None:
                links[row["disease_id"]].append((row, terms[0]))
        treats: dict[str, list[tuple[Row, float]]] = defaultdict(list)
        if links:
            for row in self.store.query("gene_disease_treatments", id=gene_id):
                row["predicate"] = "treats"
                terms = _strength(row, p)
                if terms is not None and row["disease_id"] in links:
                    treats[row["disease_id"]].append((row, terms[0]))
        for disease, disease_links in links.items():
            drugs = treats.get(disease)
            if not drugs:
                continue
            fan_out = 1.0 + math.log(len({row["drug_id"] for row, _ in drugs}))
            for link, link_strength in disease_links:
                path_type = f"{link['predicate']}/treats"
                for row, treats_strength in drugs:
                    drug = row["drug_id"]
                    names.setdefault(drug, "")
                    score = p.hop_weight * link_strength * treats_strength / fan_out
                    found[drug].append(_Path(score, "via_disease", path_type, disease, link["disease_name"] or "",
                                             ((link, gene_id, disease), (row, drug, disease))))
        return names, found

    def _apply_selectivity(self, gene_id: str, found: dict[str, list[_Path]]) -> None:
        """Scale direct paths by how many genes their drug is linked to (see the module docstring); guideline drugs
        are left as they are."""
        exponent = self.params.selectivity_exponent
        if not found or exponent == 0:
            return
        # A drug with a direct path has a supported edge to this gene (which gene_chemical_gene_links leaves out).
        genes: dict[str, set[str]] = {drug_id: {gene_id} for drug_id in found}
        for row in self.store.query("gene_chemical_gene_links", id=gene_id):
            sources = row["knowledge_sources"] or [TEXT_MINED_SOURCE]
            if row["chemical_id"] in genes and any(s not in self.params.excluded_sources for s in sources):
                genes[row["chemical_id"]].add(row["gene_id"])
        for drug_id, paths in found.items():
            if guideline_tier(paths, self.params):
                continue
            factor = max(len(genes.get(drug_id, ())), 1) ** -exponent
            for path in paths:
                path.score *= factor

    def _fill_names(self, names: dict[str, str], drug_ids: list[str]) -> None:
        """Names of drugs only reached through a disease (the second hop does not read them)."""
        missing = [d for d in drug_ids if not names.get(d)]
        if missing:
            for row in self.store.query("entities_by_id", ids=missing):
                names[row["id"]] = row["name"] or ""

    def _shown(self, path: _Path, evidence_ids: dict[int, list[str]]) -> tuple[DrugPath, list[EdgeSupport]]:
        """The DrugPath of a scored path; ``evidence_ids`` gets each edge's evidence ids (by ``id()`` of the edge)."""
        edges = []
        for row, subject, object_ in path.edges:
            edge = _support(row, subject, object_, self.params)
            assert edge is not None  # paths are only built from edges with support
            evidence_ids[id(edge)] = list(row.get("evidence_ids") or [])
            edges.append(edge)
        return DrugPath(path.kind, path.type, path.score, edges, path.disease_id, path.disease_name), edges

    def rank(self, gene_id: str, top: int = 10) -> tuple[int, list[DrugAnswer]]:
        """How many drugs are linked to the gene, and the best ``top`` with their paths and evidence.

        Every drug is scored (its paths multiplied best first, as shown); only the ``top`` get their paths built,
        names read and sentences attached.
        """
        names, found = self._paths(gene_id)
        ranked = []
        for drug_id, paths in found.items():
            paths.sort(key=_Path.sort_key)
            miss = 1.0
            for path in paths:
                miss *= 1.0 - path.score
            ranked.append((-guideline_tier(paths, self.params), -round(1.0 - miss, 6), drug_id))
        ranked.sort()
        chosen = ranked[:top]
        self._fill_names(names, [drug_id for _, _, drug_id in chosen])
        evidence_ids: dict[int, list[str]] = {}
        answers = []
        for neg_tier, neg_score, drug_id in chosen:
            shown = [self._shown(x, evidence_ids)[0] for x in found[drug_id]]
            direct = [x.score for x in shown if x.kind == "direct"]
            via = [x.score for x in shown if x.kind == "via_disease"]
            parts = {"direct": round(max(direct, default=0.0), 4), "via_disease": round(max(via, default=0.0), 4),
                     "n_direct": len(direct), "n_via_disease": len(via), "guideline": -neg_tier}
            for drug_path in shown:  # rounded for output only, after the drug score is computed
                drug_path.score = round(drug_path.score, 4)
                for support in drug_path.edges:
                    support.strength = round(support.strength, 4)
            edges = [e for x in shown for e in x.edges]
            sources = sorted({s for e in edges for s in (e.knowledge_sources or [e.primary_knowledge_source])})
            pmids = sorted({pm for e in edges for pm in e.pmids}, key=lambda x: (len(x), x))
            answers.append(DrugAnswer(drug_id, names[drug_id], -neg_score, parts, shown[: self.params.max_paths],
                                      sources, pmids))
        self._attach_sentences(answers, evidence_ids)
        return len(ranked), answers

    def _attach_sentences(self, answers: list[DrugAnswer], evidence_ids: dict[int, list[str]]) -> None:
        """Up to ``evidence_per_edge`` sentences on each text-mined edge, read by evidence id for all edges at once."""
        limit = self.params.evidence_per_edge
        if limit <= 0:
            return
        edges = [e for a in answers for path in a.paths for e in path.edges if e.n_pmids]
        wanted = sorted({i for e in edges for i in evidence_ids.get(id(e), ())})
        by_id = {r["id"]: r for r in self.store.query("evidence_by_ids", ids=wanted)} if wanted else {}
        for edge in edges:
            rows = sorted((by_id[i] for i in evidence_ids.get(id(edge), ()) if i in by_id),
                          key=lambda r: (-r["score"], r["pmid"], r["start_offset"], r["id"]))[:limit]
            edge.sentences = [{"pmid": r["pmid"], "sentence": r["sentence"], "score": r["score"]}
                              for r in rows if not (r["negated"] or r["speculative"])]

    def search(self, text: str, top: int = 10, *, suggest: bool = True) -> GeneDrugsResult:
        """A gene (CURIE, symbol, star allele) → ranked drugs; unknown input is answered, never raised (with the
        closest gene names when ``suggest``)."""
        query, gene, unrecognized = self.resolve(text, suggest=suggest)
        n, answers = self.rank(gene.id, top) if gene else (0, [])
        return GeneDrugsResult(text, gene, list(query.alleles), query.genotype, unrecognized, n, answers)
