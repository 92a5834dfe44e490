"""Edge belief (kg.belief): one paper, several papers, curated priors, speculation and negation; stored on every edge
by kg.schema.aggregate_evidence (the stores: tests/test_store.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kg.belief import TEXT_MINING, belief, one_sentence_belief
from kg.schema import EDGE_PROPERTIES, Evidence, Kind, aggregate_evidence


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


# ---- stored on the edge: kg.schema.aggregate_evidence ---------------------------------------------------------------
def _evidence(pmid: str, score: float, **flags: bool) -> Evidence:
    return Evidence(pmid, "s", 0, 1, score, "re", "1", **flags)


@pytest.mark.parametrize("evidence, sources", [
    ([_evidence("1", 0.83)], ()),  # the single-sentence fast path
    ([_evidence("1", 0.83)], ("infores:drugcentral", "infores:hpo-annotations")),  # the same, with curated sources
    ([_evidence("1", 0.7, speculative=True)], ("infores:pharmgkb",)),
    ([_evidence("1", 0.9, negated=True)], ("infores:pharmgkb",)),  # negated alone: only curated support is left
    ([_evidence("1", 0.6), _evidence("1", 0.8), _evidence("2", 0.5), _evidence("3", 0.9, negated=True)], ()),
])
def test_an_edge_carries_the_belief_of_all_its_evidence(evidence, sources) -> None:
    edge = aggregate_evidence("A:1", "treats", "B:2", evidence, sources)
    assert edge.belief == belief(evidence, sources)
    assert edge.belief == aggregate_evidence("A:1", "treats", "B:2", evidence[::-1], sources[::-1]).belief


def test_the_one_sentence_shortcut_is_the_same_float() -> None:
    for i in range(1001):
        score = i / 1000
        for curated in ((), ("infores:drugcentral",), ("infores:hetionet", "infores:other")):
            assert one_sentence_belief(score, curated) == belief([Ev("1", score)], curated), (score, curated)


def test_belief_is_a_column_of_the_edge_model() -> None:
    prop = next(p for p in EDGE_PROPERTIES if p.name == "belief")
    assert EDGE_PROPERTIES[-1] is prop  # appended: LadybugDB copies columns by position
    assert (prop.kind, prop.kgx, prop.rdf, prop.summary, prop.missing) == (
        Kind.PROBABILITY, "belief", "medkg:belief", True, 0.0)


def test_a_statistic_is_neither_text_mining_nor_curation() -> None:
    """MeSH co-occurrence items state a statistic per citation: they count as the edge's citations, but its belief
    is the statistic source's weak prior, and the edge is not text-mined."""
    from kg.provenance import MESH_COOCCURRENCE_EXTRACTOR, MESH_COOCCURRENCE_SOURCE

    items = [Evidence(str(pmid), "co-indexed", 0, 0, 0.99, MESH_COOCCURRENCE_EXTRACTOR, "1") for pmid in (1, 2, 3)]
    edge = aggregate_evidence("MESH:D011014", "has_phenotype", "HP:0001945", items, (MESH_COOCCURRENCE_SOURCE,))
    assert edge.knowledge_sources == (MESH_COOCCURRENCE_SOURCE,) and edge.n_pmids == 3
    assert edge.belief == 0.5 == belief(items, (MESH_COOCCURRENCE_SOURCE,))
    one = aggregate_evidence("MESH:D011014", "has_phenotype", "HP:0001945", items[:1], (MESH_COOCCURRENCE_SOURCE,))
    assert one.knowledge_sources == (MESH_COOCCURRENCE_SOURCE,) and one.belief == 0.5
    sentence = Evidence("4", "Pneumonia presents with fever.", 0, 30, 0.8, "re", "1")
    both = aggregate_evidence("MESH:D011014", "has_phenotype", "HP:0001945", [*items, sentence],
                              (MESH_COOCCURRENCE_SOURCE,))
    assert "infores:medkg" in both.knowledge_sources and both.belief > max(0.5, 0.95 * 0.8)


def test_what_medkg_asserts_is_curated_or_above_the_precision_first_belief() -> None:
    from kg.provenance import ASSERTED_MIN_BELIEF, is_asserted

    assert pytest.approx(0.95 * 0.7) == ASSERTED_MIN_BELIEF  # score 0.7 of a one-paper edge (chosen on dev)
    assert is_asserted(0.1, ["infores:hpo-annotations"], "infores:hpo-annotations")
    assert is_asserted(0.7, ["infores:medkg"], "infores:medkg")
    assert not is_asserted(0.6, ["infores:medkg"], "infores:medkg")
    assert is_asserted(0.6, ["infores:medkg"], "infores:medkg", min_belief=0.5)
    assert not is_asserted(None, ["infores:medkg"], "infores:medkg")  # not computed yet: a candidate
    assert not is_asserted(0.5, ["infores:medkg-mesh-cooccurrence"], "infores:medkg-mesh-cooccurrence")
