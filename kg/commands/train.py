"""``kg train``: train the models that ship with medkg (``kg train ner``)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from kg.commands.common import echo_json, json_option


@click.group()
def train() -> None:
    """Train medkg's models from the shared corpora."""


@train.command("ner")
@click.option("--data", "data_root", type=click.Path(path_type=Path, file_okay=False), envvar="KG_SHARED_DATA",
              default=None, help="Shared data root [env KG_SHARED_DATA; default: <repo>/../shared/data].")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Model directory to write [default: models/ner/medkg-ner in the repository].")
@click.option("--max-epochs", default=15, show_default=True, type=click.IntRange(1, 1000))
@click.option("--max-steps", default=0, show_default=True, type=click.IntRange(0),
              help="Stop each component after this many updates (0: no limit).")
@click.option("--patience", default=1600, show_default=True, type=click.IntRange(0),
              help="Stop after this many steps without a dev improvement (0: never).")
@click.option("--eval-frequency", default=200, show_default=True, type=click.IntRange(1),
              help="Steps between dev evaluations (checkpoint selection).")
@click.option("--width", default=96, show_default=True, type=click.IntRange(16, 512), help="tok2vec width.")
@click.option("--dev-limit", default=150, show_default=True, type=click.IntRange(0),
              help="Dev documents per corpus used for checkpoint selection (0: all).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 8),
              help="Components trained in parallel (one process each).")
@click.option("--work-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Keep DocBins, configs and checkpoints here [default: a temporary directory].")
@click.option("--only", multiple=True, type=click.Choice(["ner_chemdis", "ner_bio"]),
              help="Train only this component (repeatable); the others are copied from --base.")
@click.option("--base", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="With --only: the model to copy the other components from [default: --out].")
@click.option("--with-bc2gm/--without-bc2gm", default=True, show_default=True,
              help="Train ner_bio on BioRED + BC2GM genes (the shipped model) or on BioRED alone (1.0.0; see "
                   "models/ner/README.md).")
@json_option
def train_ner_command(data_root: Path | None, out: Path | None, max_epochs: int, max_steps: int,
                      patience: int, eval_frequency: int, width: int, dev_limit: int, seed: int, jobs: int,
                      work_dir: Path | None, only: tuple[str, ...], base: Path | None, with_bc2gm: bool,
                      as_json: bool) -> None:
    """Train the NER model (scispaCy tokenizer + CNN ner components) and write it to --out."""
    from extractors.ner.corpora import shared_data_root
    from extractors.ner.train import DEFAULT_MODEL_DIR, TrainSettings, train_ner

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    root = shared_data_root(data_root)
    if not (root / "corpora").is_dir():
        raise click.UsageError(f"no corpora under {root} (use --data or KG_SHARED_DATA)")
    settings = TrainSettings(max_epochs=max_epochs, max_steps=max_steps, patience=patience,
                             eval_frequency=eval_frequency, width=width, dev_limit=dev_limit, seed=seed)
    report = train_ner(root, out or DEFAULT_MODEL_DIR, settings, work_dir=work_dir, jobs=jobs, only=only, base=base,
                       with_bc2gm=with_bc2gm)
    if as_json:
        echo_json(report)
        return
    click.echo(f"model written to {report['model']} ({report['size_bytes'] / 1e6:.1f} MB)")
    for group, stats in report["conversion"].items():
        for part, s in stats.items():
            click.echo(f"  {group} {part}: {s['docs']} docs, {s['mentions']} mentions, "
                       f"{s['misaligned']} misaligned (expanded), {s['overlapping']} overlapping (dropped), "
                       f"{s['missing']} tokens marked unannotated")


@train.command("re")
@click.option("--data", "data_root", type=click.Path(path_type=Path, file_okay=False), envvar="KG_SHARED_DATA",
              default=None, help="Shared data root [env KG_SHARED_DATA; default: <repo>/../shared/data].")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Model directory to write [default: models/re/medkg-re in the repository].")
