"""The graph as RDF: entities, Biolink-typed edges and one association node per edge (no RDF-star).

For every entity ``e`` (IRI from its CURIE through :func:`kg.curie.converter`)::

    e rdf:type biolink:<Category> ; biolink:id "CURIE" ; rdfs:label "name" ; skos:altLabel "synonym" …

For every edge, the direct triple and its reified statement, an association whose IRI is the edge's
stable ``urn:uuid:`` id::

    s biolink:<predicate> o .
    a rdf:type biolink:Association ; biolink:subject s ; biolink:predicate biolink:<predicate> ;
      biolink:object o ; biolink:publications <PMID IRI> … ; biolink:primary_knowledge_source "infores:…" ;
      biolink:aggregator_knowledge_source "infores:medkg" (curated edges) ; biolink:knowledge_level "…" ;
      biolink:agent_type "…" ; biolink:has_confidence_score best_score (text-mined support only) ;
      medkg:n_pmids … ; medkg:n_evidence … ; medkg:mean_score … ; medkg:first_year … ; medkg:last_year … ;
      medkg:extractor "name@version" … ; medkg:knowledge_source "infores:…" … ; medkg:belief … (kg.belief)

Knowledge sources are ``infores:`` CURIEs kept as string literals: the shipped prefix map has no
``infores`` IRI space, and inventing one would be a hand-written prefix map.

An entity whose prefix has no IRI in the shipped map gets ``<medkg local namespace><percent-encoded
CURIE>``, e.g. ``https://w3id.org/medkg/local/FOO%3A123``: stable, and distinct from every expanded
``medkg:`` local id as long as those contain no ``%``. Its ``biolink:id`` literal keeps the CURIE.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, Any, Generic, TypeVar
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from kg.curie import LOCAL_PREFIX, converter
from kg.interop.source import DEFAULT_PAGE_SIZE, NodeRecord, edge_uuid, iter_graph
from kg.provenance import aggregator_sources
from kg.schema import EDGE_PROPERTIES, EdgeAggregate, Kind
from kg.store.base import GraphStore

FORMATS = {"nt": "nt", "ttl": "turtle", "jsonld": "json-ld"}
"""CLI format name → rdflib serializer name."""

MEDKG_VOCAB = "https://w3id.org/medkg/vocab/"
"""medkg's own edge statistics (no Biolink slot says 'number of supporting PMIDs')."""

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

# Characters that may not appear raw in an IRI in N-Triples/Turtle (plus controls and space) are encoded.
_IRI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


@cache
def biolink_namespace() -> str:
    iri = converter().expand("biolink:x")
    assert iri is not None, "the shipped prefix map lost the biolink prefix"
    return iri[:-1]


@cache
def _local_namespace() -> str:
    iri = converter().expand(f"{LOCAL_PREFIX}:x")
    assert iri is not None, "the shipped prefix map lost the medkg local prefix"
    return iri[:-1]


def safe_iri(iri: str) -> str:
    """Percent-encode what N-Triples forbids in an IRI (spaces, ``<>"{}|\\^```, controls); idempotent."""
    return quote(iri, safe=_IRI_SAFE)


@lru_cache(maxsize=1 << 16)  # bounded: the N-Triples export must stay constant-memory on huge graphs
def entity_iri(curie: str) -> str:
    expanded = converter().expand(curie)
    if expanded is None:
        return _local_namespace() + quote(curie, safe="")
    return safe_iri(expanded)


def biolink_iri(name: str) -> str:
    return biolink_namespace() + name


@cache
def _edge_properties() -> tuple[tuple[str, Kind, str], ...]:
    """``(name, kind, IRI of its RDF property)`` of each edge property that RDF carries (its ``rdf`` name:
    ``biolink:<slot>`` or ``medkg:<name>``)."""
    namespaces = {"biolink": biolink_namespace(), "medkg": MEDKG_VOCAB}
    found = []
    for p in EDGE_PROPERTIES:
        if p.rdf is not None:
            prefix, _, local = p.rdf.partition(":")
            found.append((p.name, p.kind, namespaces[prefix] + local))
    return tuple(found)


T = TypeVar("T")


class Terms(Generic[T]):
    """Makes RDF terms; the triples below are written once for both term kinds."""

    def iri(self, iri: str) -> T:
        raise NotImplementedError

    def text(self, value: str) -> T:
        raise NotImplementedError

    def typed(self, value: float, datatype: str) -> T:
        raise NotImplementedError


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class NTriplesTerms(Terms[str]):
    """Terms already spelled as N-Triples: ~10× faster than building rdflib terms and serializing them."""

    def iri(self, iri: str) -> str:
        return f"<{iri}>"

    def text(self, value: str) -> str:
        return f'"{value.translate(_NT_ESCAPES)}"'

    def typed(self, value: float, datatype: str) -> str:
        return f'"{value!r}"^^<{datatype}>'


class RdflibTerms(Terms[URIRef | Literal]):
    def iri(self, iri: str) -> URIRef:
        return URIRef(iri)

    def text(self, value: str) -> Literal:
        return Literal(value)

    def typed(self, value: float, datatype: str) -> Literal:
        return Literal(value, datatype=URIRef(datatype))


def node_triples(node: NodeRecord, t: Terms[T]) -> Iterator[tuple[T, T, T]]:
    s = t.iri(entity_iri(node.id))
    yield s, t.iri(RDF_TYPE), t.iri(biolink_iri(node.category))
    yield s, t.iri(biolink_iri("id")), t.text(node.id)
    if node.name:
        yield s, t.iri(RDFS_LABEL), t.text(node.name)
    for synonym in node.synonyms:
        yield s, t.iri(SKOS_ALT_LABEL), t.text(synonym)


