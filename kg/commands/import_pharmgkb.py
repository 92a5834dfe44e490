"""``kg import pharmgkb``: PharmGKB clinical annotations as curated drug–gene pharmacogenomic associations."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import json_option, store_options
from kg.commands.importing import echo_summary, run_import
from kg.config import StoreConfig


@click.command("pharmgkb")
@click.option("--data", "data", type=click.Path(path_type=Path, file_okay=False, exists=True),
              envvar="KG_SHARED_DATA", required=True,
              help="Shared data folder holding kb/pharmgkb (and kb/drugcentral, kb/hetionet for identifiers) "
                   "[env KG_SHARED_DATA].")
@click.option("--levels", default="1A,1B,2A,2B,3", show_default=True,
              help="Levels of evidence to import (comma-separated; 4 = unsupported/case reports).")
@click.option("--gene", "genes", multiple=True, metavar="SYMBOL", help="Only annotations of these genes.")
@click.option("--batch-size", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="Relations per store write.")
@store_options
@json_option
def pharmgkb(data: Path, levels: str, genes: tuple[str, ...], batch_size: int, store_config: StoreConfig,
             as_json: bool) -> None:
    """Import drug –associated_with→ gene edges from PharmGKB clinical annotations (idempotent).

    \b
    Example:
      kg import pharmgkb --data ../shared/data --levels 1A,1B,2A

    Source infores:pharmgkb. Drugs land on DrugCentral's nodes where the cross-references allow, genes on NCBI
    Gene ids. Alleles, levels and phenotype categories are not stored (edges have no such properties), so
    warnings are per gene. `kg evaluate gene-drugs` ignores this source by default: it is its gold standard.
    """
    from kg.importers.pharmgkb import import_pharmgkb

    wanted = tuple(level.strip().upper() for level in levels.split(",") if level.strip())
    summary = run_import(store_config, as_json, lambda store, progress: import_pharmgkb(
        store, data, levels=wanted, genes=genes or None, batch_size=batch_size, progress=progress))
    echo_summary(summary, as_json, f"PharmGKB levels {','.join(summary.levels)}", store_config,
                 [f"annotations {summary.annotations:,}: drugs {summary.drugs:,}, genes {summary.genes:,}, "
                  f"drug–gene associations {summary.associations:,}"], summary.skipped)