@click.option("--epochs", default=20, show_default=True, type=click.IntRange(1, 100))
@click.option("--lr", default=1e-4, show_default=True, type=float, help="Learning rate of the fine-tuned layers.")
@click.option("--head-lr", default=1e-3, show_default=True, type=float, help="Learning rate of query and head.")
@click.option("--batch-docs", default=4, show_default=True, type=click.IntRange(1), help="Abstracts per step.")
@click.option("--layers", default=4, show_default=True, type=click.IntRange(1, 6),
              help="Encoder layers used, of all-MiniLM-L6-v2's 6.")
@click.option("--trainable-layers", default=0, show_default=True, type=click.IntRange(0, 6),
              help="Top encoder layers to fine-tune (the others stay frozen and are computed once; "
                   "0: train only the entity query and the head).")
@click.option("--pair-features/--no-pair-features", default=True, show_default=True,
              help="Sentence co-occurrence/distance bins beside the encoder features of a pair.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--threads", default=1, show_default=True, type=click.IntRange(0),
              help="torch CPU threads (0: torch's default; on a busy machine 1 is fastest).")
@click.option("--max-train-docs", default=0, show_default=True, type=click.IntRange(0),
              help="Use only the first N training abstracts (0: all; for smoke runs).")
@click.option("--cid-docs", default=400, show_default=True, type=click.IntRange(0),
              help="BC5CDR train abstracts that train the CID output; the rest choose its threshold "
                   "(0: no CID output, CID read off chemical–disease Positive_Correlation).")
@click.option("--init", "init", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Start from this trained model directory (e.g. one trained with --cid-docs 0); "
                   "a CID output it lacks starts fresh.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Keep the frozen layers' output here, so that a re-run skips computing it.")
@json_option
def train_re_command(data_root: Path | None, out: Path | None, epochs: int, lr: float, head_lr: float,
                     batch_docs: int, layers: int, trainable_layers: int, pair_features: bool, seed: int, threads: int,
                     max_train_docs: int, cid_docs: int, init: Path | None, cache_dir: Path | None,
                     as_json: bool) -> None:
    """Train the relation model on BioRED train (+ a CID output on BC5CDR train) and write it to --out.

    The none bias is chosen on BioRED dev, the CID threshold on held-out BC5CDR train abstracts.
    """
    from extractors.ner.corpora import shared_data_root
    from extractors.relations.model import DEFAULT_MODEL_DIR
    from extractors.relations.train import TrainSettings, train_re

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    root = shared_data_root(data_root)
    if not (root / "corpora").is_dir():
        raise click.UsageError(f"no corpora under {root} (use --data or KG_SHARED_DATA)")
    settings = TrainSettings(epochs=epochs, lr=lr, head_lr=head_lr, batch_docs=batch_docs,
                             layers=layers, trainable_layers=trainable_layers, pair_features=pair_features, seed=seed,
                             max_train_docs=max_train_docs, threads=threads, cid_docs=cid_docs,
                             init=str(init) if init else "")
    report = train_re(root, out or DEFAULT_MODEL_DIR, settings, cache_dir=cache_dir)
    if as_json:
        echo_json(report)
        return
    click.echo(f"model written to {report['model']} ({report['size_bytes'] / 1e6:.1f} MB, {report['seconds']} s)")
    for row in report["history"]:
        cid = f", held-out CID F1 {row['held_out_cid_f1']} (≥ {row['cid_min_score']})" if "cid_min_score" in row else ""
        click.echo(f"  epoch {row['epoch']}: loss {row['loss']}, dev pair F1 {row['dev_pair_f1']}, "
                   f"pair+type F1 {row['dev_pair_type_f1']} (none bias {row['none_bias']}){cid}")


@train.command("cid-threshold")
@click.option("--data", "data_root", type=click.Path(path_type=Path, file_okay=False), envvar="KG_SHARED_DATA",
              default=None, help="Shared data root [env KG_SHARED_DATA; default: <repo>/../shared/data].")
