"""``kg schema``: the labels, properties and predicates a store holds (with counts), and the portable-Cypher rules."""

from __future__ import annotations

from typing import Any

import click

from kg.commands.common import echo_json, json_option, open_for_cli, store_options
from kg.config import StoreConfig
from kg.schema import Predicate
from kg.store import GraphStore
from kg.store.cypher_help import EXAMPLES, PORTABLE_RULES

NODE_LABELS = ("Entity", "Publication", "Evidence")
_PREDICATES = frozenset(p.value for p in Predicate)  # relationship types are only ever formatted from these
_SAMPLE = 1000  # nodes/edges whose property keys are read (Neo4j stores no null, so a key may be absent on some)

_PROPERTY_QUERIES = {  # portable: keys() runs on both engines (the embedded one lists every column of the table)
    "Entity": "MATCH (n:Entity) WITH n LIMIT {n} UNWIND keys(n) AS k RETURN DISTINCT k AS property ORDER BY property",
    "Publication": "MATCH (n:Publication) WITH n LIMIT {n} UNWIND keys(n) AS k RETURN DISTINCT k AS property "
                   "ORDER BY property",
    "Evidence": "MATCH (n:Evidence) WITH n LIMIT {n} UNWIND keys(n) AS k RETURN DISTINCT k AS property "
                "ORDER BY property",
    # one predicate's edges (all share the properties): the embedded engine lists, for an untyped r, the columns of
    # every relationship table, mentions' too
    "edges": "MATCH (:Entity)-[r:{predicate}]->(:Entity) WITH r LIMIT {n} UNWIND keys(r) AS k "
             "RETURN DISTINCT k AS property ORDER BY property",
    "mentions": "MATCH (:Publication)-[r:mentions]->(:Entity) WITH r LIMIT {n} UNWIND keys(r) AS k "
                "RETURN DISTINCT k AS property ORDER BY property",
}


def describe_schema(store: GraphStore) -> dict[str, Any]:
    """The schema of ``store`` as read from it: counts from its stats, property names from its nodes and edges."""
    counts = store.stats().as_dict()
    nodes, relationships = counts["nodes"], counts["relationships"]
    categories = {name.split(":", 1)[1]: n for name, n in nodes.items() if name.startswith("Entity:")}
    predicates = {name: n for name, n in relationships.items() if name in _PREDICATES and n}
    sampled = max(predicates, key=lambda name: predicates[name], default=None)
    properties = {name: [row["property"] for row in store.read_cypher(q.format(n=_SAMPLE, predicate=sampled))]
                  if name != "edges" or sampled else [] for name, q in _PROPERTY_QUERIES.items()}
    return {
        "store": store.backend,
        "labels": [{"label": label, "count": nodes.get(label, 0), "properties": properties[label]}
                   for label in NODE_LABELS],
        "categories": dict(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))),
        "predicates": dict(sorted(predicates.items(), key=lambda kv: (-kv[1], kv[0]))),
        "relationships": {
            "edges": {"pattern": "(:Entity)-[r]->(:Entity)", "type": "r.predicate",
                      "count": sum(predicates.values()), "properties": properties["edges"]},
            "mentions": {"pattern": "(:Publication)-[m:mentions]->(:Entity)",
                         "count": relationships.get("mentions", 0), "properties": properties["mentions"]},
        },
        "rules": list(PORTABLE_RULES),
        "examples": [e.name for e in EXAMPLES],
    }


@click.command()
@store_options
@json_option
def schema(store_config: StoreConfig, as_json: bool) -> None:
    """Show the labels, properties and predicates (with counts) of the store, and how to write Cypher that runs
    on both stores (kg cypher)."""
    with open_for_cli(store_config, read_only=True) as store:
        described = describe_schema(store)
    if as_json:
        echo_json(described)
        return
    click.echo(f"store: {store_config.describe()}")
    click.echo("node labels:")
    for entry in described["labels"]:
        click.echo(f"  {entry['label']:<40} {entry['count']:>12,}")
        click.echo(f"    properties: {', '.join(entry['properties']) or '(none stored yet)'}")
    click.echo("entity categories (match with (n:Entity {category: '…'})):")
    for name, n in described["categories"].items():
        click.echo(f"  {name:<40} {n:>12,}")
    click.echo("predicates (relationship types between entities; read with r.predicate):")
    for name, n in described["predicates"].items():
        click.echo(f"  {name:<40} {n:>12,}")
    for name, rel in described["relationships"].items():
        click.echo(f"{name} {rel['pattern']}: {rel['count']:,}")
        click.echo(f"    properties: {', '.join(rel['properties']) or '(none stored yet)'}")
    click.echo("portable Cypher (runs on both stores):")
    for rule in described["rules"]:
        click.echo(f"  - {rule}")
    click.echo(f"examples: {', '.join(described['examples'])} (kg cypher --examples)")
