"""One-hop TRAPI (the Translator Reasoner API, 1.5): a query graph of two nodes and one edge → the matching edges of
the graph as a TRAPI message (``knowledge_graph`` + ``results``), so that Translator-style clients can ask medkg.

Query graph
    Two nodes, one edge between them. At least one node is pinned by ``ids`` (CURIEs); either may be constrained by
    ``categories`` and the edge by ``predicates``, Biolink-prefixed (``biolink:Gene``, ``biolink:affects``). A
    category or predicate matches itself and the ones medkg stores below it in Biolink
    (:data:`CATEGORY_DESCENDANTS`, :data:`PREDICATE_DESCENDANTS`: ``biolink:NamedThing`` and ``biolink:related_to``
    match everything, ``biolink:ChemicalEntity`` also ``Drug``, ``biolink:affects`` the activity/expression
    predicates…). Edges are matched in their stored direction only (query subject = stored subject); no inverse or
    symmetric predicate is inferred. Anything else (more nodes or edges, ``set_interpretation``, constraints) is
    refused with :class:`UnsupportedQuery`.

Answer
    Each stored edge that matches is one knowledge-graph edge (id: the edge key ``SUBJECT|predicate|OBJECT``) with its
    ``sources`` (the edge's primary knowledge source; its other sources as supporting data sources; medkg as the
    aggregator of curated edges) and attributes (publications as ``PMID:`` CURIEs, ``biolink:evidence_count``, the
    best extraction score, knowledge level and agent type), and one result binding it, scored by the edge's support
    strength (the noisy-OR of curated and text-mined support of :func:`queries.gene_drugs.edge_strength`). Results
    are best first; at most ``max_results`` (the answer's ``logs`` say when more matched).

The rows are read with one portable Cypher query (values as parameters), :func:`one_hop_cypher`; the caller runs
it read-only and bounded (``kg serve`` in its Cypher readers) and :func:`trapi_response` builds the message.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kg.provenance import is_curated
from kg.schema import TEXT_MINED_SOURCE, Category, Predicate, edge_key
from queries.answers import Meta, pmid_curie
from queries.gene_drugs import GeneDrugParams, edge_strength

SCHEMA_VERSION = "1.5.0"
BIOLINK = "biolink:"
RESOURCE_ID = TEXT_MINED_SOURCE  # infores:medkg

_ALL_CATEGORIES = [c.value for c in Category]
CATEGORY_DESCENDANTS: dict[str, list[str]] = {
    "NamedThing": _ALL_CATEGORIES,
    "BiologicalEntity": ["Disease", "PhenotypicFeature", "Gene"],
    "DiseaseOrPhenotypicFeature": ["Disease", "PhenotypicFeature"],
    "ChemicalEntity": ["ChemicalEntity", "Drug"],
    "ChemicalEntityOrGeneOrGeneProduct": ["ChemicalEntity", "Drug", "Gene"],
    "GeneOrGeneProduct": ["Gene"],
    "MolecularMixture": ["Drug"],
    "ChemicalMixture": ["Drug"],
}
"""Biolink category → the categories medkg stores at or below it (a category not listed matches only itself)."""
_ALL_PREDICATES = [p.value for p in Predicate]
_AFFECTS = ["affects", "increases_activity_of", "decreases_activity_of", "increases_expression_of",
            "decreases_expression_of"]
PREDICATE_DESCENDANTS: dict[str, list[str]] = {
    "related_to": _ALL_PREDICATES,
    "related_to_at_instance_level": [p for p in _ALL_PREDICATES if p != "subclass_of"],
    "associated_with": ["associated_with", "positively_correlated_with", "negatively_correlated_with",
                        "gene_associated_with_condition"],
    "correlated_with": ["positively_correlated_with", "negatively_correlated_with"],
    "affects": _AFFECTS,
    "regulates": _AFFECTS[1:],
    "affects_activity_of": ["increases_activity_of", "decreases_activity_of"],
    "affects_expression_of": ["increases_expression_of", "decreases_expression_of"],
    "interacts_with": ["interacts_with", "physically_interacts_with"],
    "has_participant": ["has_substrate"],
    "treats_or_applied_or_studied_to_treat": ["treats"],
    "has_phenotype": ["has_phenotype"],
}
"""Biolink predicate → the predicates medkg stores at or below it (a predicate not listed matches only itself)."""


class UnsupportedQuery(ValueError):
    """A query graph this one-hop endpoint does not answer (the message says what to change)."""


# ---- the request -----------------------------------------------------------------------------------------
class QNode(BaseModel):
    model_config = ConfigDict(extra="allow")
    ids: list[str] | None = Field(None, examples=[["NCBIGene:1565"]])
    categories: list[str] | None = Field(None, examples=[["biolink:Gene"]])
    set_interpretation: str | None = None


class QEdge(BaseModel):
    model_config = ConfigDict(extra="allow")
    subject: str
    object: str
    predicates: list[str] | None = Field(None, examples=[["biolink:affects"]])


class QueryGraph(BaseModel):
    nodes: dict[str, QNode]
    edges: dict[str, QEdge]


class QueryMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    query_graph: QueryGraph


class TrapiQuery(BaseModel):
    """A TRAPI ``Query``: ``{"message": {"query_graph": …}}`` (other TRAPI fields are accepted and ignored)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{"message": {"query_graph": {
        "nodes": {"gene": {"ids": ["NCBIGene:1565"], "categories": ["biolink:Gene"]},
                  "drug": {"categories": ["biolink:Drug"]}},
        "edges": {"e0": {"subject": "drug", "object": "gene", "predicates": ["biolink:affects"]}}}}}]})
    message: QueryMessage
    log_level: str | None = None


