"""Typed data classes that cross every boundary of medkg: readers, pipeline, stores and queries.

Categories and predicates follow the Biolink model (https://biolink.github.io/biolink-model/):
categories are stored without the ``biolink:`` prefix (``Disease``), predicates in snake_case
(``treats``) so that they can be used directly as relationship types in Cypher.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, NamedTuple, get_type_hints

from kg.belief import belief, one_sentence_belief
from kg.curie import normalize_curie
from kg.provenance import NOT_PROVIDED, STATISTICAL_EXTRACTORS, TEXT_MINED_SOURCE, provenance


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
    HAS_SUBSTRATE = "has_substrate"  # an enzyme (gene) → the chemical it acts on
    GENE_ASSOCIATED_WITH_CONDITION = "gene_associated_with_condition"
    SUBCLASS_OF = "subclass_of"


class MentionSource(StrEnum):
    """Where a publication→entity link comes from."""

    TEXT = "text"  # found by NER in the title/abstract
    MESH = "mesh"  # NLM indexing (MeSH headings, chemical list): high precision, no offsets


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


EDGE_KEY_SEPARATOR = "|"


def edge_key(subject: str, predicate: str, object_: str) -> str:
    """An edge's identity, ``SUBJECT|predicate|OBJECT``: one edge per predicate between two entities."""
    return f"{subject}{EDGE_KEY_SEPARATOR}{predicate}{EDGE_KEY_SEPARATOR}{object_}"


_PREDICATE_VALUES = frozenset(p.value for p in Predicate)


def split_edge_key(key: str) -> tuple[str, str, str]:
    """``(subject, predicate, object)`` of an :func:`edge_key` (ValueError when it is not one).

    The predicate is the first separated part that is a :class:`Predicate`: an identifier may itself contain the
    separator (tmVar variant keys such as ``tmVar:c|SUB|C|643|T``)."""
    parts = key.split(EDGE_KEY_SEPARATOR)
    for i in range(1, len(parts) - 1):
        if parts[i] in _PREDICATE_VALUES:
            return EDGE_KEY_SEPARATOR.join(parts[:i]), parts[i], EDGE_KEY_SEPARATOR.join(parts[i + 1:])
    raise ValueError(f"not an edge key (SUBJECT|predicate|OBJECT): {key!r}")


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


# ---- the edge model ----------------------------------------------------------------------------------------
class Kind(StrEnum):
    """What an edge property holds: its column type in both stores, its value where a store has none, and how the
    exports write it."""

    TEXT = "text"
    TEXTS = "texts"  # a list of strings
    PMIDS = "pmids"  # PubMed ids (digits): ``PMID:`` CURIEs in KGX, PMID IRIs in RDF
    COUNT = "count"
    SCORE = "score"  # in [0, 1], defined by supporting evidence only (0.0 without it, and then left out of RDF)
    PROBABILITY = "probability"  # in [0, 1], from all of an edge's support, curated included (0.0: not computed,
    # and then left out of RDF)
    YEAR = "year"  # None when not known (and then left out of RDF)


LIST_KINDS = frozenset({Kind.TEXTS, Kind.PMIDS})
_EMPTY: dict[Kind, Any] = {Kind.TEXT: "", Kind.TEXTS: (), Kind.PMIDS: (), Kind.COUNT: 0, Kind.SCORE: 0.0,
                           Kind.PROBABILITY: 0.0, Kind.YEAR: None}


@dataclass(frozen=True, slots=True)
class EdgeProperty:
    """One stored property of an edge: how it is typed, read back and exported (declared on its field of
    :class:`EdgeAggregate`; :data:`EDGE_PROPERTIES` holds them with their names and defaults filled in)."""

    kind: Kind
    kgx: str | None = ""
    """Its KGX column: "" its own name, None not in KGX files."""
    rdf: str | None = ""
    """Its RDF property on the edge's association: ``biolink:<slot>`` or ``medkg:<name>`` (medkg's vocabulary);
    "" ``medkg:<its name>``, None not in RDF."""
    summary: bool = False
    """One of the edge columns that the named queries return with every edge."""
    missing: Any = None
    """Its value where a store has none: an edge written before the property existed, in a store that no writable
    open has migrated since (a writable open recomputes such edges: :meth:`kg.store.base.GraphStore.migrate`);
    None: the kind's empty value ("", (), 0, 0.0, None)."""
    name: str = ""

    def read(self, value: Any) -> Any:
        """A stored value as the edge model holds it: lists as tuples, nothing as :attr:`missing`."""
        if self.kind in LIST_KINDS:
            return tuple(value or ())
        if self.kind is Kind.YEAR:
            return value
        return value or self.missing


