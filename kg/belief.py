"""An edge's belief: the probability that what it asserts is right, from all of its support (INDRA-style).

INDRA's SimpleScorer (Gyori et al., Mol Syst Biol 2017) gives each knowledge source a *systematic* error (a wrong
statement repeated however often it is read) and a *random* error (one extraction being wrong), and calls a
statement wrong only if every source is wrong: ``belief = 1 - Π_s (syst_s + rand_s ** n_s)``. medkg keeps that
form, with two changes that its data allows and INDRA users asked for:

- **Text mining** has a calibrated probability per sentence (:mod:`extractors.relations.calibration`), so the random
  error of a paper is ``1 - p`` for its best sentence instead of a constant; and a paper counts **once** — its
  sentences are not independent readings (several sentences of one abstract repeat one claim). The text-mining
  term is ``syst + (1 - syst) · Π_papers (1 - p_paper)``.
- **Negated and speculative evidence.** A speculative sentence ("may inhibit") supports at half its probability; a
  paper that negates the statement (and does not also assert it) multiplies the belief by ``1 - w · p`` with
  ``w = NEGATION_WEIGHT``.

The priors (:data:`TEXT_MINING`, :data:`CURATED_PRIORS`) are INDRA's defaults for readers and for curated
databases (its ``default_belief_probs.json``); they are not fitted here. What the number is: for an edge from one
paper, its calibrated sentence score shrunk by the text-mining systematic error; with more papers, INDRA's
independence assumption between papers, which is not yet measured against gold.

Every edge stores its belief (``belief``, :class:`kg.schema.EdgeAggregate`): :func:`kg.schema.aggregate_evidence`
computes it from all of the edge's evidence whenever the edge is (re)aggregated — evidence added, a publication
deleted, a store migrated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from kg.provenance import MESH_COOCCURRENCE_SOURCE, STATISTICAL_EXTRACTORS, TEXT_MINED_SOURCE


@dataclass(frozen=True, slots=True)
class SourcePrior:
    systematic: float  # a wrong statement the source keeps making
    random: float  # one assertion of the source being wrong (curated sources; text mining uses its scores)


TEXT_MINING = SourcePrior(systematic=0.05, random=0.3)
"""INDRA's prior for its text-mining readers (REACH, Sparser, SemRep: syst 0.05); the random part is replaced by
the calibrated sentence scores."""

DEFAULT_CURATED = SourcePrior(systematic=0.01, random=0.1)
"""INDRA's prior for curated databases (BEL, TAS, HPRD, TRRUST: syst 0.01, rand 0.1)."""

CURATED_PRIORS: dict[str, SourcePrior] = {
    "infores:hpo-annotations": DEFAULT_CURATED,
    "infores:drugcentral": SourcePrior(systematic=0.01, random=0.1),  # INDRA's DrugBank/DGI value
    "infores:pharmgkb": DEFAULT_CURATED,
    "infores:hetionet": DEFAULT_CURATED,
    "infores:disease-ontology": DEFAULT_CURATED,
    MESH_COOCCURRENCE_SOURCE: SourcePrior(systematic=0.3, random=0.2),
}
"""Per curated source; a source not listed gets :data:`DEFAULT_CURATED`. medkg's MeSH co-occurrence statistic is
listed with a much weaker prior (belief 0.5 alone; set by hand, not fitted): a disease and a sign co-indexed more
often than chance are associated, which is often not "the disease presents the sign" (HSDN's own caveat). Its
evidence items (one per citation) are that statistic, not sentences, so :func:`belief` does not read them as text
mining."""

SPECULATION_FACTOR = 0.5
"""A speculative sentence supports at this share of its probability."""

NEGATION_WEIGHT = 0.5
"""How strongly a paper that negates the statement lowers the belief (``belief · (1 - w · p)``)."""

_TEXT_SYSTEMATIC = TEXT_MINING.systematic
_TEXT_RANDOM_SHARE = 1.0 - TEXT_MINING.systematic


class EvidenceLike(Protocol):
    @property
    def pmid(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def negated(self) -> bool: ...
    @property
    def speculative(self) -> bool: ...


def belief(evidence: Iterable[EvidenceLike], knowledge_sources: Iterable[str] = ()) -> float:
    """The belief of an edge with these evidence sentences and knowledge sources (see the module docstring).

    Rounded to 4 decimals, and the same float whatever order the evidence and sources come in (products are taken
    in sorted order), so that both stores and every re-aggregation agree. It runs once per edge written.
    """
    supporting: dict[str, float] = {}
    negating: dict[str, float] = {}
    for ev in evidence:
        if getattr(ev, "extractor", "") in STATISTICAL_EXTRACTORS:
            continue  # the statistic's own items: its source's prior speaks for them
        score = ev.score
        if not 0.0 <= score <= 1.0:
            score = min(max(float(score or 0.0), 0.0), 1.0)
        if ev.negated:
            if score > negating.get(ev.pmid, -1.0):
                negating[ev.pmid] = score
            continue
        if ev.speculative:
            score *= SPECULATION_FACTOR
        if score > supporting.get(ev.pmid, -1.0):
            supporting[ev.pmid] = score
    all_wrong = 1.0
    if supporting:
        papers_wrong = 1.0
        for p in sorted(supporting.values()):
            papers_wrong *= 1.0 - p
        all_wrong *= _TEXT_SYSTEMATIC + _TEXT_RANDOM_SHARE * papers_wrong
    curated = sorted({s for s in knowledge_sources if s != TEXT_MINED_SOURCE}) if knowledge_sources else ()
    for source in curated:
        prior = CURATED_PRIORS.get(source, DEFAULT_CURATED)
        all_wrong *= prior.systematic + prior.random
    value = 1.0 - all_wrong if (supporting or curated) else 0.0
    if negating:
        for p in sorted(p for pmid, p in negating.items() if pmid not in supporting):
            value *= 1.0 - NEGATION_WEIGHT * p
    return round(value, 4)


def one_sentence_belief(score: float, curated: Sequence[str] = ()) -> float:
    """:func:`belief` of an edge with one supporting (not negated, not speculative) sentence and these curated
    sources (sorted, without duplicates or :data:`TEXT_MINED_SOURCE`), without building its tallies: the edge that
    most writes make (``aggregate_evidence``'s fast path). The same arithmetic, so the same float."""
    if not 0.0 <= score <= 1.0:
        score = min(max(float(score or 0.0), 0.0), 1.0)
    all_wrong = _TEXT_SYSTEMATIC + _TEXT_RANDOM_SHARE * (1.0 - score)
    for source in curated:
        prior = CURATED_PRIORS.get(source, DEFAULT_CURATED)
        all_wrong *= prior.systematic + prior.random
    return round(1.0 - all_wrong, 4)
