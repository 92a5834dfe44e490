"""Phenotypes through the public entry point ``default_pipeline``: HPO-identified PhenotypicFeature mentions and
entities on hand-written documents, odd input included."""

from __future__ import annotations

import pytest

from extractors.pipeline import Pipeline
from kg.schema import Category, Document, MentionSource, Predicate


@pytest.fixture(scope="module")
def processed(pipeline: Pipeline) -> dict[str, Document]:
    docs = [
        Document("31000001", "Short stature and seizures in a family with Marfan syndrome.",
                 "We describe three siblings with short stature, recurrent seizures and scoliosis. Two had "
                 "intellectual disability; none had fever."),
        Document("31000002", "Retinal haemorrhages in an infant.",
                 "An infant presented with retinal haemorrhages, anaemia and oedema of the legs."),
        Document("empty", "", ""),
        Document("title-only", "Ataxia and nystagmus", ""),
        Document("odd", "\U0001f600", "Short\u00a0stature \U0001f912 and \uff53\uff45\uff49\uff5a\uff55\uff52\uff45"
                 "\uff53."),
        Document("long", "Long", "A girl with Marfan syndrome presented with scoliosis and seizures. " * 200),
    ]
    return {d.pmid: d for d in pipeline(docs)}


def phenotypes(doc: Document) -> dict[str, str]:
    return {m.text: str(m.entity_id) for m in doc.mentions
            if m.category == Category.PHENOTYPE and m.source == MentionSource.TEXT}


def test_the_default_pipeline_has_the_phenotype_components(pipeline: Pipeline) -> None:
    names = [c.name for c in pipeline.components]
    assert names[-2:] == ["phenotypes", "phenotype-statements"]
    assert "phenotypes@" in pipeline.version and "phenotype-statements@" in pipeline.version


def test_phenotype_mentions_with_hpo_ids(processed: dict[str, Document]) -> None:
    assert phenotypes(processed["31000001"]).items() >= {
        "Short stature": "HP:0004322", "seizures": "HP:0001250", "short stature": "HP:0004322",
        "scoliosis": "HP:0002650", "intellectual disability": "HP:0001249", "fever": "HP:0001945"}.items()
    assert phenotypes(processed["31000002"]).items() >= {
        "Retinal haemorrhages": "HP:0000573", "retinal haemorrhages": "HP:0000573", "anaemia": "HP:0001903"}.items()
    assert phenotypes(processed["title-only"]) == {"Ataxia": "HP:0001251", "nystagmus": "HP:0000639"}


def test_phenotype_entities_carry_hpo_names(processed: dict[str, Document]) -> None:
    entities = {e.id: e for e in processed["31000001"].entities if e.category == Category.PHENOTYPE}
    assert entities["HP:0004322"].name == "Short stature" and entities["HP:0001250"].name == "Seizure"
    assert len({e.id for e in processed["31000001"].entities}) == len(processed["31000001"].entities)


def test_offsets_slice_the_text(processed: dict[str, Document]) -> None:
    for doc in processed.values():
        for mention in doc.mentions:
            if mention.source == MentionSource.TEXT:
                assert doc.text[mention.start:mention.end] == mention.text, (doc.pmid, mention)


def test_odd_input(processed: dict[str, Document]) -> None:
    assert processed["empty"].mentions == [] and processed["empty"].relations == []
    assert set(phenotypes(processed["odd"]).values()) == {"HP:0004322", "HP:0001250"}
    long = processed["long"]
    assert len([m for m in long.mentions if m.category == Category.PHENOTYPE]) == 400
    relations = [r for r in long.relations if r.predicate == Predicate.HAS_PHENOTYPE]
    # one relation per pair and sentence: 2 pairs in each of the 200 sentences
    assert len(relations) == 400
    assert {(r.subject, r.object) for r in relations} == {("MESH:D008382", "HP:0002650"),
                                                          ("MESH:D008382", "HP:0001250")}
