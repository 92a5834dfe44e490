"""``kg export kgx``: Biolink KGX node and edge files."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import echo_json, json_option, min_belief_option, open_for_cli, store_options
from kg.config import StoreConfig
from kg.interop.kgx import FORMATS, export_kgx
from kg.interop.source import DEFAULT_PAGE_SIZE


@click.command("kgx")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="tsv", show_default=True,
              help="tsv (multi-valued fields '|'-separated) or jsonl (lists kept as lists).")
@click.option("--page-size", default=DEFAULT_PAGE_SIZE, show_default=True, type=click.IntRange(1),
              help="Entities read from the store per query (their outgoing edges come with them).")
@min_belief_option
@store_options
@json_option
def export_kgx_command(out_dir: Path, fmt: str, page_size: int, min_belief: float, store_config: StoreConfig,
                       as_json: bool) -> None:
    """Export the graph as KGX files OUT_DIR/nodes.<fmt> and OUT_DIR/edges.<fmt>.

    Nodes: id, category (biolink:Disease …), name, synonym. Edges: id (stable urn:uuid), subject,
    predicate (biolink:treats …), object, knowledge_level, agent_type, primary_knowledge_source,
    aggregator_knowledge_source (infores:medkg on curated edges), publications (PMID:…), and medkg's
    n_pmids, n_evidence, best_score, mean_score, first_year, last_year, extractors, knowledge_sources,
    belief (kg.belief: the probability that the edge is right, from all of its support).
    Evidence sentences are not exported (see `kg export annotations`). Written while paging through the
    store, in constant memory; `kg import kgx` reads the files back.
    """
    with open_for_cli(store_config, read_only=True) as store:
        summary = export_kgx(store, out_dir, fmt, page_size, min_belief)
    if as_json:
        echo_json(summary.as_dict())
    else:
        click.echo(f"wrote {summary.nodes:,} nodes to {summary.nodes_path} and {summary.edges:,} edges to "
                   f"{summary.edges_path}", err=True)
