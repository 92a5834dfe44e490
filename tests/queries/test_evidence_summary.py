"""Evidence digests on both backends: papers and years, strongest sentences, agreement and contradiction."""

from __future__ import annotations

from kg.schema import Relation
from queries.evidence_summary import summarize_edge
from tests import graph_fixture as g


def _texts(digest) -> list[str]:
    return [s.text for s in digest.statements]


def test_papers_years_and_strongest_sentence_one_per_paper(store) -> None:
    g.build(store)
    digest = summarize_edge(store, g.PNEUMONIA, "has_phenotype", g.FEVER)
    assert digest is not None
    assert digest.n_papers == 2 and digest.supporting_papers == ["PMID:101", "PMID:102"]
    assert (digest.first_year, digest.last_year) == (2001, 2005)
    assert [s.pmid for s in digest.strongest] == ["PMID:101", "PMID:102"]  # PMID 102's second sentence left out
    assert "2 papers state Pneumonia has_phenotype Fever (2001–2005)." in _texts(digest)
    assert "No paper contradicts it." in _texts(digest)
    for statement in digest.statements:
        assert all(p.startswith("PMID:") for p in statement.pmids)


def test_speculative_and_negated_evidence_are_not_support(store) -> None:
    g.build(store)
    codeine = summarize_edge(store, g.CODEINE, "affects", g.CYP2D6)
    assert codeine.supporting_papers == ["PMID:103"] and codeine.speculative_papers == ["PMID:104"]
    assert "1 paper only suggests it (speculative)." in _texts(codeine)
    store.upsert_relations([Relation(g.PNEUMONIA, "has_phenotype", g.CHEST_PAIN, [g.ev(104, 0.8, negated=True)])])
    store.flush()
    chest_pain = summarize_edge(store, g.PNEUMONIA, "has_phenotype", g.CHEST_PAIN)
    assert chest_pain.supporting_papers == ["PMID:103"] and chest_pain.negated_papers == ["PMID:104"]
    assert "1 paper negates it." in _texts(chest_pain)
    assert "Agreement: 1 supporting vs 1 contradicting." in _texts(chest_pain)
    # negated evidence alone makes no edge (the store's rule): nothing to summarize
    assert summarize_edge(store, g.MIGRAINE, "has_phenotype", g.FEVER) is None


def test_opposite_direction_evidence_contradicts(store) -> None:
    g.build(store)
    store.upsert_relations([Relation(g.GEFITINIB, "increases_activity_of", g.EGFR, [g.ev(105, 0.6)])])
    store.flush()
    digest = summarize_edge(store, g.GEFITINIB, "decreases_activity_of", g.EGFR)
    assert digest.opposite_predicate == "increases_activity_of" and digest.opposite_papers == ["PMID:105"]
    texts = _texts(digest)
    assert "1 paper states the opposite: Gefitinib increases_activity_of EGFR." in texts
    assert "Agreement: 1 supporting vs 1 contradicting." in texts


def test_curated_edge_and_missing_edge(store) -> None:
    g.build(store)
    curated = summarize_edge(store, g.INFLUENZA, "has_phenotype", g.COUGH)
    assert curated.curated_sources == ["infores:hpo-annotations"] and curated.supporting_papers == []
    assert "Curated by infores:hpo-annotations." in _texts(curated)
    assert summarize_edge(store, g.INFLUENZA, "has_phenotype", g.CHEST_PAIN) is None
