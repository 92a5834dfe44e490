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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from kg.schema import TEXT_MINED_SOURCE


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
}
"""Per curated source; a source not listed gets :data:`DEFAULT_CURATED`."""

SPECULATION_FACTOR = 0.5
"""A speculative sentence supports at this share of its probability."""

NEGATION_WEIGHT = 0.5
"""How strongly a paper that negates the statement lowers the belief (``belief · (1 - w · p)``)."""


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
    """The belief of an edge with these evidence sentences and knowledge sources (see the module docstring)."""
    supporting: dict[str, float] = {}
    negating: dict[str, float] = {}
    for ev in evidence:
        score = min(max(float(ev.score or 0.0), 0.0), 1.0)
        if ev.negated:
            negating[ev.pmid] = max(negating.get(ev.pmid, 0.0), score)
            continue
        p = score * (SPECULATION_FACTOR if ev.speculative else 1.0)
        supporting[ev.pmid] = max(supporting.get(ev.pmid, 0.0), p)
    all_wrong = 1.0
    if supporting:
        papers_wrong = 1.0
        for p in supporting.values():
            papers_wrong *= 1.0 - p
        all_wrong *= TEXT_MINING.systematic + (1.0 - TEXT_MINING.systematic) * papers_wrong
    for source in set(knowledge_sources) - {TEXT_MINED_SOURCE}:
        prior = CURATED_PRIORS.get(source, DEFAULT_CURATED)
        all_wrong *= prior.systematic + prior.random
    value = 1.0 - all_wrong if (supporting or set(knowledge_sources) - {TEXT_MINED_SOURCE}) else 0.0
    for pmid, p in negating.items():
        if pmid not in supporting:
            value *= 1.0 - NEGATION_WEIGHT * p
    return round(value, 4)