# ---- the answer (the TRAPI 1.5 shapes medkg fills) -------------------------------------------------------
class Attribute(BaseModel):
    attribute_type_id: str
    value: Any
    original_attribute_name: str | None = None


class RetrievalSource(BaseModel):
    resource_id: str
    resource_role: str = Field(description="primary_knowledge_source | aggregator_knowledge_source | "
                                           "supporting_data_source")
    upstream_resource_ids: list[str] | None = None


class KgNode(BaseModel):
    name: str | None = None
    categories: list[str]
    attributes: list[Attribute] = Field(default_factory=list)


class KgEdge(BaseModel):
    subject: str
    predicate: str
    object: str
    sources: list[RetrievalSource]
    attributes: list[Attribute] = Field(default_factory=list)


class KnowledgeGraph(BaseModel):
    nodes: dict[str, KgNode]
    edges: dict[str, KgEdge]


class NodeBinding(BaseModel):
    id: str
    attributes: list[Attribute] = Field(default_factory=list)


class EdgeBinding(BaseModel):
    id: str
    attributes: list[Attribute] = Field(default_factory=list)


class Analysis(BaseModel):
    resource_id: str
    edge_bindings: dict[str, list[EdgeBinding]]
    score: float | None = None


class Result(BaseModel):
    node_bindings: dict[str, list[NodeBinding]]
    analyses: list[Analysis]


class ResponseMessage(BaseModel):
    query_graph: QueryGraph
    knowledge_graph: KnowledgeGraph
    results: list[Result]


class LogEntry(BaseModel):
    level: str
    message: str
    code: str | None = None


class TrapiResponse(BaseModel):
    message: ResponseMessage
    status: str = "Success"
    description: str = ""
    logs: list[LogEntry] = Field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
    biolink_version: str | None = None


class TrapiAnswer(TrapiResponse):
    """A TRAPI Response with medkg's versions beside it (TRAPI allows more properties)."""

    meta: Meta


# ---- query graph → Cypher → message ----------------------------------------------------------------------
def _unprefixed(values: list[str] | None, what: str) -> list[str]:
    out = []
    example = "biolink:Gene" if what == "categories" else "biolink:affects"
    for value in values or []:
        if not value.startswith(BIOLINK):
            raise UnsupportedQuery(f"{what} must be Biolink CURIEs such as {example}; got {value!r}")
        out.append(value[len(BIOLINK):])
    return out


def _expand(names: list[str], table: dict[str, list[str]]) -> list[str]:
    return sorted({stored for name in names for stored in table.get(name, [name])})


def one_hop_cypher(query_graph: QueryGraph, max_results: int) -> tuple[str, dict[str, Any], str, str, str]:
    """The Cypher and parameters that read the edges matching a one-hop query graph, with the query's subject node,
    object node and edge keys. Raises :class:`UnsupportedQuery` for anything but one pinned hop."""
    if len(query_graph.nodes) != 2 or len(query_graph.edges) != 1:
        raise UnsupportedQuery(f"this endpoint answers one-hop queries: two nodes and one edge (got "
                               f"{len(query_graph.nodes)} nodes, {len(query_graph.edges)} edges)")
    (qedge_key, qedge), = query_graph.edges.items()
    if qedge.subject == qedge.object or {qedge.subject, qedge.object} != set(query_graph.nodes):
        raise UnsupportedQuery("the edge must join the two query nodes (subject and object: their keys)")
    clauses: list[str] = []
    params: dict[str, Any] = {"limit": max_results + 1}
    for end, variable in ((qedge.subject, "s"), (qedge.object, "o")):
        node = query_graph.nodes[end]
        if node.set_interpretation not in (None, "BATCH"):
            raise UnsupportedQuery(f"set_interpretation {node.set_interpretation!r} is not supported (BATCH only)")
        if node.ids:
            clauses.append(f"{variable}.id IN ${variable}_ids")
            params[f"{variable}_ids"] = list(dict.fromkeys(node.ids))
        categories = _unprefixed(node.categories, "categories")
        if categories and "NamedThing" not in categories:
            clauses.append(f"{variable}.category IN ${variable}_categories")
            params[f"{variable}_categories"] = _expand(categories, CATEGORY_DESCENDANTS)
    if "s_ids" not in params and "o_ids" not in params:
        raise UnsupportedQuery("pin at least one query node by ids (CURIEs)")
    predicates = _unprefixed(qedge.predicates, "predicates")
    if predicates and "related_to" not in predicates:
        clauses.append("r.predicate IN $predicates")
        params["predicates"] = _expand(predicates, PREDICATE_DESCENDANTS)
    # The pinned end filters the MATCH; the rest follow in a WITH (two IN filters in one WHERE slow LadybugDB).
    pinned = next(c for c in clauses if c.endswith("_ids"))
    rest = [c for c in clauses if c != pinned]
    cypher = (f"MATCH (s:Entity)-[r]->(o:Entity) WHERE {pinned} "
              + (f"WITH s, r, o WHERE {' AND '.join(rest)} " if rest else "")
              + "RETURN s.id AS subject_id, s.name AS subject_name, s.category AS subject_category, "
                "r.predicate AS predicate, o.id AS object_id, o.name AS object_name, o.category AS object_category, "
                "r.primary_knowledge_source AS primary_knowledge_source, r.knowledge_sources AS knowledge_sources, "
                "r.pmids AS pmids, r.n_pmids AS n_pmids, r.best_score AS best_score, "
                "r.knowledge_level AS knowledge_level, r.agent_type AS agent_type "
                "ORDER BY subject_id, predicate, object_id LIMIT $limit")
    return cypher, params, qedge.subject, qedge.object, qedge_key


