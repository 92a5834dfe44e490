"""Typed data classes that cross every boundary of medkg: readers, pipeline, stores and queries.

Categories and predicates follow the Biolink model (https://biolink.github.io/biolink-model/):
categories are stored without the ``biolink:`` prefix (``Disease``), predicates in snake_case
(``treats``) so that they can be used directly as relationship types in Cypher.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from kg.curie import normalize_curie


class Category(StrEnum):
    """Biolink entity categories used as the ``category`` of every entity."""

    DISEASE = "Disease"
    CHEMICAL = "ChemicalEntity"
    DRUG = "Drug"
    GENE = "Gene"
    PHENOTYPE = "PhenotypicFeature"
    VARIANT = "SequenceVariant"
    TAXON = "OrganismTaxon"
    CELL_LINE = "CellLine"
    NAMED_THING = "NamedThing"


class Predicate(StrEnum):
    """Biolink predicates (snake_case) allowed as relationship types between entities."""

    ASSOCIATED_WITH = "associated_with"
    POSITIVELY_CORRELATED_WITH = "positively_correlated_with"
    NEGATIVELY_CORRELATED_WITH = "negatively_correlated_with"
    PHYSICALLY_INTERACTS_WITH = "physically_interacts_with"
    INTERACTS_WITH = "interacts_with"
    CAUSES = "causes"
    TREATS = "treats"
    HAS_PHENOTYPE = "has_phenotype"
    AFFECTS = "affects"
    INCREASES_EXPRESSION_OF = "increases_expression_of"
    DECREASES_EXPRESSION_OF = "decreases_expression_of"
    INCREASES_ACTIVITY_OF = "increases_activity_of"
    DECREASES_ACTIVITY_OF = "decreases_activity_of"
    GENE_ASSOCIATED_WITH_CONDITION = "gene_associated_with_condition"
    SUBCLASS_OF = "subclass_of"


class MentionSource(StrEnum):
    """Where a publication→entity link comes from."""

    TEXT = "text"  # found by NER in the title/abstract
    MESH = "mesh"  # NLM indexing (MeSH headings, chemical list): high precision, no offsets


TEXT_MINED_SOURCE = "infores:medkg"
"""``primary_knowledge_source`` of every edge that medkg extracts from text itself."""


@dataclass(frozen=True, slots=True)
class MeshHeading:
    descriptor_id: str  # CURIE, e.g. MESH:D003924
    descriptor_name: str
    major_topic: bool = False
    qualifiers: tuple[str, ...] = ()


@dataclass(slots=True)
class Entity:
    """A normalized concept: one node in the graph, keyed by its CURIE."""

    id: str
    category: Category
    name: str = ""
    synonyms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.id = normalize_curie(self.id)
        self.category = Category(self.category)


@dataclass(slots=True)
class Mention:
    """A span of a document that refers to an entity (character offsets into ``Document.text``)."""

    start: int
    end: int
    text: str
    category: Category
    entity_id: str | None = None  # CURIE after normalization; None if not (yet) normalized
    score: float = 1.0
    source: MentionSource = MentionSource.TEXT


@dataclass(slots=True)
class Evidence:
    """One statement supporting a relation: a sentence of one publication, as scored by one extractor."""

    pmid: str
    sentence: str
    start: int  # sentence offsets into the document text
    end: int
    score: float
    extractor: str
    extractor_version: str
    negated: bool = False
    speculative: bool = False
    year: int | None = None

    @property
    def supports(self) -> bool:
        """Negated ("did not inhibit") and speculative ("may cause") statements are kept but do not count."""
        return not (self.negated or self.speculative)

    def key(self, subject: str, predicate: str, object_: str) -> str:
        """Stable identity of this evidence item, so that re-ingesting a document never duplicates it."""
        raw = "|".join(
            (self.pmid, subject, predicate, object_, str(self.start), str(self.end), self.extractor)
        )
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Relation:
    """A typed edge between two entities with the evidence found for it in one batch of documents."""

    subject: str
    predicate: Predicate
    object: str
    evidence: list[Evidence] = field(default_factory=list)
    primary_knowledge_source: str = TEXT_MINED_SOURCE

    def __post_init__(self) -> None:
        self.subject = normalize_curie(self.subject)
        self.object = normalize_curie(self.object)
        self.predicate = Predicate(self.predicate)

    @property
    def edge_key(self) -> str:
        return edge_key(self.subject, self.predicate, self.object)


def edge_key(subject: str, predicate: str, object_: str) -> str:
    return f"{subject}|{predicate}|{object_}"


@dataclass(slots=True)
class Document:
    """A PubMed citation (title + abstract and NLM indexing) and, after the pipeline, what was found in it."""

    pmid: str
    title: str = ""
    abstract: str = ""
    version: int = 1
    abstract_sections: tuple[tuple[str, str], ...] = ()  # (label, text) of structured abstracts
    language: str = ""
    journal: str = ""
    year: int | None = None
    pub_date: str = ""  # ISO-like, as precise as the source allows: 2016, 2016-03, 2016-03-07
    doi: str = ""
    mesh_headings: tuple[MeshHeading, ...] = ()
    chemicals: tuple[tuple[str, str], ...] = ()  # (MESH CURIE, name)
    keywords: tuple[str, ...] = ()
    publication_types: tuple[str, ...] = ()
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Title and abstract joined the way PubTator does (offsets of mentions refer to this)."""
        return f"{self.title} {self.abstract}" if self.abstract else self.title

    def content_hash(self) -> str:
        """Hash of what extraction reads, so a re-ingest can skip unchanged documents."""
        h = hashlib.sha256()
        for part in (self.title, self.abstract, str(self.year or ""), self.journal):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        for heading in self.mesh_headings:
            h.update(f"{heading.descriptor_id}:{heading.major_topic}:{','.join(heading.qualifiers)}".encode())
        for chem_id, _ in self.chemicals:
            h.update(chem_id.encode())
        return h.hexdigest()


