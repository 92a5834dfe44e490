"""``kg import drugcentral``: curated drug targets and indications from the DrugCentral tables."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import json_option, store_options
from kg.commands.importing import echo_summary, run_import
from kg.config import StoreConfig


@click.command("drugcentral")
@click.option("--data", "data", type=click.Path(path_type=Path, file_okay=False, exists=True),
              envvar="KG_SHARED_DATA", required=True,
              help="Shared data folder holding kb/drugcentral (or that folder itself) [env KG_SHARED_DATA].")
@click.option("--drug", "drugs", multiple=True, metavar="NAME", help="Only these drugs by INN (repeatable).")
@click.option("--gene", "genes", multiple=True, metavar="SYMBOL",
              help="Only targets with these gene symbols (repeatable; indications of those drugs need --drug).")
@click.option("--no-targets", is_flag=True, help="Skip drug_target.tsv.")
@click.option("--no-indications", is_flag=True, help="Skip drug_indication.tsv.")
@click.option("--batch-size", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="Relations per store write.")
@store_options
@json_option
def drugcentral(data: Path, drugs: tuple[str, ...], genes: tuple[str, ...], no_targets: bool, no_indications: bool,
                batch_size: int, store_config: StoreConfig, as_json: bool) -> None:
    """Import DrugCentral drug → gene target edges and drug → disease indications (idempotent).

    \b
    Example:
      kg import drugcentral --data ../shared/data

    Action types become Biolink predicates (inhibitor → decreases_activity_of, agonist → increases_activity_of,
    antibody binding → physically_interacts_with, …); indications become treats. Drugs get MeSH ids where
    DrugCentral has them (else DrugBank, ChEBI), genes NCBI Gene ids via Hetionet's gene table, indications MeSH
    via the Disease Ontology (else DOID/UMLS), so that curated and text-mined edges meet on the same nodes. Every
    edge has primary_knowledge_source infores:drugcentral. Data is read from the folder, never copied.
    """
    from kg.importers.drugcentral import import_drugcentral

    summary = run_import(store_config, as_json, lambda store, progress: import_drugcentral(
        store, data, drugs=drugs or None, genes=genes or None, targets=not no_targets,
        indications=not no_indications, batch_size=batch_size, progress=progress))
    targets = ", ".join(f"{p} {n:,}" for p, n in summary.target_edges.items())
    echo_summary(summary, as_json, "DrugCentral", store_config,
                 [f"drugs {summary.drugs:,}, genes {summary.genes:,}, diseases {summary.diseases:,}, "
                  f"treats {summary.treats:,}, targets {targets}"], summary.skipped)
