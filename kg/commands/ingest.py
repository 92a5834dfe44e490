"""``kg ingest``: read literature files and write what the pipeline finds to the graph."""

from __future__ import annotations

import functools
import os
import sys

import click

from extractors.pipeline import default_pipeline
from kg.commands.common import (
    check_inputs_exist,
    echo_json,
    json_option,
    open_for_cli,
    open_for_writing,
    store_options,
)
from kg.config import StoreConfig
from kg.ingest import CHECKPOINT_EVERY_S, Ingester, IngestSummary
from kg.store import GraphStore


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000),
              help="Documents per extraction batch and store transaction.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, os.cpu_count() or 1),
              help=f"Processes for extraction (this machine has {os.cpu_count()} cores).")
@click.option("--dry-run", is_flag=True, help="Read and extract, print what would be written; write nothing.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on when stderr is a terminal).")
@click.option("--checkpoint-every", "checkpoint_every_s", default=CHECKPOINT_EVERY_S, show_default=True,
              type=click.FloatRange(min=0), metavar="SECONDS",
              help="Checkpoint the store after the first batch stored this long after the last checkpoint: a "
                   "killed run leaves at most this many seconds of work (plus one batch) in the embedded store's "
                   "write-ahead log, which the next open replays. 0: after every batch.")
@click.option("--relations", is_flag=True,
              help="Extract typed relations between normalized mentions (models/re; slower: a transformer pass).")
@store_options
@json_option
def ingest(inputs: tuple[str, ...], batch_size: int, workers: int, dry_run: bool, progress: bool | None,
           checkpoint_every_s: float, relations: bool, store_config: StoreConfig, as_json: bool) -> None:
    """Ingest INPUTS: PubMed/MEDLINE XML (.xml, .xml.gz), PubTator, BioC XML; files, directories, globs or -.

    Re-running is safe: unchanged documents (same PMID, version, content and pipeline) are skipped,
    changed ones replace their earlier evidence, DeleteCitation records remove publications. An
    interrupted run (even kill -9) is completed by running the same command again. A PMID read more than
    once in a run keeps its last record (counted as duplicates). A title + abstract over 100,000
    characters is refused (a failure naming file and PMID); the rest of its batch is stored.

    Exit status: 0 when every record was stored, 1 when some records failed (listed at the end), 2 when an
    input names no file (nothing is opened then; a new graph that a failed run stored nothing in is removed).
    """
    check_inputs_exist(inputs, "INPUTS")  # before any store is opened or created
    if dry_run:  # the store, where there is one, only tells new documents from unchanged ones
        store = None
        if store_config.backend == "neo4j" or store_config.db_path.exists():
            store = open_for_cli(store_config, read_only=True)
        try:
            _run(store, inputs, batch_size, workers, True, progress, checkpoint_every_s, relations, store_config,
                 as_json)
        finally:
            if store is not None:
                store.close()
        return
    with open_for_writing(store_config) as store:  # a new graph that nothing was stored in is removed on failure
        _run(store, inputs, batch_size, workers, False, progress, checkpoint_every_s, relations, store_config,
             as_json)


def _run(store: GraphStore | None, inputs: tuple[str, ...], batch_size: int, workers: int, dry_run: bool,
         progress: bool | None, checkpoint_every_s: float, relations: bool, store_config: StoreConfig,
         as_json: bool) -> None:
    ingester = Ingester(store, batch_size=batch_size, workers=workers, dry_run=dry_run,
                        progress=sys.stderr.isatty() if progress is None else progress,
                        checkpoint_every_s=checkpoint_every_s,
                        pipeline_factory=functools.partial(default_pipeline, relations=relations))
    summary = ingester.run(inputs)
    if as_json:
        echo_json({"store": store_config.describe(), "dry_run": dry_run, **summary.as_dict()})
    else:
        click.echo(f"{'dry run: ' if dry_run else ''}{_describe(summary)}  [{store_config.describe()}]", err=True)
        if summary.duplicates:
            click.echo(f"  duplicates: {summary.duplicates} records repeated a PMID read earlier in this run; "
                       "the last one read is kept", err=True)
        for message in summary.failed:
            click.echo(f"  failed: {message}", err=True)
    if not summary.ok:
        sys.exit(1)


def _describe(summary: IngestSummary) -> str:
    absent = summary.deletions_not_found
    not_found = f" (and {absent} DeleteCitation for PMIDs not stored)" if absent else ""
    return (f"read {summary.read}, stored {summary.stored}, replaced {summary.replaced}, skipped {summary.skipped} "
            f"unchanged, deleted {summary.deleted}{not_found}, duplicates {summary.duplicates}, "
            f"failed {len(summary.failed)}")
