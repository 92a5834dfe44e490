"""Candidate generation, sentences and the Biolink mapping of relation types."""

from __future__ import annotations

from extractors.relations.candidates import build_reldoc, candidate_pairs, group_entities, join_split_mentions
from extractors.relations.labels import biolink_predicate, compatible
from kg.schema import Category, Predicate

C, D, G, V, T = Category.CHEMICAL, Category.DISEASE, Category.GENE, Category.VARIANT, Category.TAXON


def test_biolink_mapping_is_directed_for_chemical_disease():
    assert biolink_predicate("Negative_Correlation", C, D) == Predicate.TREATS
    assert biolink_predicate("Positive_Correlation", C, D) == Predicate.CAUSES
    assert biolink_predicate("CID", C, D) == Predicate.CAUSES
    assert biolink_predicate("Negative_Correlation", C, G) == Predicate.NEGATIVELY_CORRELATED_WITH
    assert biolink_predicate("Positive_Correlation", G, D) == Predicate.POSITIVELY_CORRELATED_WITH
    assert biolink_predicate("Association", G, D) == Predicate.ASSOCIATED_WITH
    assert biolink_predicate("Bind", C, G) == Predicate.PHYSICALLY_INTERACTS_WITH
    assert biolink_predicate("Drug_Interaction", C, C) == Predicate.INTERACTS_WITH
    assert biolink_predicate("Cotreatment", C, C) == Predicate.INTERACTS_WITH
    assert biolink_predicate("Comparison", C, C) == Predicate.ASSOCIATED_WITH
    assert biolink_predicate("Conversion", C, C) == Predicate.AFFECTS
    assert biolink_predicate("Negative_Correlation", Category.DRUG, Category.PHENOTYPE) == Predicate.TREATS


def test_compatible_pairs_follow_biored():
    assert compatible(C, D) and compatible(G, G) and compatible(V, D) and compatible(C, C)
    assert not compatible(D, D) and not compatible(T, G) and not compatible(G, V)


def test_sentences_come_from_the_shared_segmentation_and_keep_a_mention_whole():
    title = "Aspirin and asthma."
    text = title + " Dr. Smith gave aspirin. It caused asthma in 3 of 10 patients! No other effect was seen."
    doc = build_reldoc("1", text, len(title), [])
    assert [text[s:e] for s, e in doc.sentences] == [
        "Aspirin and asthma.", "Dr. Smith gave aspirin.", "It caused asthma in 3 of 10 patients!",
        "No other effect was seen.",
    ]
    # a mention across a boundary joins its two sentences
    assert join_split_mentions([(0, 10), (11, 20), (21, 30)], [(8, 13)]) == [(0, 20), (21, 30)]


def test_entities_group_mentions_and_pairs_are_canonical():
    text = "BRCA1 and cisplatin in breast cancer; cisplatin. Mice too."
    mentions = [
        ("NCBIGene:672", G, (0, 5), "BRCA1"), ("MESH:D002945", C, (10, 19), "cisplatin"),
        ("MESH:D001943", D, (23, 36), "breast cancer"), ("MESH:D002945", C, (38, 47), "cisplatin"),
        ("NCBITaxon:10090", T, (49, 53), "Mice"),
    ]
    entities = group_entities(mentions)
    assert [e.id for e in entities] == ["NCBIGene:672", "MESH:D002945", "MESH:D001943", "NCBITaxon:10090"]
    assert entities[1].spans == [(10, 19), (38, 47)]
    pairs = candidate_pairs(entities)
    # chemical first, then gene, variant, disease; the taxon takes part in no pair
    assert sorted(pairs) == sorted([(1, 0), (1, 2), (0, 2)])
    doc = build_reldoc("1", text, 0, mentions)
    assert doc.pairs == pairs and len(doc.entities) == 4


def test_categories_without_relations_are_left_out():
    entities = group_entities([("X:1", Category.NAMED_THING, (0, 1), "x"), ("MESH:D1", D, (2, 3), "y")])
    assert [e.id for e in entities] == ["MESH:D1"]
