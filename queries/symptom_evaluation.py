"""Simulated-patient evaluation of the symptom → disease ranking (Phenomizer-style, Köhler et al. 2009).

A patient of disease d gets k (3–7, at most |A(d)|) phenotypes sampled from d's own annotations in the graph.
Optional perturbations: *noise* adds ceil(noise_fraction * k) random phenotypes unrelated to d (neither an
annotation, nor an ancestor or descendant of one); *imprecision* replaces every sampled term by one of its
parents (kept when the only parent is "Phenotypic abnormality"). Because clean queries are drawn from the very
annotations that are ranked, clean numbers measure how identifying the annotations are, not clinical accuracy;
the perturbed numbers are the more honest ones.

Ranks are pessimistic: a disease tied in score with the true one counts as ranked before it. A true disease
that is not among the candidates has no rank (reciprocal rank 0).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from queries.symptoms import SymptomRanker

if TYPE_CHECKING:
    from queries.rerank import SymptomReranker

TOP_KS = (1, 3, 10)


@dataclass(slots=True)
class SimulatedPatient:
    disease_id: str
    present: list[str]
    noise: list[str] = field(default_factory=list)
    imprecise: bool = False


def simulate_patients(ranker: SymptomRanker, n: int, seed: int, *, noise: bool = False, imprecision: bool = False,
                      k_range: tuple[int, int] = (3, 7), noise_fraction: float = 0.5) -> list[SimulatedPatient]:
    """``n`` patients of distinct diseases (drawn among those with at least k_range[0] phenotypes)."""
    rng = random.Random(seed)
    onto, stats = ranker.ontology, ranker.stats
    annotations = {d: sorted(p for p in ps if onto.is_phenotype(p)) for d, ps in stats.annotations.items()}
    eligible = sorted(d for d, ps in annotations.items() if len(ps) >= k_range[0])
    pool = sorted(t for t in stats.annotated if onto.is_phenotype(t))
    patients = []
    for disease in rng.sample(eligible, min(n, len(eligible))):
        own = annotations[disease]
        k = min(rng.randint(*k_range), len(own))
        terms = rng.sample(own, k)
        extra: list[str] = []
        if noise:
            related = set().union(*(onto.ancestors(t) for t in own))
            while len(extra) < math.ceil(noise_fraction * k):
                candidate = rng.choice(pool)
                if candidate not in related and not (onto.ancestors(candidate) & set(own)) and candidate not in extra:
                    extra.append(candidate)
        if imprecision:
            terms = [_parent(ranker, t, rng) for t in terms]
        patients.append(SimulatedPatient(disease, list(dict.fromkeys(terms)), extra, imprecision))
    return patients


def _parent(ranker: SymptomRanker, term: str, rng: random.Random) -> str:
    parents = sorted(p for p in ranker.ontology.parents(term) if ranker.ontology.is_phenotype(p))
    return rng.choice(parents) if parents else term


def pessimistic_rank(scores: Sequence[tuple[str, float]], truth: str) -> int | None:
    """1 + the number of other diseases scored at least as high as ``truth``; None when it is not a candidate."""
    target = next((s for d, s in scores if d == truth), None)
    if target is None:
        return None
    return 1 + sum(1 for d, s in scores if d != truth and s >= target)


def rank_metrics(ranks: Sequence[int | None], ks: Sequence[int] = TOP_KS) -> dict[str, float]:
    """top-k accuracy for each k and mean reciprocal rank (a missing rank counts as a miss / 0)."""
    n = len(ranks) or 1
    out = {f"top{k}": round(sum(1 for r in ranks if r is not None and r <= k) / n, 4) for k in ks}
    out["mrr"] = round(sum(1.0 / r for r in ranks if r is not None) / n, 4)
    return out


@dataclass(slots=True)
class EvaluationResult:
    condition: str
    n: int
    metrics: dict[str, float]
    seconds_per_query: float
    not_found: int
    examples: list[dict[str, Any]]
    reranked: dict[str, dict[str, float]] = field(default_factory=dict)  # "w=0.3" -> metrics with the LM rerank
    rerank_seconds_per_query: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(ranker: SymptomRanker, patients: list[SimulatedPatient], condition: str,
             reranker: SymptomReranker | None = None, weights: Sequence[float] = ()) -> EvaluationResult:
    """Graph-only metrics and, with a reranker, the same patients' metrics after the LM rerank for each weight.

    The reranker reads the query as the HPO labels of the patient's terms (simulated patients have no free text).
    """
    ranks: list[int | None] = []
    reranked_ranks: dict[float, list[int | None]] = {w: [] for w in weights}
    graph_seconds = rerank_seconds = 0.0
    examples: list[dict[str, Any]] = []
    for patient in patients:
        started = time.perf_counter()
        terms = patient.present + patient.noise
        answers = ranker.score_all(terms)
        graph_seconds += time.perf_counter() - started
        rank = pessimistic_rank([(a.disease_id, a.score) for a in answers], patient.disease_id)
        ranks.append(rank)
        example: dict[str, Any] = {"disease_id": patient.disease_id, "query": terms, "rank": rank,
                   "top": [a.disease_id for a in answers[:3]]}
        if reranker is not None:
            labels = [ranker.ontology.terms[t].name for t in terms]
            for w in weights:
                started = time.perf_counter()
                order = reranker.rerank(labels, answers, weight=w)
                rerank_seconds += time.perf_counter() - started
                reranked_ranks[w].append(pessimistic_rank([(r.disease_id, r.final) for r in order],
                                                          patient.disease_id))
            example["reranked_rank"] = {f"w={w:g}": reranked_ranks[w][-1] for w in weights}
        if len(examples) < 5:
            examples.append(example)
    n = max(len(patients), 1)
    return EvaluationResult(
        condition, len(patients), rank_metrics(ranks), round(graph_seconds / n, 4), sum(r is None for r in ranks),
        examples, {f"w={w:g}": rank_metrics(r) for w, r in reranked_ranks.items()},
        round(rerank_seconds / n / max(len(weights), 1), 4) if reranker is not None else None,
    )
