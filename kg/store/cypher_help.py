"""What a Cypher user is told by ``kg cypher``, ``kg schema`` and ``kg serve``'s ``/v1/cypher``: the portable-Cypher
rules, hints on the engines' errors for the common portability mistakes, and a handful of documented read-only
example queries.

The hints read the engine's own error message (LadybugDB's binder and catalog errors, Neo4j's) and add the
portable way to write what failed, so that a query written for Neo4j (``type(r)``, ``(d:Drug)``) is fixed from
the one error line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.schema import Category, Predicate

PORTABLE_RULES = (
    "Nodes have three labels: Entity, Publication, Evidence. An entity's Biolink category is a property: write "
    "(d:Entity {category: 'Disease'}), not (d:Disease) — category labels exist on Neo4j only.",
    "Relationship types are the predicates (treats, has_phenotype, …) plus mentions (Publication → Entity). Read "
    "an edge's type from r.predicate: type(r) works on Neo4j only.",
    "Write relationship types in lower case as listed ([r:treats]); the embedded engine also accepts other "
    "cases, Neo4j does not.",
    "No map projections (n {.id}), reduce(), CALL { … }, APOC or startNode()/endNode(): give the direction in the "
    "pattern instead.",
    "Return aliases that differ from variable names (RETURN d.id AS disease_id) and ORDER BY a total order, so "
    "that both stores return the same rows in the same order.",
    "An edge's sentences: UNWIND r.evidence_ids AS i MATCH (ev:Evidence {id: i}) (primary keys, fast on both).",
    "Values only as parameters: $name with -p name=JSON; only reads are run (writes are refused).",
)

_CATEGORIES = {c.value.lower(): c.value for c in Category}
_PREDICATES = {p.value.lower(): p.value for p in Predicate} | {"mentions": "mentions"}
_LABELS = {"entity": "Entity", "publication": "Publication", "evidence": "Evidence"}


def hint_for(message: str) -> str | None:
    """The portable way to write what the engine's error ``message`` complains about, when it is a known case."""
    text = message.lower()
    function = re.search(r"function (\w+) does not exist|unknown function '([\w.]+)'", text)
    if function:
        name = (function.group(1) or function.group(2)).lower()
        if name == "type":
            return "the embedded engine has no type(): read an edge's type from r.predicate (works on both stores)"
        if name in ("startnode", "endnode"):
            return f"{name}() is not portable: give the direction in the pattern, (a)-[r]->(b)"
        return f"{name}() is not in the Cypher subset both stores run (see kg schema for the portable rules)"
    table = re.search(r"table (\S+) does not exist", message, flags=re.IGNORECASE)
    if table:
        name = table.group(1).strip("`'\".")
        if name.lower() in _CATEGORIES:
            category = _CATEGORIES[name.lower()]
            return (f"{category} is an entity category, not a label on the embedded store: write "
                    f"(n:Entity {{category: '{category}'}}) (works on both stores)")
        if name.lower().removeprefix("biolink:") in _PREDICATES:
            return f"write the relationship type as {_PREDICATES[name.lower().removeprefix('biolink:')]}"
        return (f"no label or relationship type {name}: labels are Entity, Publication, Evidence; relationship "
                "types are the predicates (kg schema lists them with their counts)")
    prop = re.search(r"cannot find property (\S+) for (\S+)", message, flags=re.IGNORECASE)
    if prop:
        return f"no property {prop.group(1)} on {prop.group(2).rstrip('.')}: kg schema lists each label's properties"
    if "parser exception" in text and "{" in message.split("\n", 1)[-1]:
        return ("the embedded engine runs a Cypher subset: no map projections (n {.id}) or CALL { … } "
                "(see kg schema for the portable rules)")
    return None


def with_hint(message: str) -> str:
    """The first line of an engine's error, followed by its hint when there is one."""
    first = message.strip().splitlines()[0] if message.strip() else message
    hint = hint_for(message)
    return f"{first} — hint: {hint}" if hint else first


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    description: str
    cypher: str
    params: dict[str, Any] = field(default_factory=dict)  # example values, each replaceable with -p NAME=JSON

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "parameters": self.params,
                "cypher": self.cypher}


EXAMPLES = (
    Example(
        "symptoms-to-diseases",
        "Symptom → disease: diseases with any of the given phenotypes, the best-matched first.",
        "MATCH (d:Entity)-[r:has_phenotype]->(p:Entity) WHERE p.id IN $ids "
        "RETURN d.id AS disease_id, d.name AS disease, count(DISTINCT p.id) AS matched, sum(r.n_pmids) AS pmids "
        "ORDER BY matched DESC, pmids DESC, disease_id LIMIT 20",
        {"ids": ["HP:0001945", "HP:0012735"]},
    ),
    Example(
        "gene-to-drugs",
        "Gene → drug: chemicals with a direct edge to the gene, by the number of PMIDs behind each edge.",
        "MATCH (c:Entity)-[r]->(g:Entity) WHERE g.id = $id AND c.category IN ['ChemicalEntity', 'Drug'] "
        "RETURN c.id AS drug_id, c.name AS drug, r.predicate AS predicate, r.n_pmids AS n_pmids "
        "ORDER BY n_pmids DESC, drug_id, predicate LIMIT 50",
        {"id": "NCBIGene:1565"},
    ),
    Example(
        "edge-evidence",
        "The evidence of one edge: its sentences, best first, with PMID, score and negation.",
        "MATCH (s:Entity)-[r]->(o:Entity) WHERE s.id = $subject AND o.id = $object AND r.predicate = $predicate "
        "UNWIND r.evidence_ids AS evidence_id MATCH (ev:Evidence {id: evidence_id}) "
        "RETURN ev.pmid AS pmid, ev.score AS score, ev.negated AS negated, ev.speculative AS speculative, "
        "ev.sentence AS sentence ORDER BY score DESC, pmid, sentence",
        {"subject": "MESH:D003061", "predicate": "affects", "object": "NCBIGene:1565"},
    ),
    Example(
        "disease-treatments",
        "Drugs that treat a disease (the treats edges into it), by support.",
        "MATCH (c:Entity)-[r:treats]->(d:Entity) WHERE d.id = $id "
        "RETURN c.id AS drug_id, c.name AS drug, r.n_pmids AS n_pmids, r.knowledge_sources AS sources "
        "ORDER BY n_pmids DESC, drug_id",
        {"id": "MESH:D001943"},
    ),
    Example(
        "most-believed-edges",
        "The edges out of one entity, most believed first (belief: the probability that an edge is right, from all "
        "of its evidence and curated sources, INDRA-style; priors not fitted).",
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id = $id "
        "RETURN r.predicate AS predicate, b.id AS object_id, b.name AS object, r.belief AS belief, "
        "r.n_pmids AS n_pmids, r.knowledge_sources AS sources ORDER BY belief DESC, predicate, object_id LIMIT 20",
        {"id": "MESH:D011014"},
    ),
    Example(
        "entities-of-category",
        "Entities of one Biolink category (the portable form of (n:Disease)).",
        "MATCH (e:Entity {category: $category}) RETURN e.id AS id, e.name AS name ORDER BY id LIMIT $limit",
        {"category": "Disease", "limit": 20},
    ),
    Example(
        "predicate-counts",
        "How many edges of each predicate (the portable form of type(r)).",
        "MATCH (:Entity)-[r]->(:Entity) RETURN r.predicate AS predicate, count(*) AS edges "
        "ORDER BY edges DESC, predicate",
    ),
)
EXAMPLES_BY_NAME = {e.name: e for e in EXAMPLES}
