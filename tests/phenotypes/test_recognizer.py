"""``PhenotypeRecognizer``: longest dictionary matches as PhenotypicFeature mentions whose offsets slice the text,
short forms defined in the document, NER Disease mentions left as they are, odd input."""

from __future__ import annotations

import time

import pytest

from extractors.phenotypes.recognizer import KIND_SCORES, SHORT_FORM_FACTOR, PhenotypeRecognizer
from extractors.pipeline import Pipeline
from kg.schema import Category, Document, Mention, MentionSource


def spans(mentions: list[Mention]) -> list[tuple[str, str | None]]:
    return [(m.text, m.entity_id) for m in mentions]


def assert_offsets_slice(doc: Document, mentions: list[Mention]) -> None:
    for m in mentions:
        assert doc.text[m.start:m.end] == m.text, m
        assert m.category == Category.PHENOTYPE and m.source == MentionSource.TEXT
        assert m.entity_id and m.entity_id.startswith("HP:") and 0 < m.score <= 1


def test_longest_match_wins(recognizer: PhenotypeRecognizer) -> None:
    doc = Document("1", "Short stature in a boy.", "His stature was normal; his sister had short stature.")
    found = recognizer.recognize(doc)
    assert spans(found) == [("Short stature", "HP:0004322"), ("short stature", "HP:0004322")]
    assert_offsets_slice(doc, found)
    assert found[0].start == 0 and found[1].start == doc.text.rindex("short stature")


def test_a_longer_name_takes_the_words_and_its_head_is_nested(recognizer: PhenotypeRecognizer) -> None:
    doc = Document("1", "", "She had an atrial septal defect.")
    assert spans(recognizer.recognize(doc)) == [("atrial septal defect", "HP:0001631"),
                                                ("septal defect", "HP:0001671")]
    flat = PhenotypeRecognizer(recognizer.dictionary, nested=False)
    assert spans(flat.recognize(doc)) == [("atrial septal defect", "HP:0001631")]


def test_a_one_word_head_counts_only_after_adjectives(recognizer: PhenotypeRecognizer) -> None:
    found = spans(recognizer.recognize(Document("1", "", "Ulcerative colitis and basal cell carcinoma.")))
    assert ("colitis", "HP:0002583") in found
    assert ("carcinoma", "HP:0030731") not in found and ("basal cell carcinoma", "HP:0002671") in found


def test_matches_do_not_cross_punctuation(recognizer: PhenotypeRecognizer) -> None:
    found = spans(recognizer.recognize(Document("1", "", "Patients were short. Stature was not measured.")))
    assert found == []


def test_scores_follow_how_the_name_belongs_to_the_term(recognizer: PhenotypeRecognizer) -> None:
    found = recognizer.recognize(Document("1", "", "Fever and pyrexia."))
    assert [(m.entity_id, m.score) for m in found] == [("HP:0001945", KIND_SCORES[0]),
                                                       ("HP:0001945", KIND_SCORES[1])]


def test_short_forms_defined_in_the_document(recognizer: PhenotypeRecognizer) -> None:
    doc = Document("1", "ASD in a family.", "Three had an atrial septal defect (ASD). ASD was closed in two; "
                   "ASD-related symptoms and ASDs are not the short form.")
    found = recognizer.recognize(doc)
    assert_offsets_slice(doc, found)
    asd = [m for m in found if m.text == "ASD"]
    definition = doc.text.index("(ASD)") + 1
    # the title's ASD comes before the definition; the definition itself and later uses are mentions
    assert [m.start for m in asd] == [definition, doc.text.index("ASD was")]
    assert all(m.entity_id == "HP:0001631" for m in asd)
    assert asd[0].score == round(KIND_SCORES[0] * SHORT_FORM_FACTOR, 4)


def test_an_undefined_abbreviation_is_no_mention(recognizer: PhenotypeRecognizer) -> None:
    assert recognizer.recognize(Document("1", "", "ASD was found in two of the children.")) == []


def test_the_document_gets_phenotype_entities_named_by_the_hpo(recognizer: PhenotypeRecognizer) -> None:
    doc = Document("1", "", "Seizures, seizures and short stature.")
    recognizer([doc])
    assert [(e.id, e.category, e.name) for e in doc.entities] == [
        ("HP:0001250", Category.PHENOTYPE, "Seizure"), ("HP:0004322", Category.PHENOTYPE, "Short stature")]
    assert len(doc.mentions) == 3


@pytest.mark.parametrize("doc", [
    Document("empty", "", ""),
    Document("title", "Short stature", ""),
    Document("emoji", "\U0001f600", "\U0001f912 fever \U0001f600\U0001f600 and seizures \U0001f912"),
    Document("nbsp", "", "Short\u00a0stature and\u00a0ataxia."),
    Document("fullwidth", "\uff33\uff48\uff4f\uff52\uff54 \uff53\uff54\uff41\uff54\uff55\uff52\uff45", ""),
    Document("soft hyphen", "", "sei\u00adzures and \u200bfever\u200b"),
    Document("punctuation", "((((", ")))) ((ASD)) (ASD) [ ] - / ' \u2019"),
])
def test_odd_input_does_not_crash_and_offsets_slice_the_text(recognizer: PhenotypeRecognizer,
                                                             doc: Document) -> None:
    found = recognizer.recognize(doc)
    assert_offsets_slice(doc, found)