class EdgeAggregate(NamedTuple):
    """An edge as the stores keep it: its identity (subject, predicate, object: :func:`edge_key`) and its stored
    properties, all recomputed from its evidence and curated sources (:func:`aggregate_evidence`).

    The one definition of an edge's properties: each field below declares its :class:`EdgeProperty`, and the
    stores' columns, the named queries' edge columns and the KGX and RDF exports are derived from
    :data:`EDGE_PROPERTIES`. Adding a property is a field here (appended: LadybugDB copies columns by position) and
    its value in :func:`aggregate_evidence`; the migration of stores written before it is the stores' own: a
    writable open recomputes, through :func:`aggregate_evidence`, every edge that lacks one of these properties
    (:meth:`kg.store.base.GraphStore.migrate`; until then readers see :attr:`EdgeProperty.missing`). A new *kind*
    of property (:class:`Kind`) is also a column type in each backend and a rule in each export. Provenance (primary
    source, knowledge level, agent type) comes from :mod:`kg.provenance`, belief from :mod:`kg.belief`. The store's
    own link from an edge to its Evidence nodes (``evidence_ids``) is not a property of the edge: :mod:`kg.store.base`
    keeps it beside these.

    A named tuple rather than a frozen dataclass: one is built per edge written, and it is ~4x cheaper to make.
    """

    subject: str
    predicate: Annotated[str, EdgeProperty(Kind.TEXT, kgx=None, rdf=None, summary=True)]  # exported as identity
    object: str
    pmids: Annotated[tuple[str, ...], EdgeProperty(Kind.PMIDS, kgx="publications", rdf="biolink:publications",
                                                   summary=True)]
    n_pmids: Annotated[int, EdgeProperty(Kind.COUNT, summary=True)]
    n_evidence: Annotated[int, EdgeProperty(Kind.COUNT, summary=True)]  # supporting items (not negated/speculative)
    best_score: Annotated[float, EdgeProperty(Kind.SCORE, rdf="biolink:has_confidence_score", summary=True)]
    mean_score: Annotated[float, EdgeProperty(Kind.SCORE, summary=True)]
    first_year: Annotated[int | None, EdgeProperty(Kind.YEAR, summary=True)]
    last_year: Annotated[int | None, EdgeProperty(Kind.YEAR, summary=True)]
    extractors: Annotated[tuple[str, ...], EdgeProperty(Kind.TEXTS, rdf="medkg:extractor")]  # name@version
    knowledge_sources: Annotated[tuple[str, ...], EdgeProperty(Kind.TEXTS, rdf="medkg:knowledge_source",
                                                               summary=True)]
    primary_knowledge_source: Annotated[str, EdgeProperty(Kind.TEXT, rdf="biolink:primary_knowledge_source",
                                                          summary=True, missing=TEXT_MINED_SOURCE)]
    knowledge_level: Annotated[str, EdgeProperty(Kind.TEXT, rdf="biolink:knowledge_level", missing=NOT_PROVIDED)]
    agent_type: Annotated[str, EdgeProperty(Kind.TEXT, rdf="biolink:agent_type", missing=NOT_PROVIDED)]
    belief: Annotated[float, EdgeProperty(Kind.PROBABILITY, summary=True)]
    """The probability that the edge is right, from all of its evidence (negated and speculative sentences
    included) and its curated sources: :func:`kg.belief.belief` (INDRA-style; priors not fitted). 0.0 where a store
    predates it and was not opened for writing since."""

    @property
    def key(self) -> str:
        return edge_key(self.subject, self.predicate, self.object)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EdgeAggregate:
        """An edge as a named query returns it: ``subject``, ``object`` and a column per :data:`EDGE_PROPERTIES`."""
        return cls(subject=row["subject"], object=row["object"],
                   **{p.name: p.read(row[p.name]) for p in EDGE_PROPERTIES})


