"""The ``Normalizer`` pipeline component on real documents: ids, scores, entities, abbreviations, local ids."""

from __future__ import annotations

import time

from extractors.normalize.abbreviations import abbreviations, defined_by_mentions
from kg.schema import Category, Document, Entity, Mention, MentionSource


def _mention(text: str, doc_text: str, category: Category) -> Mention:
    start = doc_text.index(text)
    return Mention(start, start + len(text), text, category)


def test_abbreviations_are_found_in_the_text():
    found = abbreviations("Patients with chronic kidney disease (CKD) were studied. CKD was staged.")
    assert found == {"CKD": "chronic kidney disease"}
    assert abbreviations("") == {}


def test_mentions_get_ids_scores_and_entities(normalizer):
    doc = Document("1", title="CYP2D6 poor metabolizers and myocardial infarction (MI) after cocaine use",
                   abstract="MI was frequent. Fever and zorbulitis were reported.")
    text = doc.text
    doc.mentions = [
        _mention("CYP2D6", text, Category.GENE),
        _mention("myocardial infarction", text, Category.DISEASE),
        Mention(text.index("MI was"), text.index("MI was") + 2, "MI", Category.DISEASE),
        _mention("cocaine", text, Category.CHEMICAL),
        _mention("Fever", text, Category.PHENOTYPE),
        _mention("zorbulitis", text, Category.DISEASE),
        Mention(0, 0, "gold", Category.DISEASE, "MESH:D003924", 1.0, MentionSource.TEXT),
    ]
    normalizer([doc])
    ids = [m.entity_id for m in doc.mentions]
    assert ids[:5] == ["NCBIGene:1565", "MESH:D009203", "MESH:D009203", "MESH:D003042", "HP:0001945"]
    assert ids[5].startswith("medkg:Disease:") and doc.mentions[5].score == 0.0
    assert ids[6] == "MESH:D003924"  # a mention that already has an id is left alone
    assert 0.9 <= doc.mentions[2].score < 1.0  # found through the abbreviation
    entities = {e.id: e for e in doc.entities}
    assert entities["NCBIGene:1565"].name == "CYP2D6" and entities["NCBIGene:1565"].category == Category.GENE
    assert entities["MESH:D009203"].name == "Myocardial Infarction"
    assert ids[5] in entities  # unmappable: kept with a local id, not dropped
    assert normalizer.counts["local"] >= 1


def test_placeholder_categories_of_mesh_headings_are_refined(normalizer):
    doc = Document("2", title="t")
    doc.entities = [Entity("MESH:D009203", Category.NAMED_THING, "Myocardial Infarction"),
                    Entity("MESH:D000818", Category.NAMED_THING, "Animals")]
    normalizer([doc])
    assert [e.category for e in doc.entities] == [Category.DISEASE, Category.NAMED_THING]


def test_bad_documents_do_not_break_the_batch(normalizer):
    huge = "Myocardial infarction (MI) and fever. " * 28_000  # ~1 MB
    docs = [Document("e", title=""), Document("p", title="?!?!.,;"), Document("h", title=huge),
            Document("m", title="心肌梗死 (MI) and myocardial infarction; Лихорадка")]
    docs[2].mentions = [Mention(0, 21, "Myocardial infarction", Category.DISEASE)]
    docs[3].mentions = [Mention(0, 4, "心肌梗死", Category.DISEASE), Mention(14, 35, "myocardial infarction",
                                                                        Category.DISEASE)]
    start = time.perf_counter()
    normalizer(docs)
    assert time.perf_counter() - start < 30
    assert docs[2].mentions[0].entity_id == "MESH:D009203"
    assert docs[3].mentions[0].entity_id.startswith("medkg:Disease:")
    assert docs[3].mentions[1].entity_id == "MESH:D009203"


def test_resolve_api(normalizer):
    assert normalizer.resolve("CYP2D6", "Gene").curie == "NCBIGene:1565"
    assert normalizer.resolve("fever", "PhenotypicFeature").curie == "HP:0001945"
    assert normalizer.resolve("rs1065852", Category.VARIANT).curie == "dbSNP:rs1065852"
    variant = normalizer.resolve("a 32-bp deletion", Category.VARIANT)  # no normal form: a local id
    assert variant.is_local and variant.curie.startswith("medkg:SequenceVariant:")


def test_short_forms_defined_by_a_mention_before_the_parenthesis(normalizer):
    # Schwartz & Hearst's detector misses these: "(DOX)-induced", "(PAN, 7.5 mg/kg)", "(ATT-ALF)", letters of DM
    doc = Document("3", title="Doxorubicin (DOX)-induced cardiotoxicity.",
                   abstract="Puromycin aminonucleoside (PAN, 7.5 mg/kg) was given. Myotonic dystrophy (DM) and "
                            "acute liver failure (ATT-ALF) were seen. Later: DOX; PAN; DM; ALF.")
    text = doc.text
    later = text.index("Later")
    spans = [("Doxorubicin", Category.CHEMICAL), ("Puromycin aminonucleoside", Category.CHEMICAL),
             ("Myotonic dystrophy", Category.DISEASE), ("acute liver failure", Category.DISEASE)]
    shorts = [("DOX", Category.CHEMICAL), ("PAN", Category.CHEMICAL), ("DM", Category.DISEASE),
              ("ALF", Category.DISEASE)]
    doc.mentions = [_mention(t, text, c) for t, c in spans]
    for short, category in shorts:
        start = text.index(short, later)
        doc.mentions.append(Mention(start, start + len(short), short, category))
    assert defined_by_mentions(text, [(m.text, m.category) for m in doc.mentions]) == {
        "DOX": "Doxorubicin", "PAN": "Puromycin aminonucleoside", "DM": "Myotonic dystrophy",
        "ALF": "acute liver failure"}
    normalizer([doc])
    ids = {m.text: m.entity_id for m in doc.mentions}
    assert ids["DOX"] == ids["Doxorubicin"] == "MESH:D004317"
    assert ids["PAN"] == ids["Puromycin aminonucleoside"] == "MESH:D011692"
    assert ids["DM"] == ids["Myotonic dystrophy"] == "MESH:D009223"
    assert ids["ALF"] == ids["acute liver failure"] == "MESH:D017114"
    # a mention of another category, or one whose letters do not agree, defines nothing
    assert defined_by_mentions(text, [("Doxorubicin", Category.DISEASE), ("DOX", Category.CHEMICAL)]) == {}
    assert defined_by_mentions("aspirin (DOX) was given", [("aspirin", Category.CHEMICAL),
                                                           ("DOX", Category.CHEMICAL)]) == {}
    assert defined_by_mentions("use of benzodiazepines (BZDs/RDs)", [("benzodiazepines", Category.CHEMICAL),
                                                                    ("BZDs", Category.CHEMICAL)]) == {
        "BZDs": "benzodiazepines"}
