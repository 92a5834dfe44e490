"""``kg ingest``: read literature files and write what the pipeline finds to the graph."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import sys
import tempfile
from pathlib import Path

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
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: extraction in this process (or a --workers process pool). ray: extraction on a pool of "
                   "Ray actors (locally, or on the cluster at --address), results as Parquet shards in --shards, "
                   "written to the store by this process; needs pip install 'medkg[ray]'.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, None),
              help=f"Extraction processes: a process pool with --engine local (this machine has {os.cpu_count()} "
                   "cores), Ray actors (one CPU each) with --engine ray, where each task is one --batch-size "
                   "batch (a smaller batch spreads a small input over more actors).")
@click.option("--address", metavar="ADDR", default=None,
              help="--engine ray: the Ray cluster to run on (auto, HOST:6379, ray://HOST:10001); without it a "
                   "local Ray instance of --workers CPUs is started for the run.")
@click.option("--shards", "shard_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="--engine ray: where workers write their shards and the driver its manifest.jsonl (default: "
                   "GRAPH.shards beside an embedded graph, ./medkg-shards for Neo4j). On a cluster it must be a "
                   "folder every node sees. A rerun after an interruption takes finished shards from here.")
@click.option("--neo4j-import", "import_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              default=None,
              help="--engine ray, a first load of a new Neo4j database: write neo4j-admin database import files "
                   "(CSVs, import.sh, after-import.cypher) to DIR instead of writing a store; the graph is "
                   "assembled in this process's memory.")
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
def ingest(inputs: tuple[str, ...], batch_size: int, engine: str, workers: int, address: str | None,
           shard_dir: Path | None, import_dir: Path | None, dry_run: bool, progress: bool | None,
           checkpoint_every_s: float, relations: bool,
           store_config: StoreConfig, as_json: bool) -> None:
    """Ingest INPUTS: PubMed/MEDLINE XML (.xml, .xml.gz), PubTator, BioC XML; files, directories, globs or -.

    Re-running is safe: unchanged documents (same PMID, version, content and pipeline) are skipped,
    changed ones replace their earlier evidence, DeleteCitation records remove publications. An
    interrupted run (even kill -9) is completed by running the same command again. A PMID read more than
    once in a run keeps its last record (counted as duplicates). A title + abstract over 100,000
    characters is refused (a failure naming file and PMID); the rest of its batch is stored.

    With --engine ray the same happens with extraction on Ray: files are scanned and planned by this process,
    which decides from the stored content hashes what needs the pipeline; Ray actors extract it into Parquet
    shards (--shards); this process alone writes the store, in file order. A killed worker's task is retried;
    a killed run is completed by running the same command again (finished shards are reused).

    Exit status: 0 when every record was stored, 1 when some records failed (listed at the end), 2 when an
    input names no file (nothing is opened then; a new graph that a failed run stored nothing in is removed).
    """
    check_inputs_exist(inputs, "INPUTS")  # before any store is opened or created
    if import_dir is not None and (engine != "ray" or dry_run):
        raise click.UsageError("--neo4j-import is a first load with --engine ray (and no --dry-run)")
    if engine == "local":
        if address or shard_dir:
            raise click.UsageError("--address and --shards are options of --engine ray")
        if workers > (os.cpu_count() or 1):
            raise click.BadParameter(f"{workers} is more than this machine's {os.cpu_count()} cores (use --engine "
                                     "ray --address ADDR for a cluster)", param_hint="--workers")
        engine_options: dict[str, object] = {}
    else:
        if "-" in inputs:
            raise click.UsageError("--engine ray reads files by name on its workers: give standard input (-) to "
                                   "--engine local")
        _check_ray_installed()
        if shard_dir is None and dry_run:  # a dry run leaves nothing behind: its shards go to a temporary folder
            shard_dir = Path(tempfile.mkdtemp(prefix="medkg-dry-run-shards-"))
            atexit.register(shutil.rmtree, shard_dir, ignore_errors=True)
        engine_options = {"address": address, "shard_dir": shard_dir or _default_shard_dir(store_config)}
    if import_dir is not None:
        _run_import(inputs, import_dir, batch_size, workers, progress, relations, as_json, address,
                    shard_dir or _default_shard_dir(store_config))
        return
    if dry_run:  # the store, where there is one, only tells new documents from unchanged ones
        store = None
        if store_config.backend == "neo4j" or store_config.db_path.exists():
            store = open_for_cli(store_config, read_only=True)
        try:
            _run(store, inputs, batch_size, workers, True, progress, checkpoint_every_s, relations, store_config,
                 as_json, engine_options)
        finally:
            if store is not None:
                store.close()
        return
    with open_for_writing(store_config) as store:  # a new graph that nothing was stored in is removed on failure
        _run(store, inputs, batch_size, workers, False, progress, checkpoint_every_s, relations, store_config,
             as_json, engine_options)


def _check_ray_installed() -> None:
    try:
        import ray  # noqa: F401
    except ImportError:
        raise click.ClickException("--engine ray needs Ray, which is not installed here: "
                                   "pip install 'medkg[ray]'") from None


def _default_shard_dir(config: StoreConfig) -> Path:
    from kg.distributed.ray_engine import default_shard_dir

    return default_shard_dir(config.backend, config.db_path)


def _run(store: GraphStore | None, inputs: tuple[str, ...], batch_size: int, workers: int, dry_run: bool,
         progress: bool | None, checkpoint_every_s: float, relations: bool, store_config: StoreConfig,
         as_json: bool, engine_options: dict[str, object]) -> None:
    options = {"batch_size": batch_size, "workers": workers, "dry_run": dry_run,
               "progress": sys.stderr.isatty() if progress is None else progress,
               "checkpoint_every_s": checkpoint_every_s,
               "pipeline_factory": functools.partial(default_pipeline, relations=relations)}
    extra: dict[str, object] = {}
    if engine_options:
        from kg.distributed.ray_engine import RayEngineError, RayIngester

        ray_ingester = RayIngester(store, **options, **engine_options)  # type: ignore[arg-type]
        try:
            summary = ray_ingester.run(inputs)
        except RayEngineError as exc:
            raise click.ClickException(str(exc)) from None
        extra = {"engine": "ray", "shards": str(ray_ingester.shard_dir), "tasks": ray_ingester.tasks_submitted,
                 "shards_reused": ray_ingester.shards_reused}
    else:
        summary = Ingester(store, **options).run(inputs)  # type: ignore[arg-type]
    if as_json:
        echo_json({"store": store_config.describe(), "dry_run": dry_run, **summary.as_dict(), **extra})
    else:
        click.echo(f"{'dry run: ' if dry_run else ''}{_describe(summary)}  [{store_config.describe()}]", err=True)
        if summary.duplicates:
            click.echo(f"  duplicates: {summary.duplicates} records repeated a PMID read earlier in this run; "
                       "the last one read is kept", err=True)
        for message in summary.failed:
            click.echo(f"  failed: {message}", err=True)
    if not summary.ok:
        sys.exit(1)


def _run_import(inputs: tuple[str, ...], import_dir: Path, batch_size: int, workers: int, progress: bool | None,
                relations: bool, as_json: bool, address: str | None, shard_dir: Path) -> None:
    from kg.distributed.graph_image import GraphImage
    from kg.distributed.neo4j_import import ImportFilesError, write_import_files
    from kg.distributed.ray_engine import RayEngineError, RayIngester

    image = GraphImage()
    ingester = RayIngester(None, image=image, batch_size=batch_size, workers=workers, address=address,
                           shard_dir=shard_dir, progress=sys.stderr.isatty() if progress is None else progress,
                           pipeline_factory=functools.partial(default_pipeline, relations=relations))
    try:
        summary = ingester.run(inputs)
        files = write_import_files(image, import_dir)
    except (RayEngineError, ImportFilesError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        echo_json({"import_dir": str(files.directory), "files": files.counts, **summary.as_dict(),
                   "engine": "ray", "shards": str(ingester.shard_dir), "tasks": ingester.tasks_submitted})
    else:
        click.echo(f"{_describe(summary)}  [neo4j-admin import files in {files.directory}: "
                   + ", ".join(f"{n:,} {name}" for name, n in files.counts.items()) + "]", err=True)
        click.echo(f"  next, with Neo4j stopped: sh {files.directory / 'import.sh'}; then start it and run "
                   f"cypher-shell -f {files.directory / 'after-import.cypher'}", err=True)
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