@dataclass(frozen=True, slots=True)
class PublicationRecord:
    """What the store keeps about a publication (no text-mining results)."""

    pmid: str
    version: int
    title: str
    journal: str
    year: int | None
    doi: str
    content_hash: str
    pipeline_version: str

    @classmethod
    def from_document(cls, doc: Document, pipeline_version: str) -> PublicationRecord:
        return cls(doc.pmid, doc.version, doc.title, doc.journal, doc.year, doc.doi,
                   doc.content_hash(), pipeline_version)


@dataclass(frozen=True, slots=True)
class PublicationMention:
    """A ``Publication -[:mentions]-> Entity`` link."""

    pmid: str
    entity_id: str
    source: MentionSource
    count: int = 1
    major: bool = False


class EdgeAggregate(NamedTuple):
    """The properties stored on a relationship, recomputed from all of its evidence.

    A named tuple rather than a frozen dataclass: one is built per edge written, and it is ~4x cheaper to make.
    """

    subject: str
    predicate: str
    object: str
    pmids: tuple[str, ...]
    n_evidence: int
    best_score: float
    mean_score: float
    first_year: int | None
    last_year: int | None
    extractors: tuple[str, ...]
    knowledge_sources: tuple[str, ...]

    @property
    def n_pmids(self) -> int:
        return len(self.pmids)


_TEXT_MINED_ONLY = (TEXT_MINED_SOURCE,)


def aggregate_evidence(
    subject: str,
    predicate: str,
    object_: str,
    evidence: list[Evidence],
    knowledge_sources: tuple[str, ...] = (),
) -> EdgeAggregate:
    """Fold evidence into edge properties. Only supporting evidence counts; each PMID counts once.

    One pass, and a shortcut for the common single-evidence edge: this runs once per edge written.
    """
    if len(evidence) == 1:
        e = evidence[0]
        if e.supports:
            with_text = (tuple(sorted({*knowledge_sources, TEXT_MINED_SOURCE})) if knowledge_sources
                         else _TEXT_MINED_ONLY)
            return EdgeAggregate(subject, str(predicate), object_, (e.pmid,), 1, e.score, e.score / 1, e.year, e.year,
                                 (f"{e.extractor}@{e.extractor_version}",), with_text)
        evidence = []
    sources = set(knowledge_sources)
    pmids: set[str] = set()
    extractors: set[str] = set()
    scores: list[float] = []
    years: list[int] = []
    for e in evidence:
        if e.negated or e.speculative:
            continue
        pmids.add(e.pmid)
        extractors.add(f"{e.extractor}@{e.extractor_version}")
        scores.append(e.score)
        if e.year is not None:
            years.append(e.year)
    if scores:
        sources.add(TEXT_MINED_SOURCE)
    return EdgeAggregate(
        subject=subject,
        predicate=str(predicate),
        object=object_,
        pmids=tuple(sorted(pmids, key=_pmid_sort_key)),
        n_evidence=len(scores),
        best_score=max(scores, default=0.0),
        mean_score=math.fsum(scores) / len(scores) if scores else 0.0,  # exact sum: same in any order
        first_year=min(years, default=None),
        last_year=max(years, default=None),
        extractors=tuple(sorted(extractors)),
        knowledge_sources=tuple(sorted(sources)),
    )


def _pmid_sort_key(pmid: str) -> tuple[int, str]:
    return (int(pmid), pmid) if pmid.isdigit() else (0, pmid)
