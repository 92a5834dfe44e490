"""Drug-induced disorders get MeSH's drug-induced descriptor, in every mention of the document, only when the text
attributes them to a cause."""

from __future__ import annotations

from extractors.normalize.component import Normalizer
from extractors.normalize.drug_induced import attributed_to_cause
from kg.schema import Category, Document, Mention


def _mentions(doc: Document, *spans: tuple[str, Category, int]) -> list[Mention]:
    """Mentions of ``(text, category, occurrence)``: the occurrence-th appearance of text in the document."""
    out, text = [], doc.text
    for phrase, category, nth in spans:
        start = -1
        for _ in range(nth + 1):
            start = text.index(phrase, start + 1)
        out.append(Mention(start, start + len(phrase), phrase, category))
    return out


def test_a_caused_disorder_takes_the_drug_induced_descriptor_in_all_its_mentions(normalizer: Normalizer):
    doc = Document("1", title="Levodopa-induced dyskinesia in Parkinson disease.",
                   abstract="Dyskinesia developed in 30% of patients. Akathisia was induced by haloperidol.")
    doc.mentions = _mentions(doc, ("Levodopa", Category.CHEMICAL, 0), ("dyskinesia", Category.DISEASE, 0),
                             ("Parkinson disease", Category.DISEASE, 0), ("Dyskinesia", Category.DISEASE, 0),
                             ("Akathisia", Category.DISEASE, 0))
    normalizer([doc])
    ids = [m.entity_id for m in doc.mentions]
    assert ids == ["MESH:D007980", "MESH:D004409", "MESH:D010300", "MESH:D004409", "MESH:D017109"]
    entities = {e.id: e.name for e in doc.entities}
    assert entities["MESH:D004409"] == "Dyskinesia, Drug-Induced"
    assert "MESH:D020820" not in entities  # the general Dyskinesias has no mention left
    assert not any(e.startswith("medkg:") for e in entities)  # "akathisia" is named, not a local id
    assert doc.mentions[4].score == 0.85


def test_without_a_cause_the_general_descriptor_stays(normalizer: Normalizer):
    doc = Document("2", title="Dyskinesia and hepatitis in a cohort.", abstract="Dyskinesia was rare.")
    doc.mentions = _mentions(doc, ("Dyskinesia", Category.DISEASE, 0), ("hepatitis", Category.DISEASE, 0),
                             ("Dyskinesia", Category.DISEASE, 1))
    normalizer([doc])
    assert [m.entity_id for m in doc.mentions] == ["MESH:D020820", "MESH:D006505", "MESH:D020820"]
    off = Normalizer(normalizer.lexicon, table=normalizer.table, drug_induced=False)
    assert off.version != normalizer.version


def test_cues_stay_inside_the_sentence():
    text = "Patients were induced. Hepatitis followed. Hepatitis caused by isoniazid."
    first = text.index("Hepatitis")
    assert not attributed_to_cause(text, first, first + 9)  # "induced." ends the sentence before it
    second = text.index("Hepatitis", first + 1)
    assert attributed_to_cause(text, second, second + 9)
    assert attributed_to_cause("an isoniazid-related hepatitis", 21, 30)
