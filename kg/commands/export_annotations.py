"""``kg export annotations``: per-publication text-mining results as PubTator or BioC XML."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.commands.common import echo_json, json_option, open_for_cli, store_options
from kg.config import StoreConfig
from kg.interop.annotations import FORMATS, export_annotations


@click.command("annotations")
@click.argument("args", nargs=-1, required=True, metavar="[PMID ...] OUT")
@click.option("--all", "all_publications", is_flag=True, help="Every publication in the store (instead of PMIDs).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="bioc", show_default=True)
@store_options
@json_option
def export_annotations_command(args: tuple[str, ...], all_publications: bool, fmt: str, store_config: StoreConfig,
                               as_json: bool) -> None:
    """Write the stored text-mining results of the given PMIDs (or --all) to OUT (- for stdout).

    Limitation: the store keeps titles but not abstracts, and entity mentions only per publication
    (no offsets); what it keeps with offsets are the evidence sentences of relations. So:

    pubtator: the title line, an empty abstract line and one relation line (PMID, predicate, subject,
    object) per supported edge; no mention lines.

    bioc: the title passage with one location-less annotation per mentioned entity (source text|mesh,
    count, major), and one passage per evidence sentence (its real offset and text) holding its
    relations (predicate, score, negated, speculative, extractor).

    Exit status 1 when some of the PMIDs are not in the store (the others are written).
    """
    *raw_pmids, out = args
    pmids = [p.removeprefix("PMID:") for p in raw_pmids]
    if all_publications == bool(pmids):
        raise click.UsageError("give either PMIDs or --all (and OUT last)")
    with open_for_cli(store_config, read_only=True) as store:
        if out == "-":
            summary = export_annotations(store, sys.stdout.buffer, fmt, None if all_publications else pmids)
        else:
            with Path(out).open("wb") as stream:
                summary = export_annotations(store, stream, fmt, None if all_publications else pmids)
    if as_json:
        echo_json({"out": out, **summary.as_dict()})
    else:
        click.echo(f"wrote {summary.documents:,} publications ({summary.relations:,} evidence statements) "
                   f"as {fmt} to {out}", err=True)
        if summary.missing:
            click.echo(f"  not in the store: {', '.join(summary.missing)}", err=True)
    if summary.missing:
        sys.exit(1)
