"""``kg import kgx``: Biolink KGX node/edge files (medkg's own exports or third-party) into the store."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import echo_json, json_option, open_for_writing, store_options
from kg.config import StoreConfig
from kg.interop.kgx import DEFAULT_SOURCE, TEXT_MINED_MODES, import_kgx


@click.command("kgx")
@click.argument("nodes", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("edges", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--default-source", default=DEFAULT_SOURCE, show_default=True, metavar="INFORES",
              help="primary_knowledge_source for edges whose file names none.")
@click.option("--text-mined", type=click.Choice(TEXT_MINED_MODES), default="evidence", show_default=True,
              help="Edges text-mined by medkg (infores:medkg): 'evidence' restores them with one placeholder "
                   "evidence item per PMID (no sentence); 'skip' drops that support.")
@click.option("--batch-size", default=10_000, show_default=True, type=click.IntRange(1),
              help="Rows per store write.")
@store_options
@json_option
def import_kgx_command(nodes: Path, edges: Path | None, default_source: str, text_mined: str, batch_size: int,
                       store_config: StoreConfig, as_json: bool) -> None:
    """Import KGX NODES and (optionally) EDGES files: .tsv or .jsonl, optionally gzipped.

    Nodes become entities: the first category medkg knows wins (biolink:Drug over ChemicalEntity),
    others become NamedThing. Edges become curated relations attributed to their
    primary_knowledge_source; their publications are not kept (the store keeps PMIDs only as evidence).
    Edges with a predicate medkg does not have, and negated edges, are skipped and counted.

    Text-mined edges (infores:medkg, e.g. from `kg export kgx`) have no sentences in KGX: by default
    they come back as text-mined edges with the same PMIDs and best score, through placeholder
    evidence (extractor kgx-import, empty sentence); n_evidence then equals n_pmids and mean_score
    best_score. Re-running the same import changes nothing.
    """
    with open_for_writing(store_config) as store:
        summary = import_kgx(store, nodes, edges, default_source=default_source, text_mined=text_mined,
                             batch_size=batch_size)
        if not summary.nodes_read and not summary.edges_read:  # not a KGX file: say so, and keep no new graph
            files = " or ".join(str(p) for p in (nodes, edges) if p is not None)
            raise click.ClickException(f"no KGX nodes or edges read from {files}: expected KGX .tsv or .jsonl "
                                       "(optionally .gz) files, such as `kg export kgx` writes")
    if as_json:
        echo_json({"store": store_config.describe(), **summary.as_dict()})
    else:
        click.echo(f"imported {summary.nodes_imported:,}/{summary.nodes_read:,} nodes and "
                   f"{summary.edges_imported:,}/{summary.edges_read:,} edges into {store_config.describe()}",
                   err=True)
        for reason, n in summary.skipped.most_common():
            click.echo(f"  skipped {n:,}: {reason}", err=True)
