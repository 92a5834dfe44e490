"""HPO import and symptom → disease ranking on both real backends, with a small subset of the shipped HPO files."""

from __future__ import annotations

import pytest

from kg.importers.hpo import HPO_ANNOTATIONS_SOURCE, import_hpo
from kg.ontology import load_ontology
from kg.schema import Evidence, Relation
from queries.symptom_evaluation import pessimistic_rank, rank_metrics
from queries.symptom_text import parse_symptoms, symptom_lexicon
from queries.symptoms import SymptomRanker

MARFAN, CF, FMF, HUNTINGTON, NF1 = "OMIM:154700", "OMIM:219700", "OMIM:249100", "OMIM:143100", "OMIM:162200"
SUBSET = [MARFAN, CF, FMF, HUNTINGTON, NF1]
ARACHNODACTYLY = "HP:0001166"


@pytest.fixture(scope="module")
def lexicon():
    return symptom_lexicon(load_ontology())


@pytest.fixture
def hpo_store(store):
    summary = import_hpo(store, diseases=SUBSET)
    assert summary.diseases == 5
    return store


def test_import_writes_diseases_phenotypes_hierarchy_and_is_idempotent(store):
    first = import_hpo(store, diseases=SUBSET)
    delta = first.store_delta
    assert delta["nodes"]["Entity:Disease"] == 5
    assert delta["nodes"]["Entity:PhenotypicFeature"] == first.phenotypes
    assert delta["relationships"]["has_phenotype"] == first.has_phenotype
    assert delta["relationships"]["subclass_of"] == first.subclass_of
    rows = store.query("entities_by_id", ids=[MARFAN, ARACHNODACTYLY, "HP:0000001"])
    assert [(r["id"], r["category"], r["name"]) for r in rows] == [
        ("HP:0000001", "PhenotypicFeature", "All"),
        (ARACHNODACTYLY, "PhenotypicFeature", "Arachnodactyly"),
        (MARFAN, "Disease", "Marfan syndrome"),
    ]
    edge = store.query("disease_phenotype_edges", disease_ids=[MARFAN], ids=[ARACHNODACTYLY])
    assert edge[0]["primary_knowledge_source"] == HPO_ANNOTATIONS_SOURCE and edge[0]["pmids"] == []
    assert import_hpo(store, diseases=SUBSET).store_delta == {"nodes": {}, "relationships": {}}


def test_free_text_query_ranks_the_right_disease_first_with_evidence(hpo_store):
    hpo_store.upsert_relations([Relation(MARFAN, "has_phenotype", ARACHNODACTYLY, [
        Evidence("424242", "Arachnodactyly is typical of Marfan syndrome.", 0, 44, 0.9, "test-re", "1")])])
    result = SymptomRanker(hpo_store).search("Arachnodactyly, ectopia lentis and aortic root aneurysm", top=3)
    assert [t["label"] for t in result["present"]] == ["Arachnodactyly", "Ectopia lentis", "Aortic root aneurysm"]
    best = result["answers"][0]
    assert best["disease_id"] == MARFAN and best["disease_name"] == "Marfan syndrome"
    assert [m["query_label"] for m in best["matched"]] == ["Arachnodactyly", "Ectopia lentis", "Aortic root aneurysm"]
    assert best["missing"] == [] and best["parts"]["coverage"] == 1.0
    assert best["sources"] == [HPO_ANNOTATIONS_SOURCE, "infores:medkg"]
    assert best["pmids"] == ["424242"] and best["parts"]["evidence"] > 1.0
    # the text-mined match shows the sentence that states it; the curated-only ones have none
    assert best["matched"][0]["sentences"] == [
        {"pmid": "424242", "sentence": "Arachnodactyly is typical of Marfan syndrome.", "score": 0.9}]
    assert best["matched"][1]["sentences"] == []


