"""``kg evaluate phenotypes``: HPO phenotype recognition of the default pipeline on GSC+ (concept and mention F1)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import echo_json, json_option


@click.command("phenotypes")
@click.option("--split", default="dev", show_default=True, type=click.Choice(["dev"]),
              help="GSC+ split (the test split is held back).")
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="A GSC+ gold file (PhenoTagger's format) instead of the split's standard location.")
@click.option("--data", "data_root", type=click.Path(path_type=Path, file_okay=False), envvar="KG_SHARED_DATA",
              default=None, help="Shared data root [env KG_SHARED_DATA; default: <repo>/../shared/data].")
@click.option("--errors", type=click.IntRange(0, 1000), default=0, show_default=True,
              help="List this many of the most often missed and spurious concepts.")
@json_option
def phenotypes(split: str, file: Path | None, data_root: Path | None, errors: int, as_json: bool) -> None:
    """Document-level HPO concept P/R/F1 and strict mention P/R/F1 (span + HPO id, and span only) of the default
    pipeline's PhenotypicFeature mentions on GSC+, run on the bare text as `kg ingest` runs it."""
    from extractors.phenotypes.evaluate import evaluate_phenotypes, format_report

    try:
        report = evaluate_phenotypes(split, data_root, file, errors=errors)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(report)
    else:
        click.echo(format_report(report))