def edge_triples(edge: EdgeAggregate, t: Terms[T]) -> Iterator[tuple[T, T, T]]:
    s, p, o = t.iri(entity_iri(edge.subject)), t.iri(biolink_iri(edge.predicate)), t.iri(entity_iri(edge.object))
    a = t.iri(f"urn:uuid:{edge_uuid(edge)}")

    def bl(name: str) -> T:
        return t.iri(biolink_iri(name))

    yield s, p, o
    yield a, t.iri(RDF_TYPE), bl("Association")
    yield a, bl("subject"), s
    yield a, bl("predicate"), p
    yield a, bl("object"), o
    for name, kind, iri in _edge_properties():
        # Inline rather than a generator per property: this runs for every property of every exported edge.
        value, prop = getattr(edge, name), t.iri(iri)
        if kind is Kind.TEXT:
            yield a, prop, t.text(value)
        elif kind is Kind.COUNT:
            yield a, prop, t.typed(value, XSD_INTEGER)
        elif kind is Kind.TEXTS:
            for item in value:
                yield a, prop, t.text(item)
        elif kind is Kind.PMIDS:
            for pmid in value:
                yield a, prop, t.iri(entity_iri(f"PMID:{pmid}"))
        elif kind is Kind.SCORE:
            if edge.n_evidence:  # a curated edge has no confidence score, not a score of 0
                yield a, prop, t.typed(float(value), XSD_DOUBLE)
        elif kind is Kind.PROBABILITY:
            if value:  # 0.0: not computed (a store not migrated since the property came), not a probability of 0
                yield a, prop, t.typed(float(value), XSD_DOUBLE)
        elif value is not None:  # a year, when known
            yield a, prop, t.typed(value, XSD_INTEGER)
    for source in aggregator_sources(edge.primary_knowledge_source):
        yield a, bl("aggregator_knowledge_source"), t.text(source)


@dataclass(slots=True)
class RdfExport:
    format: str
    entities: int = 0
    edges: int = 0
    triples: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {"format": self.format, "entities": self.entities, "edges": self.edges, "triples": self.triples,
                "seconds": round(self.seconds, 3)}


def write_ntriples(store: GraphStore, out: IO[str], page_size: int = DEFAULT_PAGE_SIZE,
                   min_belief: float = 0.0) -> RdfExport:
    """Stream N-Triples to ``out`` while paging through the store (memory: one page)."""
    terms = NTriplesTerms()
    summary = RdfExport("nt")
    for nodes, edges in iter_graph(store, page_size, min_belief):
        lines = [f"{s} {p} {o} .\n" for node in nodes for s, p, o in node_triples(node, terms)]
        lines += [f"{s} {p} {o} .\n" for edge in edges for s, p, o in edge_triples(edge, terms)]
        out.writelines(lines)
        summary.entities += len(nodes)
        summary.edges += len(edges)
        summary.triples += len(lines)
    return summary


def build_graph(store: GraphStore, page_size: int = DEFAULT_PAGE_SIZE,
                min_belief: float = 0.0) -> tuple[Graph, RdfExport]:
    """The whole export as an in-memory rdflib Graph (for Turtle and JSON-LD, which rdflib cannot stream)."""
    terms = RdflibTerms()
    graph = Graph(bind_namespaces="core")
    graph.bind("biolink", Namespace(biolink_namespace()))
    graph.bind("medkg", Namespace(MEDKG_VOCAB))
    graph.bind("skos", SKOS)
    summary = RdfExport("")
    for nodes, edges in iter_graph(store, page_size, min_belief):
        for node in nodes:
            for triple in node_triples(node, terms):
                graph.add(triple)
        for edge in edges:
            for triple in edge_triples(edge, terms):
                graph.add(triple)
        summary.entities += len(nodes)
        summary.edges += len(edges)
    summary.triples = len(graph)
    _bind_prefixes(graph)
    return graph, summary


def _bind_prefixes(graph: Graph) -> None:
    """Bind the shipped prefixes, so Turtle shows ``MESH:D003924``-like names (it declares only those used)."""
    for record in converter().records:
        if record.prefix in (LOCAL_PREFIX, "biolink") or not record.prefix.replace(".", "").isalnum():
            continue
        graph.bind(record.prefix, Namespace(safe_iri(record.uri_prefix)), override=False)


def export_rdf(store: GraphStore, out: Path | IO[str], fmt: str, page_size: int = DEFAULT_PAGE_SIZE,
               min_belief: float = 0.0) -> RdfExport:
    """Write the graph to ``out`` (a path, or an open text stream) in ``fmt`` (a key of :data:`FORMATS`); with
    ``min_belief``, only the edges asserted at that belief."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r}; expected one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    if fmt == "nt":
        if isinstance(out, Path):
            with out.open("w", encoding="utf-8", newline="\n") as stream:
                summary = write_ntriples(store, stream, page_size, min_belief)
        else:
            summary = write_ntriples(store, out, page_size, min_belief)
    else:
        graph, summary = build_graph(store, page_size, min_belief)
        summary.format = fmt
        options: dict[str, Any] = {"auto_compact": True} if fmt == "jsonld" else {}
        text = graph.serialize(format=FORMATS[fmt], encoding=None, **options)
        if isinstance(out, Path):
            out.write_text(text, encoding="utf-8")
        else:
            out.write(text)
    summary.seconds = time.perf_counter() - started
    return summary