@click.option("--model", "model_path", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Relation model directory to update [default: the shipped models/re/medkg-re].")
@click.option("--docs", default=150, show_default=True, type=click.IntRange(1), help="BC5CDR train abstracts used.")
@json_option
def train_cid_threshold(data_root: Path | None, model_path: Path | None, docs: int, as_json: bool) -> None:
    """Choose the probability from which a chemical–disease Positive_Correlation counts as CID (BC5CDR train)."""
    import json

    from extractors.relations.evaluate import choose_cid_threshold
    from extractors.relations.model import CONFIG, DEFAULT_MODEL_DIR

    directory = model_path or DEFAULT_MODEL_DIR
    report = choose_cid_threshold(data_root, docs, directory)
    config = json.loads((directory / CONFIG).read_text(encoding="utf-8"))
    config["cid_min_score"] = report["cid_min_score"]
    (directory / CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    if as_json:
        echo_json(report)
        return
    for t, s in report["train_scores"].items():
        click.echo(f"  {t:.2f}: P {s['precision']:6.2f} R {s['recall']:6.2f} F1 {s['f1']:6.2f}")
    click.echo(f"cid_min_score = {report['cid_min_score']} written to {directory / CONFIG}")


@train.command("statements")
@click.option("--data", "data_root", type=click.Path(path_type=Path, file_okay=False), envvar="KG_SHARED_DATA",
              default=None, help="Shared data root [env KG_SHARED_DATA; default: <repo>/../shared/data].")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Typer directory to write [default: models/re/medkg-statements in the repository].")
@click.option("--epochs", default=6, show_default=True, type=click.IntRange(1, 100))
@click.option("--trainable-layers", default=1, show_default=True, type=click.IntRange(1, 6),
              help="Top encoder layers to fine-tune (the others stay frozen and are computed once).")
@click.option("--ddi-negatives", default=1.5, show_default=True, type=click.FloatRange(0.1),
              help="DDI 'false' pairs drawn per positive pair, each epoch.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--threads", default=0, show_default=True, type=click.IntRange(0),
              help="torch CPU threads (0: torch's default).")
@click.option("--max-statements", default=0, show_default=True, type=click.IntRange(0),
              help="Use only the first N statements of each corpus and split (0: all; for smoke runs).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Keep the frozen layers' output here, so that a re-run skips computing it.")
@json_option
def train_statements_command(data_root: Path | None, out: Path | None, epochs: int, trainable_layers: int,
                             ddi_negatives: float, seed: int, threads: int, max_statements: int,
                             cache_dir: Path | None, as_json: bool) -> None:
    """Train the statement typer (the mechanism of a chemical–gene edge, the type of a drug–drug interaction) on
    ChemProt train and DDI's training part, and write it to --out.

    The epoch, DDI's false-pair bias and the confidence from which the pipeline uses a ChemProt label are chosen
    on ChemProt dev and on the fifth of DDI held out by document.
    """
    from extractors.ner.corpora import shared_data_root
    from extractors.relations.statement_model import DEFAULT_TYPER_DIR
    from extractors.relations.statement_train import TyperSettings, train_typer

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    root = shared_data_root(data_root)
    if not (root / "corpora").is_dir():
        raise click.UsageError(f"no corpora under {root} (use --data or KG_SHARED_DATA)")
    settings = TyperSettings(epochs=epochs, trainable_layers=trainable_layers, ddi_negatives=ddi_negatives, seed=seed,
                             threads=threads, max_statements=max_statements)
    try:
        report = train_typer(root, out or DEFAULT_TYPER_DIR, settings, cache_dir=cache_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(report)
        return
    click.echo(f"typer written to {out or DEFAULT_TYPER_DIR} (best epoch {report['best_epoch']})")
    for row in report["history"]:
        click.echo(f"  epoch {row['epoch']}: loss {row['loss']}, ChemProt dev F1 {row['chemprot_dev']['f1']}, "
                   f"DDI dev F1 {row['ddi_dev']['f1']} (false bias {row['ddi_false_bias']})")
