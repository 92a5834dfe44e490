"""Chinese symptom input: segmentation, CC-CEDICT readings, grounding in HPO, negation, mixed and bad input."""

from __future__ import annotations

import pytest

from kg.ontology import load_ontology
from queries.symptoms import _lexicon, parse_symptoms, quantity_variants


@pytest.fixture(scope="module")
def lexicon():
    return _lexicon(load_ontology())


def _read(parsed):
    return [(t.text, t.label, t.negated) for t in parsed.present + parsed.absent]


def test_the_source_question_is_read_phrase_by_phrase(lexicon):
    parsed = parse_symptoms("咳嗽，痰多，发热", lexicon)
    assert _read(parsed) == [("咳嗽", "Cough", False), ("痰多", "Increased sputum production", False),
                             ("发热", "Fever", False)]
    assert all(t.method == "translated" and t.reading for t in parsed.present)
    assert parsed.present[1].reading == "phlegm much"


@pytest.mark.parametrize(("text", "label"), [
    ("头痛", "Headache"), ("關節痛", "Arthralgia"), ("喉咙痛", "Pharyngalgia"), ("体重减轻", "Decreased body weight"),
    ("多尿", "Polyuria"), ("乏力", "Asthenia"), ("腹泻", "Diarrhea"), ("發熱", "Fever"), ("食欲不振", "Poor appetite"),
])
def test_words_and_compounds(lexicon, text, label):
    assert [t.label for t in parse_symptoms(text, lexicon).present] == [label]


def test_negation_mixed_language_emoji_and_junk(lexicon):
    assert _read(parse_symptoms("无发热，没有皮疹", lexicon)) == [("无发热", "Fever", True),
                                                          ("没有皮疹", "Skin rash", True)]
    parsed = parse_symptoms("fever, 咳嗽 and much sputum, no rash 😷", lexicon)
    assert {(t.label, t.negated) for t in parsed.present + parsed.absent} == {
        ("Fever", False), ("Cough", False), ("Increased sputum production", False), ("Skin rash", True)}
    unknown = parse_symptoms("的的的，鑫", lexicon)
    assert not unknown.present and unknown.unrecognized
    long = parse_symptoms("，".join(["咳嗽"] * 5000), lexicon)
    assert [t.label for t in long.present] == ["Cough"]


def test_amounts_in_english(lexicon):
    assert quantity_variants("much sputum") == ["increased sputum"]
    assert quantity_variants("phlegm much") == ["increased phlegm"]
    assert quantity_variants("fever") == []
    assert [t.label for t in parse_symptoms("much sputum", lexicon).present] == ["Increased sputum production"]