def _declared_properties() -> tuple[EdgeProperty, ...]:
    hints = get_type_hints(EdgeAggregate, include_extras=True)
    declared = []
    for name in EdgeAggregate._fields:
        for meta in getattr(hints[name], "__metadata__", ()):
            if isinstance(meta, EdgeProperty):
                declared.append(dataclasses.replace(
                    meta, name=name, kgx=name if meta.kgx == "" else meta.kgx,
                    rdf=f"medkg:{name}" if meta.rdf == "" else meta.rdf,
                    missing=_EMPTY[meta.kind] if meta.missing is None else meta.missing))
    return tuple(declared)


EDGE_PROPERTIES: tuple[EdgeProperty, ...] = _declared_properties()
"""The stored properties of an edge, in column order (``subject`` and ``object`` are its endpoints, not properties;
``predicate`` is both its relationship type and a property, as LadybugDB has no ``type()``)."""


_TEXT_MINED_ONLY = (TEXT_MINED_SOURCE,)


def aggregate_evidence(
    subject: str,
    predicate: str,
    object_: str,
    evidence: Collection[Evidence],
    knowledge_sources: tuple[str, ...] = (),
) -> EdgeAggregate:
    """Fold evidence and curated sources into edge properties. Only supporting evidence counts in the counts and
    scores, each PMID once; the belief weighs all of it (:func:`kg.belief.belief`: negated sentences lower it,
    speculative ones count at half).

    One pass, and a shortcut for the common single-evidence edge: this runs once per edge written.
    """
    if len(evidence) == 1:
        e = next(iter(evidence))
        if e.supports and e.extractor not in STATISTICAL_EXTRACTORS:
            if knowledge_sources:
                with_text = tuple(sorted({*knowledge_sources, TEXT_MINED_SOURCE}))
                edge_belief = one_sentence_belief(e.score, [s for s in with_text if s != TEXT_MINED_SOURCE])
            else:
                with_text, edge_belief = _TEXT_MINED_ONLY, one_sentence_belief(e.score)
            return EdgeAggregate(subject, str(predicate), object_, (e.pmid,), 1, 1, e.score, e.score / 1, e.year,
                                 e.year, (f"{e.extractor}@{e.extractor_version}",), with_text, *provenance(with_text),
                                 edge_belief)
    sources = set(knowledge_sources)
    pmids: set[str] = set()
    extractors: set[str] = set()
    scores: list[float] = []
    years: list[int] = []
    text_mined = False
    for e in evidence:
        if e.negated or e.speculative:
            continue
        text_mined = text_mined or e.extractor not in STATISTICAL_EXTRACTORS
        pmids.add(e.pmid)
        extractors.add(f"{e.extractor}@{e.extractor_version}")
        scores.append(e.score)
        if e.year is not None:
            years.append(e.year)
    if text_mined:
        sources.add(TEXT_MINED_SOURCE)
    sorted_sources = tuple(sorted(sources))
    primary, level, agent = provenance(sorted_sources)
    return EdgeAggregate(
        subject=subject,
        predicate=str(predicate),
        object=object_,
        pmids=tuple(sorted(pmids, key=_pmid_sort_key)),
        n_pmids=len(pmids),
        n_evidence=len(scores),
        best_score=max(scores, default=0.0),
        mean_score=math.fsum(scores) / len(scores) if scores else 0.0,  # exact sum: same in any order
        first_year=min(years, default=None),
        last_year=max(years, default=None),
        extractors=tuple(sorted(extractors)),
        knowledge_sources=sorted_sources,
        primary_knowledge_source=primary,
        knowledge_level=level,
        agent_type=agent,
        belief=belief(evidence, knowledge_sources),
    )


def _pmid_sort_key(pmid: str) -> tuple[int, str]:
    return (int(pmid), pmid) if pmid.isdigit() else (0, pmid)
