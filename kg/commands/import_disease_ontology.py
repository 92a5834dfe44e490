"""``kg import disease-ontology``: Disease Ontology diseases (on the nodes other sources use) and their symptoms."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import json_option, store_options
from kg.commands.importing import echo_summary, run_import
from kg.config import StoreConfig


@click.command("disease-ontology")
@click.option("--data", "data", type=click.Path(path_type=Path, file_okay=False, exists=True),
              envvar="KG_SHARED_DATA", required=True,
              help="Shared data folder holding kb/disease_ontology (doid.obo.gz, DOreports/) [env KG_SHARED_DATA].")
@click.option("--batch-size", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="Relations per store write.")
@store_options
@json_option
def disease_ontology(data: Path, batch_size: int, store_config: StoreConfig, as_json: bool) -> None:
    """Import Disease Ontology terms as diseases and their stated symptoms as has_phenotype edges (idempotent).

    \b
    Example:
      kg import hpo && kg import disease-ontology --data ../shared/data

    A DO disease goes onto the node the other sources give it (its OMIM/Orphanet diseases as HPO names them, else
    its MeSH descriptor, else the DOID), so that the same disease meets as one answer. Its symptoms — has_symptom
    in the definition and the 'has symptom' / 'has phenotype' axioms of DOreports — are normalized to HPO by the
    symptom questions' own parser and lexicon and written as curated edges (source infores:doid).
    """
    from kg.importers.disease_ontology import do_obo_path, import_disease_ontology

    try:
        do_obo_path(data)  # checked before any store is opened
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc

    summary = run_import(store_config, as_json, lambda store, progress: import_disease_ontology(
        store, data, batch_size=batch_size, progress=progress))
    nodes = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.nodes.items()))
    methods = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.by_method.items()))
    echo_summary(summary, as_json, f"Disease Ontology {summary.do_version}", store_config, [
        f"terms {summary.terms:,}, diseases {summary.diseases:,}, with symptoms {summary.diseases_with_symptoms:,} "
        f"(nodes: {nodes})",
        *(f"{origin}: {n:,} symptom statements, {summary.normalized.get(origin, 0):,} normalized to HPO"
          for origin, n in sorted(summary.statements.items())),
        f"has_phenotype {summary.has_phenotype:,} ({methods})"])
