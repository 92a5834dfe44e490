"""LM reranking with the real MiniLM encoder (shipped on PyPI), on a real store of each backend."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from kg.importers.hpo import import_hpo
from queries.rerank import SymptomReranker, combine, profile_scores, shared_encoder
from queries.symptoms import SymptomRanker

MARFAN, CF, FMF, HUNTINGTON, NF1 = "OMIM:154700", "OMIM:219700", "OMIM:249100", "OMIM:143100", "OMIM:162200"


@pytest.fixture(scope="module")
def encoder():
    return shared_encoder()


def test_encoder_gives_unit_vectors_that_put_synonyms_close(encoder):
    vectors = encoder.encode(["shortness of breath", "Dyspnea", "Arachnodactyly", "shortness of breath"])
    assert vectors.shape == (4, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors[0], vectors[3])  # the cached vector
    breath, dyspnea, fingers = vectors[:3]
    assert breath @ dyspnea > breath @ fingers + 0.2


def test_profile_score_is_the_mean_best_match(encoder):
    scores = profile_scores(encoder, ["Fever", "Cough"], [["Fever", "Cough", "Rash"], ["Fever", "Arachnodactyly"], []])
    assert scores[0] == pytest.approx(1.0, abs=1e-5)
    assert 0.5 < scores[1] < 1.0 and scores[2] == 0.0


def test_combination_interpolates_between_graph_and_lm():
    graph, lm = [2.0, 1.0, 0.5], [0.2, 0.9, -0.3]
    assert combine(graph, lm, 0.0) == [1.0, 0.5, 0.25]
    assert combine(graph, lm, 1.0) == pytest.approx([0.2, 0.9, 0.0])
    mixed = combine(graph, lm, 0.5)
    assert mixed[1] > mixed[0] > mixed[2] == 0.0


def test_rerank_on_a_store_keeps_evidence_and_reports_score_parts(store, encoder):
    import_hpo(store, diseases=[MARFAN, CF, FMF, HUNTINGTON, NF1])
    ranker = SymptomRanker(store)
    reranker = SymptomReranker(ranker, encoder, weight=0.3, top_n=2)
    result = ranker.search("long thin fingers, Ectopia lentis, Aortic root aneurysm, recurrent fever", top=3,
                           reranker=reranker)
    assert result["reranked"] is True
    best = result["answers"][0]
    assert best["disease_id"] == MARFAN and best["matched"], best
    assert {"graph_score", "lm", "lm_weight"} <= set(best["parts"]) and 0 < best["parts"]["lm"] <= 1
    # Beyond top_n the graph order is kept, below every reranked candidate.
    one_per_disease = ["HP:0001166", "HP:0002110", "HP:0001954", "HP:0002072", "HP:0000957"]
    scored = ranker.score_all(one_per_disease)
    order = reranker.rerank([ranker.ontology.terms[t].name for t in one_per_disease], scored)
    assert len(order) > 2 and all(r.final < 0 for r in order[2:]) and all(r.final >= 0 for r in order[:2])
    assert [r.graph for r in order[2:]] == sorted((r.graph for r in order[2:]), reverse=True)


def test_query_and_evaluate_commands_take_rerank(tmp_path):
    from kg.commands.evaluate_symptoms import symptoms as evaluate_symptoms
    from kg.commands.query_symptoms import symptoms as query_symptoms
    from kg.store.embedded import EmbeddedStore

    db = tmp_path / "graph.lbug"
    with EmbeddedStore(db) as store:
        import_hpo(store, diseases=[MARFAN, CF, FMF, HUNTINGTON, NF1])
    runner = CliRunner()
    args = ["--store", "embedded", "--db", str(db)]
    result = runner.invoke(query_symptoms, ["salty tasting skin, bronchiectasis", "--top", "2", "--rerank", *args])
    assert result.exit_code == 0, result.output
    assert " 1. OMIM:219700  Cystic fibrosis" in result.output and "LM " in result.output
    result = runner.invoke(evaluate_symptoms, ["--n", "4", "--seed", "3", "--use-store", "--rerank", "--weights",
                                               "0,0.5", *args])
    assert result.exit_code == 0, result.output
    assert "+LM w=0 " in result.output and "+LM w=0.5 " in result.output
