"""``kg import hetionet``: Hetionet's curated disease–gene associations (gene → disease ← drug paths need them)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import json_option, store_options
from kg.commands.importing import echo_summary, run_import
from kg.config import StoreConfig


@click.command("hetionet")
@click.option("--data", "data", type=click.Path(path_type=Path, file_okay=False, exists=True),
              envvar="KG_SHARED_DATA", required=True,
              help="Shared data folder holding kb/hetionet (and kb/disease_ontology) [env KG_SHARED_DATA].")
@click.option("--batch-size", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="Relations per store write.")
@store_options
@json_option
def hetionet(data: Path, batch_size: int, store_config: StoreConfig, as_json: bool) -> None:
    """Import gene –gene_associated_with_condition→ disease edges from Hetionet v1.0 (idempotent).

    \b
    Example:
      kg import hetionet --data ../shared/data

    Source infores:hetionet (compiled from DISEASES, DisGeNET, GWAS Catalog). Diseases get the same nodes as
    DrugCentral's indications (MeSH via the Disease Ontology, else DOID), so `kg query drugs-for-gene` finds
    drugs that treat a disease the gene is associated with.
    """
    from kg.importers.hetionet import import_hetionet

    summary = run_import(store_config, as_json, lambda store, progress: import_hetionet(
        store, data, batch_size=batch_size, progress=progress))
    echo_summary(summary, as_json, "Hetionet disease–gene associations", store_config,
                 [f"associations {summary.associations:,}: genes {summary.genes:,}, diseases {summary.diseases:,}"],
                 summary.skipped)
