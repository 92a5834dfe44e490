"""Edge belief (kg.belief): one paper, several papers, curated priors, speculation and negation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kg.belief import TEXT_MINING, belief


@dataclass
class Ev:
    pmid: str
    score: float
    negated: bool = False
    speculative: bool = False


def test_one_paper_is_its_calibrated_score_shrunk_by_the_systematic_error() -> None:
    assert belief([Ev("1", 0.8)]) == pytest.approx((1 - TEXT_MINING.systematic) * 0.8, abs=1e-4)


def test_a_paper_counts_once_however_many_sentences() -> None:
    assert belief([Ev("1", 0.8), Ev("1", 0.7), Ev("1", 0.6)]) == belief([Ev("1", 0.8)])


def test_independent_papers_add_up_but_never_past_the_systematic_error() -> None:
    one, two = belief([Ev("1", 0.6)]), belief([Ev("1", 0.6), Ev("2", 0.6)])
    assert one < two < 1 - TEXT_MINING.systematic
    many = belief([Ev(str(i), 0.9) for i in range(50)])
    assert many == pytest.approx(1 - TEXT_MINING.systematic, abs=1e-3)


def test_curated_sources_and_text_combine() -> None:
    curated = belief([], ["infores:drugcentral"])
    assert curated == pytest.approx(0.89)
    assert belief([Ev("1", 0.5)], ["infores:drugcentral", "infores:medkg"]) > curated
    assert belief([], ["infores:medkg"]) == 0.0  # text mining without evidence asserts nothing


def test_speculation_and_negation_lower_belief() -> None:
    assert belief([Ev("1", 0.8, speculative=True)]) == belief([Ev("1", 0.4)])
    assert belief([Ev("1", 0.8), Ev("2", 0.9, negated=True)]) < belief([Ev("1", 0.8)])
    # a paper that asserts the statement in one sentence and negates a narrower claim in another is not against it
    assert belief([Ev("1", 0.8), Ev("1", 0.9, negated=True)]) == belief([Ev("1", 0.8)])
