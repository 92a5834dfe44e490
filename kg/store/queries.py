"""Named read queries, written once in the Cypher subset that both Neo4j and LadybugDB run.

Rules that keep them portable (see the parity tests): read an edge's type from its ``predicate`` property
(LadybugDB has no ``type()``); no map projections, ``reduce``, ``CALL {}`` or APOC; return aliases that differ
from variable names; always ``ORDER BY`` a total order so that both engines return the same rows in the same order.

Speed on LadybugDB (measured on a 1.27M-edge store; it indexes primary keys only): ``WHERE x.id = $id`` is an
index lookup (0.1–1 ms with the expansion from it), ``WHERE x.id IN $ids`` scans the whole node table (8–20 ms
for 125k entities, ~300 ms for 1.27M Evidence nodes) but is still 5–100× faster than ``UNWIND $ids … MATCH``
*with a pattern* (planned as a scan and a hash join); ``UNWIND $ids AS i MATCH (n {id: i})`` of nodes alone is
an index lookup per id. So: one start node → ``= $id``; nodes by id → UNWIND; patterns from many start nodes →
``IN``, with the far end filtered in a following ``WITH … WHERE`` (two ``IN`` filters in one ``WHERE`` made
LadybugDB 4× slower). Evidence is reached through its edge's ``evidence_ids`` (primary keys), never by scanning
``Evidence.edge_key``.

Every read that medkg itself makes of a graph is one of these (the exporters, the importers, the store's own
bookkeeping), so that the parity suite runs each on both engines; user Cypher alone takes the read-only path.
Which edge properties a query returns comes from the edge model (:data:`kg.schema.EDGE_PROPERTIES`): the summary
columns with every edge, all of them for the exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kg.schema import EDGE_PROPERTIES, Kind, Predicate

REL_TYPE = "{predicate}"
"""Where a query's Cypher names the relationship type given as its ``predicate`` parameter: checked against
:class:`Predicate` and written into the text, as types cannot be parameters."""


def _edge_columns(variable: str, *, summary: bool = True) -> str:
    return ", ".join(f"{variable}.{p.name} AS {p.name}" for p in EDGE_PROPERTIES if p.summary or not summary)


_EDGE_COLUMNS = _edge_columns("r")

_ALWAYS_WRITTEN = tuple(p.name for p in EDGE_PROPERTIES if p.kind is not Kind.YEAR and p.name != "predicate")
"""The edge properties that every written edge has (a year may be unknown; the predicate is the edge's type): an
edge without one of them was written before that property existed."""

_EVIDENCE_COLUMNS = (
    "ev.pmid AS pmid, ev.sentence AS sentence, ev.start_offset AS start_offset, ev.end_offset AS end_offset, "
    "ev.score AS score, ev.negated AS negated, ev.speculative AS speculative, ev.extractor AS extractor, "
    "ev.extractor_version AS extractor_version, ev.year AS year"
)


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    cypher: str
    params: tuple[str, ...]
    description: str

    def bind(self, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """The Cypher to run with these parameters, and the parameters it takes (TypeError when one is missing,
        ValueError when a relationship type is not a :class:`Predicate`)."""
        missing = set(self.params) - params.keys()
        if missing:
            raise TypeError(f"query {self.name!r} needs parameters: {', '.join(sorted(missing))}")
        if REL_TYPE not in self.cypher:
            return self.cypher, {k: params[k] for k in self.params}
        try:
            rel_type = Predicate(params["predicate"]).value
        except ValueError:
            raise ValueError(f"query {self.name!r}: predicate {params['predicate']!r} is not one of medkg's "
                             f"({', '.join(p.value for p in Predicate)})") from None
        return self.cypher.replace(REL_TYPE, rel_type), {k: params[k] for k in self.params if k != "predicate"}


_QUERIES = (
    NamedQuery(
        "entities_by_id",
        "UNWIND $ids AS wanted MATCH (e:Entity {id: wanted}) "
        "RETURN DISTINCT e.id AS id, e.category AS category, e.name AS name, e.synonyms AS synonyms ORDER BY id",
        ("ids",),
        "Entities with the given CURIEs.",
    ),
    NamedQuery(
        "entities_by_category",
        "MATCH (e:Entity) WHERE e.category = $category "
        "RETURN e.id AS id, e.name AS name, e.synonyms AS synonyms ORDER BY id SKIP $skip LIMIT $limit",
        ("category", "skip", "limit"),
        "Entities of one Biolink category, paged.",
    ),
    NamedQuery(
        "diseases_for_phenotypes",
        "MATCH (d:Entity)-[r:has_phenotype]->(p:Entity) WHERE p.id IN $ids "
        f"RETURN d.id AS disease_id, d.name AS disease_name, p.id AS phenotype_id, {_EDGE_COLUMNS} "
        "ORDER BY disease_id, phenotype_id",
        ("ids",),
        "1-hop symptom → disease: diseases with any of the given phenotypes, one row per edge.",
    ),
    NamedQuery(
        "disease_phenotype_pairs",
        "MATCH (d:Entity)-[r:has_phenotype]->(p:Entity) "
        "RETURN d.id AS disease_id, p.id AS phenotype_id, r.primary_knowledge_source AS primary_knowledge_source, "
        "r.n_pmids AS n_pmids, r.pmids AS pmids, r.knowledge_sources AS knowledge_sources "
        "ORDER BY disease_id, phenotype_id SKIP $skip LIMIT $limit",
        ("skip", "limit"),
        "Every disease–phenotype pair with its support, paged (annotation statistics and the in-memory index "
        "that symptom → disease scoring reads).",
    ),
    NamedQuery(
        "disease_phenotype_edges",
        "MATCH (d:Entity)-[r:has_phenotype]->(p:Entity) WHERE d.id IN $disease_ids WITH d, r, p WHERE p.id IN $ids "
        f"RETURN d.id AS disease_id, d.name AS disease_name, p.id AS phenotype_id, p.name AS phenotype_name, "
        f"{_EDGE_COLUMNS} ORDER BY disease_id, phenotype_id",
        ("disease_ids", "ids"),
        "The has_phenotype edges between given diseases and phenotypes, with their evidence summary.",
    ),
    NamedQuery(
        "chemicals_for_gene",
        "MATCH (c:Entity)-[r]->(g:Entity) WHERE g.id = $id AND c.category IN ['ChemicalEntity', 'Drug'] "
        f"RETURN c.id AS chemical_id, c.name AS chemical_name, g.id AS gene_id, {_EDGE_COLUMNS}, "
        "r.evidence_ids AS evidence_ids ORDER BY chemical_id, gene_id, predicate",
        ("id",),
        "Direct chemical → gene edges of one gene (binding, expression/activity changes, associations).",
    ),
    NamedQuery(
        "drugs_via_disease_for_gene",
        "MATCH (g:Entity)-[a]-(d:Entity)<-[t:treats]-(c:Entity) "
        "WHERE g.id IN $ids AND d.category = 'Disease' "
        "RETURN c.id AS drug_id, c.name AS drug_name, d.id AS disease_id, d.name AS disease_name, "
        "g.id AS gene_id, a.predicate AS gene_disease_predicate, a.n_pmids AS gene_disease_pmids, "
        "t.n_pmids AS treats_pmids, t.best_score AS treats_score "
        "ORDER BY drug_id, disease_id, gene_id, gene_disease_predicate",
        ("ids",),
        "2-hop gene → disease ← drug that treats it.",
    ),
    NamedQuery(
        "chemicals_from_gene",
        "MATCH (g:Entity)-[r]->(c:Entity) WHERE g.id = $id AND c.category IN ['ChemicalEntity', 'Drug'] "
        f"RETURN c.id AS chemical_id, c.name AS chemical_name, g.id AS gene_id, {_EDGE_COLUMNS}, "
        "r.evidence_ids AS evidence_ids ORDER BY chemical_id, gene_id, predicate",
        ("id",),
        "Direct gene → chemical edges (the reverse direction of chemicals_for_gene, e.g. a gene affecting a drug).",
    ),
    NamedQuery(
        "gene_chemical_gene_links",
        "MATCH (x:Entity)-[q]-(c:Entity)-[r]-(g:Entity) "
        "WHERE x.id = $id AND c.category IN ['ChemicalEntity', 'Drug'] WITH c, r, g WHERE g.category = 'Gene' "
        "AND g.id <> $id "
        "RETURN DISTINCT c.id AS chemical_id, g.id AS gene_id, r.predicate AS predicate, "
        "r.knowledge_sources AS knowledge_sources ORDER BY chemical_id, gene_id, predicate",
        ("id",),
        "The other genes that each chemical linked to one gene is linked to, in either direction (how selective "
        "the gene's drugs are); one pattern from the gene, not an ``IN`` scan over its chemicals. The gene itself "
        "is left out: Neo4j cannot reach it again through the edge the pattern came by, LadybugDB can.",
    ),
    NamedQuery(
        "gene_disease_links",
        "MATCH (g:Entity)-[a]-(d:Entity) WHERE g.id = $id AND d.category = 'Disease' "
        f"RETURN d.id AS disease_id, d.name AS disease_name, {_edge_columns('a')}, "
        "a.evidence_ids AS evidence_ids ORDER BY disease_id, predicate",
        ("id",),
        "The diseases one gene is linked to (either direction, any predicate), with the support of each link.",
    ),
    NamedQuery(
        "gene_disease_treatments",
        "MATCH (g:Entity)-[a]-(d:Entity)<-[t:treats]-(c:Entity) "
        "WHERE g.id = $id AND d.category = 'Disease' AND c.category IN ['ChemicalEntity', 'Drug'] "
        "RETURN DISTINCT d.id AS disease_id, c.id AS drug_id, t.n_pmids AS n_pmids, t.pmids AS pmids, "
        "t.best_score AS best_score, t.primary_knowledge_source AS primary_knowledge_source, "
        "t.knowledge_sources AS knowledge_sources, t.belief AS belief, t.evidence_ids AS evidence_ids "
        "ORDER BY disease_id, drug_id",
        ("id",),
        "The treats edges of the diseases one gene is linked to (the second hop of gene – disease ← drug), once "
        "each: no names, no repeated gene–disease columns, which made the path rows of a hub gene slow to read.",
    ),
    NamedQuery(
        "entities_by_name",
        "WITH $names AS names MATCH (e:Entity) WHERE e.category IN $categories "
        "AND (lower(e.name) IN names OR any(s IN e.synonyms WHERE lower(s) IN names)) "
        "RETURN e.id AS id, e.category AS category, e.name AS name, e.synonyms AS synonyms ORDER BY id",
        ("names", "categories"),
        "Entities of the given categories whose name or a synonym equals one of the (lower-case) names.",
    ),
    NamedQuery(
        "treatments_for_diseases",
        "MATCH (c:Entity)-[r:treats]->(d:Entity) WHERE d.id IN $ids "
        f"RETURN d.id AS disease_id, c.id AS drug_id, c.name AS drug_name, {_EDGE_COLUMNS} "
        "ORDER BY disease_id, drug_id",
        ("ids",),
        "Drugs that treat any of the given diseases, one row per treats edge.",
    ),
    NamedQuery(
        "drug_condition_edges",
        "MATCH (c:Entity)-[r:causes]->(x:Entity) WHERE c.id IN $ids WITH c, r, x WHERE x.id IN $condition_ids "
        f"RETURN c.id AS drug_id, c.name AS drug_name, x.id AS condition_id, x.name AS condition_name, "
        f"{_EDGE_COLUMNS} ORDER BY drug_id, condition_id",
        ("ids", "condition_ids"),
        "Drugs causing given conditions (adverse effects), one row per causes edge.",
    ),
    NamedQuery(
        "drug_interactions",
        "MATCH (a:Entity)-[r:interacts_with]-(b:Entity) WHERE a.id IN $ids WITH a, r, b WHERE b.id IN $other_ids "
        f"RETURN a.id AS drug_id, a.name AS drug_name, b.id AS other_id, b.name AS other_name, {_EDGE_COLUMNS} "
        "ORDER BY drug_id, other_id",
        ("ids", "other_ids"),
        "interacts_with edges (either direction) between two sets of drugs.",
    ),
    NamedQuery(
        "edge_evidence",
        "MATCH (s:Entity)-[r]->(o:Entity) WHERE s.id = $subject AND o.id = $object AND r.predicate = $predicate "
        f"UNWIND r.evidence_ids AS evidence_id MATCH (ev:Evidence {{id: evidence_id}}) RETURN {_EVIDENCE_COLUMNS} "
        "ORDER BY score DESC, pmid, start_offset LIMIT $limit",
        ("subject", "predicate", "object", "limit"),
        "Evidence sentences of one edge, best first (found through the edge's evidence ids: by primary key).",
    ),
    NamedQuery(
        "evidence_by_ids",
        "UNWIND $ids AS evidence_id MATCH (ev:Evidence {id: evidence_id}) "
        f"RETURN DISTINCT ev.id AS id, ev.edge_key AS edge_key, {_EVIDENCE_COLUMNS} "
        "ORDER BY edge_key, score DESC, pmid, start_offset, id",
        ("ids",),
        "Evidence nodes by id (an edge's ``evidence_ids``), each edge's best first.",
    ),
    NamedQuery(
        "edge_summary",
        "MATCH (s:Entity)-[r]->(o:Entity) WHERE s.id = $subject AND o.id = $object AND r.predicate = $predicate "
        f"RETURN s.id AS subject_id, s.name AS subject_name, o.id AS object_id, o.name AS object_name, {_EDGE_COLUMNS} "
        "ORDER BY subject_id, object_id",
        ("subject", "predicate", "object"),
        "One edge's aggregate (evidence counts, PMIDs, knowledge sources) by subject, predicate and object.",
    ),
    NamedQuery(
        "publication_state",
        "MATCH (p:Publication) WHERE p.pmid IN $pmids "
        "RETURN p.pmid AS pmid, p.version AS version, p.content_hash AS content_hash, "
        "p.pipeline_version AS pipeline_version ORDER BY pmid",
        ("pmids",),
        "What is stored about publications (used to skip unchanged documents on re-ingest).",
    ),
    NamedQuery(
        "pipeline_versions",
        "MATCH (p:Publication) WHERE p.pipeline_version IS NOT NULL "
        "RETURN DISTINCT p.pipeline_version AS version ORDER BY version",
        (),
        "The extraction pipeline versions recorded on the publications (the graph version of every answer).",
    ),
    NamedQuery(
        "publication_mentions",
        "MATCH (p:Publication)-[m:mentions]->(e:Entity) WHERE p.pmid IN $pmids "
        "RETURN p.pmid AS pmid, e.id AS entity_id, e.category AS category, e.name AS name, m.source AS source, "
        "m.count AS mention_count, m.major AS major ORDER BY pmid, entity_id, source",
        ("pmids",),
        "Entities each publication mentions (text-mined or MeSH-indexed), for the annotation export.",
    ),
    NamedQuery(
        "publications_after",
        "MATCH (p:Publication) WHERE p.pmid > $after "
        "RETURN p.pmid AS pmid, p.title AS title, p.journal AS journal, p.year AS year ORDER BY pmid LIMIT $limit",
        ("after", "limit"),
        "A page of publications in PMID order, after the PMID ``after`` (the annotation export of all of them).",
    ),
    NamedQuery(
        "mentions_of_publication_range",
        "MATCH (p:Publication)-[m:mentions]->(e:Entity) WHERE p.pmid >= $first AND p.pmid <= $last "
        "AND m.source = $source RETURN p.pmid AS pmid, e.id AS entity_id, m.major AS major "
        "ORDER BY pmid, entity_id",
        ("first", "last", "source"),
        "The entities that publications with PMIDs in [first, last] mention from one source (a page of MeSH "
        "headings for the co-occurrence statistic: a range test, not ``IN``, for large pages).",
    ),
    NamedQuery(
        "publications_by_pmid",
        "MATCH (p:Publication) WHERE p.pmid IN $pmids "
        "RETURN p.pmid AS pmid, p.title AS title, p.journal AS journal, p.year AS year ORDER BY pmid",
        ("pmids",),
        "Publications with the given PMIDs (the annotation export of some).",
    ),
    NamedQuery(
        "evidence_of_publications",
        "MATCH (ev:Evidence) WHERE ev.pmid IN $pmids "
        "RETURN ev.id AS id, ev.subject AS subject, ev.predicate AS predicate, ev.object AS object, "
        f"{_EVIDENCE_COLUMNS} ORDER BY pmid, start_offset, end_offset, subject, predicate, object, id",
        ("pmids",),
        "Every evidence item the given publications contributed, negated and speculative ones included, in text "
        "order (the annotation export).",
    ),
    NamedQuery(
        "edge_keys_of_publications",
        "MATCH (ev:Evidence) WHERE ev.pmid IN $pmids RETURN DISTINCT ev.edge_key AS edge_key ORDER BY edge_key",
        ("pmids",),
        "The edges that the given publications' evidence supports (recomputed when they are deleted).",
    ),
    NamedQuery(
        "entity_page",
        "MATCH (e:Entity) WHERE e.id > $after "
        "RETURN e.id AS id, e.category AS category, e.name AS name, e.synonyms AS synonyms ORDER BY id LIMIT $limit",
        ("after", "limit"),
        "A page of entities in id order, after the id ``after`` (keyed pages: page k does not sort or skip the k-1 "
        "before it).",
    ),
    NamedQuery(
        "edges_of_subject_range",
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id >= $first AND a.id <= $last "
        f"RETURN a.id AS subject, b.id AS object, {_edge_columns('r', summary=False)} "
        "ORDER BY subject, predicate, object",
        ("first", "last"),
        "Every edge whose subject id lies in [first, last], with all its properties (the KGX and RDF exports: a "
        "range test is >100x faster than ``IN`` with thousands of ids on LadybugDB, an index range seek on Neo4j).",
    ),
    NamedQuery(
        "edges_lacking_properties",
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE " + " OR ".join(f"r.{name} IS NULL" for name in _ALWAYS_WRITTEN)
        + " RETURN a.id AS subject, r.predicate AS predicate, b.id AS object ORDER BY subject, predicate, object "
        "LIMIT $limit",
        ("limit",),
        "Edges written before one of the edge model's properties existed, in edge-key order (what a writable open "
        "recomputes: GraphStore.migrate).",
    ),
    NamedQuery(
        "edges_with_source",
        f"MATCH (a:Entity)-[r:{REL_TYPE}]->(b:Entity) WHERE $source IN r.knowledge_sources "
        "RETURN a.id AS subject, b.id AS object ORDER BY subject, object",
        ("predicate", "source"),
        "The (subject, object) pairs of one predicate's edges that a knowledge source supports (a curated import "
        "skips those it already wrote).",
    ),
    NamedQuery(
        "neighbours",
        # Two directed parts, each ordered and limited on its own: both engines run UNION ALL, but neither can
        # order a union as a whole in the shared subset (no CALL {}), and LadybugDB has no startNode() to tell
        # an undirected match's direction. (entity, predicate, neighbour) is an edge key: a total order per part.
        "MATCH (e:Entity)-[r]->(n:Entity) WHERE e.id IN $ids "
        "RETURN e.id AS entity_id, 'out' AS direction, n.id AS neighbour_id, n.category AS neighbour_category, "
        f"n.name AS neighbour_name, {_EDGE_COLUMNS} ORDER BY entity_id, predicate, neighbour_id LIMIT $limit "
        "UNION ALL "
        "MATCH (e:Entity)<-[r]-(n:Entity) WHERE e.id IN $ids "
        "RETURN e.id AS entity_id, 'in' AS direction, n.id AS neighbour_id, n.category AS neighbour_category, "
        f"n.name AS neighbour_name, {_EDGE_COLUMNS} ORDER BY entity_id, predicate, neighbour_id LIMIT $limit",
        ("ids", "limit"),
        "Typed edges around the given entities: first the outgoing ones (direction 'out': entity → neighbour), "
        "then the incoming ones ('in'), each ordered by entity, predicate, neighbour and cut at $limit.",
    ),
)

NAMED_QUERIES: dict[str, NamedQuery] = {q.name: q for q in _QUERIES}