def test_query_term_matches_a_disease_annotated_with_a_descendant(hpo_store):
    # "Abnormal lens morphology" is an ancestor of Marfan's "Ectopia lentis".
    answers = SymptomRanker(hpo_store).rank(["HP:0000517", "HP:0001166"], top=2)
    assert answers[0].disease_id == MARFAN
    lens, fingers = answers[0].matched
    assert lens.via_id == "HP:0000517" and lens.disease_phenotype_id in {"HP:0001083", "HP:0000518"}  # or cataract
    assert fingers.disease_phenotype_id == ARACHNODACTYLY


def test_negated_symptoms_are_excluded_and_penalise_diseases_that_have_them(hpo_store, lexicon):
    parsed = parse_symptoms("recurrent fever and abdominal pain, but no arthritis or headache; diarrhea absent",
                            lexicon)
    assert [t.label for t in parsed.present] == ["Recurrent fever", "Abdominal pain"]
    assert [t.label for t in parsed.absent] == ["Arthritis", "Headache", "Diarrhea"]
    ranker = SymptomRanker(hpo_store)
    plain = {a.disease_id: a for a in ranker.rank(["HP:0001954", "HP:0002027"])}
    negated = {a.disease_id: a for a in ranker.rank(["HP:0001954", "HP:0002027"], [t.term_id for t in parsed.absent])}
    assert negated[FMF].parts["negation"] == 0.125 and negated[FMF].score == pytest.approx(plain[FMF].score * 0.125)
    assert {c["label"] for c in negated[FMF].contradicted} == {"Arthritis", "Headache", "Diarrhea"}


def test_unrecognized_text_is_reported_with_close_matches(lexicon):
    parsed = parse_symptoms("fever, arachnodactily, xyzzy blorp, HP:0001250, -HP:0000988", lexicon)
    assert [(t.label, t.method) for t in parsed.present] == [
        ("Fever", "exact"), ("Arachnodactyly", "fuzzy"), ("Seizure", "curie")]
    assert [t.label for t in parsed.absent] == ["Skin rash"]
    [unknown] = parsed.unrecognized
    assert unknown.text == "xyzzy blorp" and len(unknown.close_matches) == 3
    assert all(m["similarity"] < lexicon.fuzzy_threshold for m in unknown.close_matches)


def test_items_after_max_items_are_counted_not_looked_up(lexicon):
    parsed = parse_symptoms("fever, qzva, qzvb; qzvc and cough, no qzvd or seizures, qzve", lexicon,
                            max_items=5, max_unrecognized=2)
    assert [t.label for t in parsed.present] == ["Fever", "Cough"]
    assert [u.text for u in parsed.unrecognized] == ["qzva", "qzvb"]
    assert parsed.unrecognized_omitted == 1  # qzvc
    assert parsed.ignored == 3  # qzvd, seizures, qzve
    assert parsed.absent == []


def test_broad_lay_synonyms_resolve_user_text_after_exact_names(lexicon):
    # "Rash" is only a BROAD synonym of Skin rash; the n-gram fallback alone answered Malar rash.
    parsed = parse_symptoms("rash, malar rash, big head", lexicon)
    assert [(t.label, t.method) for t in parsed.present] == [
        ("Skin rash", "broad"), ("Malar rash", "exact"), ("Macrocephaly", "broad")]


def test_metrics_on_a_toy_ranking():
    scores = [("A", 0.9), ("B", 0.5), ("C", 0.5), ("D", 0.1)]
    assert pessimistic_rank(scores, "A") == 1
    assert pessimistic_rank(scores, "B") == 3  # tied with C: counted behind it
    assert pessimistic_rank(scores, "D") == 4
    assert pessimistic_rank(scores, "Z") is None
    metrics = rank_metrics([1, 3, 4, None])
    assert metrics == {"top1": 0.25, "top3": 0.5, "top10": 0.75, "mrr": round((1 + 1 / 3 + 1 / 4) / 4, 4)}
