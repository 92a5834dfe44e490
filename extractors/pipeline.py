"""The extraction pipeline: small components, each ``list[Document] -> list[Document]``.

A component fills ``Document.mentions`` / ``entities`` / ``relations``; the pipeline's version (all
component versions together) is stored on every publication so that a re-run with a different
pipeline re-processes documents while an identical re-run skips them.

The default pipeline stores what NLM's indexing already says (MeSH headings and the chemical list become
``mentions`` links with ``source: mesh``), keeps mentions that a document already carries (PubTator/BioC gold
annotations) as text mentions, finds further text mentions with the shipped NER model and normalizes them to
CURIEs (:class:`extractors.normalize.Normalizer`). Relation extraction is still to come.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kg.schema import Category, Document, Entity, Mention, MentionSource


class Component(Protocol):
    name: str
    version: str

    def __call__(self, docs: list[Document]) -> list[Document]: ...


class MeshIndexing:
    """MeSH descriptors and registry chemicals indexed by NLM → entities and ``source: mesh`` mentions.

    Descriptors from the chemical list are ChemicalEntity; other headings keep the placeholder category
    until a vocabulary-aware component (normalization) knows better — stores never let a placeholder
    overwrite a known category.
    """

    name = "mesh-indexing"
    version = "1"

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            chemicals = {chem_id: name for chem_id, name in doc.chemicals}
            for heading in doc.mesh_headings:
                category = Category.CHEMICAL if heading.descriptor_id in chemicals else Category.NAMED_THING
                doc.entities.append(Entity(heading.descriptor_id, category, heading.descriptor_name))
                doc.mentions.append(Mention(0, 0, heading.descriptor_name, category, heading.descriptor_id,
                                            1.0, MentionSource.MESH))
            for chem_id, name in doc.chemicals:
                doc.entities.append(Entity(chem_id, Category.CHEMICAL, name))
                doc.mentions.append(Mention(0, 0, name, Category.CHEMICAL, chem_id, 1.0, MentionSource.MESH))
        return docs


class AnnotatedMentions:
    """Mentions a document already carries (PubTator/BioC annotations) → entities named by their text."""

    name = "annotated-mentions"
    version = "1"

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            for mention in doc.mentions:
                if mention.entity_id and mention.source == MentionSource.TEXT:
                    doc.entities.append(Entity(mention.entity_id, mention.category, mention.text))
        return docs


@dataclass(slots=True)
class Pipeline:
    components: Sequence[Component]

    @property
    def version(self) -> str:
        return "+".join(f"{c.name}@{c.version}" for c in self.components)

    def __call__(self, docs: list[Document]) -> list[Document]:
        for component in self.components:
            docs = component(docs)
        return docs


def default_pipeline(relations: bool = False, relation_min_score: float | None = None) -> Pipeline:
    """Gold/indexed mentions, NER and normalization; the NER model and the lexicon load once per process.

    ``relations`` adds the shipped relation extractor (a transformer pass per abstract, so it is opt-in:
    ``kg ingest --relations``). Its edges carry a calibrated probability of being right and, precision first,
    only those reaching the per-family default thresholds of ``models/re/calibration.json`` are emitted;
    ``relation_min_score`` replaces those thresholds (``0.0``: every low-floor candidate, for recall).
    """
    from extractors.ner.component import NerComponent
    from extractors.normalize.component import Normalizer

    components: list[Component] = [AnnotatedMentions(), MeshIndexing(), NerComponent(), Normalizer()]
    if relations:
        from extractors.relations.component import RelationExtractor

        components.append(RelationExtractor(min_score=relation_min_score))
    return Pipeline(components)
