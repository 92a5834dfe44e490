"""``kg evaluate``: score medkg's models on the shared corpora (``kg evaluate ner``, ``concepts``, ``normalization``,
``re``, ``cid``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    from extractors.ner.corpora import corpus_path
    from extractors.ner.evaluate import evaluate_corpus, format_report

    try:
        path = file or corpus_path(corpus, split, data_root)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if not path.exists():  # the corpus reader would only log it and score zero documents as 0.00
        raise click.ClickException(f"{corpus} {split} corpus not found at {path}: point --data (or KG_SHARED_DATA) "
                                   "at the shared data folder, or give the file with --file")
    try:
        report = evaluate_corpus(corpus, split, data_root, file, model_path)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if not report["documents"]:
        raise click.ClickException(f"no documents could be read from {path} (is it the {corpus} corpus in its "
                                   "format?): nothing to score")
    if as_json:
        echo_json(report)
    else:
        click.echo(format_report(report))


def _relation_options(command):
    options = [
        click.option("--split", default="dev", show_default=True, type=click.Choice(["train", "dev"])),
        click.option("--entities", default="gold", show_default=True, type=click.Choice(["gold", "predicted"]),
                     help="gold: the corpus's normalized mentions; predicted: NER + normalization first."),
        click.option("--file", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
                     help="Corpus file (PubTator or BioC XML) instead of the split's standard location."),
        click.option("--data", "data_root", type=click.Path(path_type=Path, file_okay=False),
                     envvar="KG_SHARED_DATA", default=None,
                     help="Shared data root [env KG_SHARED_DATA; default: <repo>/../shared/data]."),
        click.option("--model", "model_path", type=click.Path(path_type=Path, file_okay=False), default=None,
                     help="Relation model directory [default: the shipped models/re/medkg-re]."),
        click.option("--int8", "quantize", is_flag=True, help="Dynamic int8 quantization of the model (CPU)."),
        click.option("--min-score", "min_score", type=click.FloatRange(0, 1), default=None,
                     help="Emit edges whose calibrated probability is at least this [default: the per-family "
                          "thresholds of models/re/calibration.json]."),
        json_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _evaluate_relations(which: str, **kwargs) -> None:
    from extractors.relations.evaluate import evaluate_biored, evaluate_cid, format_report

    as_json = kwargs.pop("as_json")
    try:
        report = (evaluate_biored if which == "re" else evaluate_cid)(**kwargs, progress=not as_json)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(report)
    else:
        click.echo(format_report(report))


@evaluate.command("re")
@click.option("--corpus", default="biored", show_default=True, type=click.Choice(["biored", "chemprot", "ddi"]),
              help="biored: the document-level relation model. chemprot, ddi: the statement typer on sentences "
                   "with their two entities given (--model: its directory, default models/re/medkg-statements; "
                   "--file: a ChemProt JSON-lines file or one DDI XML document).")
@_relation_options
def evaluate_re(corpus: str, **kwargs) -> None:
    """Relation extraction. BioRED: entity-pair and pair+type P/R/F1 (BioRED's definitions, document level) of the
    emitted edges, their reliability table and ECE, and P/R at score thresholds. ChemProt, DDI: micro and per-label
    P/R/F1 of the statement typer (DDI dev is the fifth of its training part held out by document)."""
    if corpus != "biored":
        _evaluate_statements(corpus, **kwargs)
        return
    _evaluate_relations("re", **kwargs)


def _evaluate_statements(corpus: str, split: str, entities: str, file: Path | None, data_root: Path | None,
                         model_path: Path | None, quantize: bool, min_score: float | None, as_json: bool) -> None:
    from extractors.relations.statement_evaluate import evaluate_statements, format_statement_report

    if entities != "gold" or quantize or min_score is not None:
        raise click.UsageError(f"--entities predicted, --int8 and --min-score apply to BioRED only: {corpus} "
                               "statements come with their two entities")
    try:
        report = evaluate_statements(corpus, split, data_root, file, model_path)
    except (FileNotFoundError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(report)
    else:
        click.echo(format_statement_report(report))


@evaluate.command("cid")
@_relation_options
def evaluate_cid_command(**kwargs) -> None:
    """BC5CDR chemical-induced-disease relations, document-level P/R/F1 (the BioCreative V measure) of the emitted
    causes edges, their reliability table and ECE, and P/R at score thresholds."""
    _evaluate_relations("cid", **kwargs)


@evaluate.command("concepts")
@click.option("--corpus", required=True, type=click.Choice(["bc5cdr", "ncbi_disease", "biored", "gsc_plus"]))
@click.option("--split", default="dev", show_default=True, type=click.Choice(["train", "dev"]))
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Corpus file in the corpus's format instead of the split's standard location.")
@click.option("--data", "data_root", type=click.Path(path_type=Path, file_okay=False), envvar="KG_SHARED_DATA",
              default=None, help="Shared data root [env KG_SHARED_DATA; default: <repo>/../shared/data].")
@click.option("--no-accuracy", "without_accuracy", is_flag=True,
              help="Skip the acc@1 of normalization on the gold mentions (a second pass over the corpus).")
@json_option
def evaluate_concepts_command(corpus: str, split: str, file: Path | None, data_root: Path | None,
                              without_accuracy: bool, as_json: bool) -> None:
    """What the graph receives: the default pipeline (NER + normalization) on CORPUS's bare text, scored per type
    as document-level concept P/R/F1 (type + CURIE, each concept once per document), beside strict mention F1 and
    the acc@1 of normalization on the gold mentions."""
    from extractors.concept_evaluation import evaluate_concepts, format_concept_report

    try:
        report = evaluate_concepts(corpus, split, data_root, file, with_accuracy=not without_accuracy,
                                   progress=not as_json)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(report)
    else:
        click.echo(format_concept_report(report))


@evaluate.command("normalization")
@click.option("--corpus", required=True, type=click.Choice(["bc5cdr", "ncbi_disease", "biored"]))
@click.option("--split", default="dev", show_default=True, type=click.Choice(["train", "dev"]))
@click.option("--file", "file", type=click.Path(path_type=Path, exists=True), default=None,
              help="Corpus file in the corpus's format instead of the split's standard location.")
@click.option("--data", "data_root", type=click.Path(path_type=Path, file_okay=False), envvar="KG_SHARED_DATA",
              default=None, help="Shared data root [env KG_SHARED_DATA; default: <repo>/../shared/data].")
@click.option("--table", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="Lexicon table [default: the user's built table, else the shipped one].")
@click.option("--errors", "max_errors", type=int, default=20, show_default=True,
              help="How many misses to list.")
@json_option
def evaluate_normalization(corpus: str, split: str, file: Path | None, data_root: Path | None, table: Path | None,
                           max_errors: int, as_json: bool) -> None:
    """Accuracy@1 of normalization on CORPUS's gold mentions (a hit: the predicted CURIE is a gold one)."""
    from extractors.normalize.component import Normalizer
    from extractors.normalize.evaluate import evaluate_normalization as run

    try:
        report = run(corpus, split, data_root=data_root, file=file, normalizer=Normalizer(table=table),
                     progress=not as_json)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    payload: dict[str, Any] = report.as_dict(max_errors)
    if as_json:
        echo_json(payload)
        return
    click.echo(f"{corpus} {split}: {report.documents} documents ({report.source})")
    for category, score in payload["by_category"].items():
        click.echo(f"  {category:<16} acc@1 {score['acc@1']:6.2f}  ({score['correct']}/{score['mentions']}, "
                   f"local ids {score['local']})")
    micro = payload["micro"]
    click.echo(f"  {'micro':<16} acc@1 {micro['acc@1']:6.2f}  ({micro['correct']}/{micro['mentions']})")
    for error in payload["errors"]:
        click.echo(f"  miss {error['text']!r} [{error['category']}] gold {error['gold']} → {error['predicted']} "
                   f"({error['predicted_name']}, {error['method']})")
