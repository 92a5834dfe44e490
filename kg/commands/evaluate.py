"""``kg evaluate``: score medkg's models on the shared corpora (``kg evaluate ner``)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import echo_json, json_option

CORPUS_NAMES = ["bc5cdr", "ncbi_disease", "biored", "bc2gm", "gsc_plus"]


@click.group()
def evaluate() -> None:
    """Evaluate medkg's models on annotated corpora."""


@evaluate.command("ner")
@click.option("--corpus", required=True, type=click.Choice(CORPUS_NAMES))
@click.option("--split", default="dev", show_default=True, type=click.Choice(["train", "dev"]))
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True), default=None,
              help="Corpus file (a directory for bc2gm) instead of the split's standard location.")
@click.option("--data", "data_root", type=click.Path(path_type=Path, file_okay=False), envvar="KG_SHARED_DATA",
              default=None, help="Shared data root [env KG_SHARED_DATA; default: <repo>/../shared/data].")
@click.option("--model", "model_path", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Model directory [default: the shipped models/ner/medkg-ner].")
@json_option
def evaluate_ner(corpus: str, split: str, file: Path | None, data_root: Path | None, model_path: Path | None,
                 as_json: bool) -> None:
    """Strict mention-level P/R/F1 per type and micro, for the types CORPUS annotates."""
    from extractors.ner.evaluate import evaluate_corpus, format_report

    try:
        report = evaluate_corpus(corpus, split, data_root, file, model_path)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(report)
    else:
        click.echo(format_report(report))