def test_odd_characters_are_read_through(recognizer: PhenotypeRecognizer) -> None:
    nbsp = recognizer.recognize(Document("1", "", "Short\u00a0stature and\u00a0ataxia."))
    assert spans(nbsp) == [("Short\u00a0stature", "HP:0004322"), ("ataxia", "HP:0001251")]
    wide = recognizer.recognize(Document("1", "\uff33\uff48\uff4f\uff52\uff54 \uff53\uff54\uff41\uff54\uff55\uff52"
                                              "\uff45", ""))
    assert [m.entity_id for m in wide] == ["HP:0004322"]
    emoji = recognizer.recognize(Document("1", "", "\U0001f912 fever \U0001f600 and seizures"))
    assert [m.entity_id for m in emoji] == ["HP:0001945", "HP:0001250"]


def test_a_very_long_abstract_stays_bounded(recognizer: PhenotypeRecognizer) -> None:
    sentence = "A girl with short stature presented with seizures, ataxia and fever. "
    doc = Document("long", "Long", sentence * 1000)
    started = time.perf_counter()
    found = recognizer.recognize(doc)
    assert time.perf_counter() - started < 10
    assert len(found) == 4000
    assert_offsets_slice(doc, found[:8] + found[-8:])
    assert len(recognizer.recognize(Document("x", "", "seizures " * 20_000))) == 20_000


@pytest.fixture(scope="module")
def before_and_after(pipeline: Pipeline) -> tuple[list[Document], list[list[Mention]]]:
    """Documents through the default pipeline's components up to the phenotype recognizer (the mentions then
    recorded), then through the rest."""
    docs = [
        Document("1", "Marfan syndrome and scoliosis.",
                 "Marfan syndrome is characterized by arachnodactyly and scoliosis. Seizures and basal cell "
                 "carcinoma were also seen."),
        Document("2", "", "Patients with Crohn disease had fever, diarrhoea and anaemia."),
    ]
    names = [c.name for c in pipeline.components]
    first = names.index("phenotypes")
    for component in pipeline.components[:first]:
        docs = component(docs)
    before = [list(d.mentions) for d in docs]
    for component in pipeline.components[first:]:
        docs = component(docs)
    return docs, before


def test_diseases_stay_diseases(before_and_after: tuple[list[Document], list[list[Mention]]]) -> None:
    docs, before = before_and_after
    for doc, earlier in zip(docs, before, strict=True):
        diseases_before = [m for m in earlier if m.category == Category.DISEASE]
        diseases_after = [m for m in doc.mentions if m.category == Category.DISEASE]
        assert diseases_before and diseases_after == diseases_before
        assert doc.mentions[:len(earlier)] == earlier  # nothing the earlier components found is changed
        added = doc.mentions[len(earlier):]
        assert added and all(m.category == Category.PHENOTYPE for m in added)
        assert_offsets_slice(doc, added)
    marfan = {m.entity_id for m in docs[0].mentions if m.category == Category.DISEASE}
    assert "MESH:D008382" in marfan  # Marfan syndrome is still a MeSH disease
    phenotypes = {m.entity_id for m in docs[0].mentions if m.category == Category.PHENOTYPE}
    assert {"HP:0001166", "HP:0002650", "HP:0001250", "HP:0002671"} <= phenotypes
    # a span that both vocabularies name is a mention of each
    carcinoma = [m for m in docs[0].mentions if m.text == "basal cell carcinoma"]
    assert {m.category for m in carcinoma} == {Category.DISEASE, Category.PHENOTYPE}


def ner_disease(text: str, name: str, curie: str) -> Mention:
    start = text.index(name)
    return Mention(start, start + len(name), name, Category.DISEASE, curie, 0.97, MentionSource.TEXT)


@pytest.mark.parametrize(("name", "expected"), [
    ("calcification of the falx cerebri", "HP:0005462"),  # Calcification of falx cerebri, near enough
    ("branchial fistulae", "HP:0009795"),  # Branchial fistula
])
def test_ner_disease_spans_take_close_hpo_names(recognizer: PhenotypeRecognizer, name: str, expected: str) -> None:
    text = f"She had {name}."
    doc = Document("1", text, "", mentions=[ner_disease(text, name, "MESH:D000001")])
    found = recognizer.recognize(doc)
    assert spans(found) == [(name, expected)]
    assert_offsets_slice(doc, found)


@pytest.mark.parametrize(("name", "wrong"), [
    ("haemorrhage", "HP:0040184"),  # not Oral bleeding
    ("infection", "HP:0002754"),  # not Osteomyelitis
])
def test_ner_disease_spans_are_not_given_other_concepts_that_merely_sound_alike(recognizer: PhenotypeRecognizer,
                                                                                name: str, wrong: str) -> None:
    text = f"She had {name}."
    doc = Document("1", text, "", mentions=[ner_disease(text, name, "MESH:D000001")])
    assert wrong not in {m.entity_id for m in recognizer.recognize(doc)}
