"""A small, realistic graph written through the store protocol, used by the store and parity tests."""

from __future__ import annotations

from kg.schema import (
    Category,
    Entity,
    Evidence,
    MentionSource,
    PublicationMention,
    PublicationRecord,
    Relation,
)
from kg.store.base import GraphStore

FEVER, COUGH, CHEST_PAIN = "HP:0001945", "HP:0012735", "HP:0100749"
PNEUMONIA, INFLUENZA, MIGRAINE = "MESH:D011014", "MESH:D007251", "MESH:D008881"
CYP2D6, EGFR = "NCBIGene:1565", "NCBIGene:1956"
CODEINE, TAMOXIFEN, GEFITINIB, OSELTAMIVIR = "MESH:D003061", "MESH:D013629", "MESH:D000077156", "MESH:D053139"
BREAST_CANCER, LUNG_CANCER = "MESH:D001943", "MESH:D008175"

ENTITIES = [
    Entity(FEVER, Category.PHENOTYPE, "Fever", ("Pyrexia",)),
    Entity(COUGH, Category.PHENOTYPE, "Cough"),
    Entity(CHEST_PAIN, Category.PHENOTYPE, "Chest pain"),
    Entity(PNEUMONIA, Category.DISEASE, "Pneumonia"),
    Entity(INFLUENZA, Category.DISEASE, "Influenza, Human", ("Flu", "Grippe")),
    Entity(MIGRAINE, Category.DISEASE, "Migraine Disorders"),
    Entity(CYP2D6, Category.GENE, "CYP2D6"),
    Entity(EGFR, Category.GENE, "EGFR"),
    Entity(CODEINE, Category.DRUG, "Codeine"),
    Entity(TAMOXIFEN, Category.DRUG, "Tamoxifen"),
    Entity(GEFITINIB, Category.DRUG, "Gefitinib"),
    Entity(OSELTAMIVIR, Category.DRUG, "Oseltamivir"),
    Entity(BREAST_CANCER, Category.DISEASE, "Breast Neoplasms"),
    Entity(LUNG_CANCER, Category.DISEASE, "Lung Neoplasms"),
]

PUBLICATIONS = [
    PublicationRecord(str(pmid), 1, f"Demo title {pmid}", "Demo J", year, "", f"hash{pmid}", "test@1")
    for pmid, year in ((101, 2001), (102, 2005), (103, 2010), (104, 2015), (105, 2020))
]


def ev(pmid: int, score: float, *, negated: bool = False, speculative: bool = False, start: int = 0) -> Evidence:
    year = {101: 2001, 102: 2005, 103: 2010, 104: 2015, 105: 2020}[pmid]
    return Evidence(str(pmid), f"Sentence {start} of {pmid}.", start, start + 20, score, "test-re", "1",
                    negated=negated, speculative=speculative, year=year)


RELATIONS = [
    Relation(PNEUMONIA, "has_phenotype", FEVER, [ev(101, 0.9), ev(102, 0.7), ev(102, 0.8, start=40)]),
    Relation(PNEUMONIA, "has_phenotype", COUGH, [ev(101, 0.95)]),
    Relation(PNEUMONIA, "has_phenotype", CHEST_PAIN, [ev(103, 0.6)]),
    Relation(INFLUENZA, "has_phenotype", FEVER, [ev(104, 0.85)]),
    Relation(INFLUENZA, "has_phenotype", COUGH, [], primary_knowledge_source="infores:hpo-annotations"),
    Relation(MIGRAINE, "has_phenotype", FEVER, [ev(105, 0.5, negated=True)]),
    Relation(CODEINE, "affects", CYP2D6, [ev(103, 0.88), ev(104, 0.77, speculative=True)]),
    Relation(TAMOXIFEN, "physically_interacts_with", CYP2D6, [ev(105, 0.66)]),
    Relation(GEFITINIB, "decreases_activity_of", EGFR, [ev(104, 0.93)]),
    Relation(EGFR, "gene_associated_with_condition", LUNG_CANCER, [ev(104, 0.8)]),
    Relation(CYP2D6, "associated_with", BREAST_CANCER, [ev(105, 0.7)]),
    Relation(TAMOXIFEN, "treats", BREAST_CANCER, [ev(102, 0.9), ev(105, 0.85)]),
    Relation(GEFITINIB, "treats", LUNG_CANCER, [ev(103, 0.92)]),
    Relation(OSELTAMIVIR, "treats", INFLUENZA, [ev(101, 0.99)]),
]

MENTIONS = [
    PublicationMention("101", PNEUMONIA, MentionSource.MESH, major=True),
    PublicationMention("101", PNEUMONIA, MentionSource.TEXT, count=3),
    PublicationMention("101", FEVER, MentionSource.TEXT),
    PublicationMention("104", EGFR, MentionSource.TEXT, count=2),
    PublicationMention("105", TAMOXIFEN, MentionSource.MESH),
]


PAROXETINE, CONSTIPATION = "MESH:D017374", "MESH:D003248"
CLINICAL_ENTITIES = [
    Entity(PAROXETINE, Category.DRUG, "Paroxetine"),
    Entity(CONSTIPATION, Category.DISEASE, "Constipation"),
]
CLINICAL_RELATIONS = [
    Relation(CODEINE, "causes", CONSTIPATION, [ev(102, 0.91)]),
    Relation(PAROXETINE, "interacts_with", TAMOXIFEN, [ev(105, 0.8)]),
    Relation(PAROXETINE, "decreases_activity_of", CYP2D6, [], primary_knowledge_source="infores:drugcentral"),
    Relation(CYP2D6, "affects", TAMOXIFEN, [ev(101, 0.7)]),  # metabolism to endoxifen
]
"""Adverse effects, drug interactions and gene → drug edges, kept apart so that counts of the core graph stay."""


def build_clinical(store: GraphStore) -> None:
    store.upsert_entities(CLINICAL_ENTITIES)
    store.upsert_relations(CLINICAL_RELATIONS)
    store.flush()


def build(store: GraphStore) -> None:
    store.upsert_publications(PUBLICATIONS)
    store.upsert_entities(ENTITIES)
    store.upsert_mentions(MENTIONS)
    store.upsert_relations(RELATIONS)
    store.flush()