def _sources(row: dict[str, Any]) -> list[RetrievalSource]:
    primary = row["primary_knowledge_source"] or TEXT_MINED_SOURCE
    sources = [RetrievalSource(resource_id=primary, resource_role="primary_knowledge_source")]
    sources += [RetrievalSource(resource_id=s, resource_role="supporting_data_source", upstream_resource_ids=None)
                for s in sorted(set(row["knowledge_sources"] or ()) - {primary})]
    if primary != RESOURCE_ID:  # medkg serves a curated source's edge
        sources.append(RetrievalSource(resource_id=RESOURCE_ID, resource_role="aggregator_knowledge_source",
                                       upstream_resource_ids=[primary]))
    return sources


def _attributes(row: dict[str, Any]) -> list[Attribute]:
    attributes = []
    if row["pmids"]:
        attributes.append(Attribute(attribute_type_id="biolink:publications",
                                    value=[pmid_curie(p) for p in row["pmids"]]))
    if row["n_pmids"]:
        attributes.append(Attribute(attribute_type_id="biolink:evidence_count", value=row["n_pmids"]))
    if row["best_score"] is not None and row["n_pmids"]:
        attributes.append(Attribute(attribute_type_id="biolink:extraction_confidence_score", value=row["best_score"],
                                    original_attribute_name="best_score"))
    for name in ("knowledge_level", "agent_type"):
        if row[name]:
            attributes.append(Attribute(attribute_type_id=f"biolink:{name}", value=row[name]))
    return attributes


def trapi_response(query_graph: QueryGraph, rows: list[dict[str, Any]], subject_key: str, object_key: str,
                   edge_query_key: str, max_results: int) -> TrapiResponse:
    """The TRAPI message for the rows of :func:`one_hop_cypher` (see the module docstring)."""
    params = GeneDrugParams()
    nodes: dict[str, KgNode] = {}
    edges: dict[str, KgEdge] = {}
    scored: list[tuple[float, str, str, str]] = []
    for row in rows[:max_results]:
        for end in ("subject", "object"):
            nodes.setdefault(row[f"{end}_id"], KgNode(name=row[f"{end}_name"] or None,
                                                      categories=[BIOLINK + (row[f"{end}_category"] or "NamedThing")]))
        key = edge_key(row["subject_id"], row["predicate"], row["object_id"])
        edges[key] = KgEdge(subject=row["subject_id"], predicate=BIOLINK + row["predicate"], object=row["object_id"],
                            sources=_sources(row), attributes=_attributes(row))
        curated = is_curated(row["knowledge_sources"], row["primary_knowledge_source"])
        strength = edge_strength(row["n_pmids"], row["best_score"], curated, params)
        scored.append((round(strength, 4), key, row["subject_id"], row["object_id"]))
    scored.sort(key=lambda x: (-x[0], x[1]))
    results = [Result(node_bindings={subject_key: [NodeBinding(id=s)], object_key: [NodeBinding(id=o)]},
                      analyses=[Analysis(resource_id=RESOURCE_ID, score=score,
                                         edge_bindings={edge_query_key: [EdgeBinding(id=key)]})])
               for score, key, s, o in scored]
    logs = []
    if len(rows) > max_results:
        logs.append(LogEntry(level="WARNING", code="TruncatedResults",
                             message=f"more than {max_results} edges matched; the first {max_results} (by subject, "
                                     "predicate, object) are answered: pin more ids or narrow the predicates"))
    return TrapiResponse(message=ResponseMessage(query_graph=query_graph,
                                                 knowledge_graph=KnowledgeGraph(nodes=nodes, edges=edges),
                                                 results=results),
                         description=f"{len(results)} results", logs=logs)
