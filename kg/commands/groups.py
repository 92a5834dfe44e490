"""Command groups whose subcommands live in modules of their own (``import_*.py``, ``export_*.py``, …)."""

import click


@click.group("import")
def import_group() -> None:
    """Import curated knowledge (HPO annotations, Biolink KGX files) next to the text-mined graph."""


@click.group("export")
def export_group() -> None:
    """Export the graph: RDF, KGX, PubTator/BioC annotations."""


@click.group("query")
def query_group() -> None:
    """Ask the graph questions: symptoms → diseases, gene → drugs, patient profiles."""
