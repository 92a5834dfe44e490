"""The ``kg`` command line: one entry point for ingesting, inspecting and querying the graph."""

from __future__ import annotations

import sys

import click

from kg.commands.common import (
    KgGroup,
    echo_json,
    json_option,
    open_for_cli,
    open_for_writing,
    store_options,
)
from kg.config import StoreConfig


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="medkg")
def main() -> None:
    """medkg: build a biomedical knowledge graph from PubMed and ask it questions, with evidence.

    The graph lives in an embedded database file by default (no server needed); add
    --neo4j bolt://HOST:7687 (or set NEO4J_URI) to any command to use Neo4j instead.

    Exit status: 0 done, 1 failed (one "Error:" line says what to fix), 2 a usage mistake (bad option or
    argument). Output cut off by its reader (kg … | head) ends silently, as if killed by SIGPIPE (141).
    """


@main.command()
@store_options
def init(store_config: StoreConfig) -> None:
    """Create the schema (tables, constraints, indexes) if it does not exist."""
    with open_for_writing(store_config) as store:
        store.ensure_schema()
    click.echo(f"schema ready in {store_config.describe()}")


@main.command()
@store_options
@json_option
def stats(store_config: StoreConfig, as_json: bool) -> None:
    """Count nodes per label/category and relationships per type."""
    with open_for_cli(store_config, read_only=True) as store:
        counts = store.stats().as_dict()
    if as_json:
        echo_json(counts)
        return
    click.echo(f"store: {store_config.describe()}")
    for section, values in counts.items():
        click.echo(f"{section}:")
        for name, n in values.items():
            click.echo(f"  {name:<40} {n:>12,}")


@main.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@store_options
def clear(yes: bool, store_config: StoreConfig) -> None:
    """Delete every node and relationship in the store (the schema stays)."""
    if store_config.backend == "embedded" and not store_config.db_path.exists():
        raise click.ClickException(f"no embedded graph at {store_config.db_path}: nothing to clear (check --db)")
    if not yes and not click.confirm(f"Delete everything in {store_config.describe()}?"):
        sys.exit(1)
    with open_for_writing(store_config) as store:
        store.clear()
    click.echo(f"cleared {store_config.describe()}")


def _register_commands() -> None:
    """Subcommands that live in their own modules (kept out of this file so that each area stays small)."""
    from kg.commands.cypher import cypher
    from kg.commands.demo import demo
    from kg.commands.evaluate import evaluate
    from kg.commands.evaluate_gene_drugs import gene_drugs as evaluate_gene_drugs
    from kg.commands.evaluate_phenotypes import phenotypes as evaluate_phenotypes
    from kg.commands.evaluate_symptoms import symptoms as evaluate_symptoms
    from kg.commands.export_annotations import export_annotations_command
    from kg.commands.export_kgx import export_kgx_command
    from kg.commands.export_rdf import export_rdf_command
    from kg.commands.fetch import fetch
    from kg.commands.groups import export_group, import_group, query_group
    from kg.commands.import_disease_ontology import disease_ontology
    from kg.commands.import_drugcentral import drugcentral
    from kg.commands.import_hetionet import hetionet
    from kg.commands.import_hpo import hpo
    from kg.commands.import_kgx import import_kgx_command
    from kg.commands.import_mesh_cooccurrence import mesh_cooccurrence
    from kg.commands.import_pharmgkb import pharmgkb
    from kg.commands.ingest import ingest
    from kg.commands.lexicon import lexicon
    from kg.commands.query_evidence import evidence
    from kg.commands.query_gene_drugs import drugs_for_gene
    from kg.commands.query_patient import patient
    from kg.commands.query_symptoms import symptoms
    from kg.commands.schema import schema
    from kg.commands.serve import serve
    from kg.commands.train import train

    for command in (cypher, schema, demo, fetch, ingest, import_group, export_group, query_group, train, evaluate,
                    lexicon, serve):
        main.add_command(command)
    for command in (export_rdf_command, export_kgx_command, export_annotations_command):
        export_group.add_command(command)
    import_group.add_command(import_kgx_command)
    import_group.add_command(hpo)
    import_group.add_command(drugcentral)
    import_group.add_command(pharmgkb)
    import_group.add_command(hetionet)
    import_group.add_command(disease_ontology)
    import_group.add_command(mesh_cooccurrence)
    query_group.add_command(symptoms)
    query_group.add_command(drugs_for_gene)
    query_group.add_command(patient)
    query_group.add_command(evidence)
    evaluate.add_command(evaluate_symptoms)
    evaluate.add_command(evaluate_gene_drugs)
    evaluate.add_command(evaluate_phenotypes)


_register_commands()
if __name__ == "__main__":
    main()
