"""``kg export rdf``: the graph as N-Triples (streamed), Turtle or JSON-LD."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.commands.common import echo_json, json_option, min_belief_option, open_for_cli, store_options
from kg.config import StoreConfig
from kg.interop.source import DEFAULT_PAGE_SIZE

FORMATS = ("jsonld", "nt", "ttl")  # kg.interop.rdf.FORMATS, not imported here: rdflib loads slowly
_SUFFIXES = {".nt": "nt", ".ttl": "ttl", ".jsonld": "jsonld", ".json": "jsonld"}


@click.command("rdf")
@click.argument("out", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
              help="nt (N-Triples), ttl (Turtle) or jsonld [default: from OUT's suffix, else nt].")
@click.option("--page-size", default=DEFAULT_PAGE_SIZE, show_default=True, type=click.IntRange(1),
              help="Entities read from the store per query (their outgoing edges come with them).")
@min_belief_option
@store_options
@json_option
def export_rdf_command(out: Path, fmt: str | None, page_size: int, min_belief: float, store_config: StoreConfig,
                       as_json: bool) -> None:
    """Export the graph as RDF to OUT (- for stdout).

    Entities get IRIs from their CURIEs (the shipped Bioregistry prefix map; a CURIE with an unknown
    prefix becomes https://w3id.org/medkg/local/<percent-encoded CURIE>), their Biolink class as rdf:type,
    rdfs:label and skos:altLabel. Each edge is a direct triple (s biolink:<predicate> o) plus a
    biolink:Association node (urn:uuid:…) carrying subject/predicate/object, publications (PMID IRIs),
    knowledge sources, knowledge_level, agent_type, score and medkg's counts (no RDF-star).

    N-Triples is written while paging through the store, in constant memory. Turtle and JSON-LD are
    built as one in-memory rdflib graph first: use them for small graphs only — Turtle is ~17x slower
    than N-Triples in rdflib and needs memory for every triple.
    """
    from kg.interop.rdf import export_rdf

    fmt = fmt or _SUFFIXES.get(out.suffix.lower(), "nt")
    with open_for_cli(store_config, read_only=True) as store:
        if str(out) == "-":
            summary = export_rdf(store, sys.stdout, fmt, page_size, min_belief)
        else:
            summary = export_rdf(store, out, fmt, page_size, min_belief)
    if as_json:
        echo_json({"out": str(out), **summary.as_dict()})
    else:
        click.echo(f"wrote {summary.triples:,} triples ({summary.entities:,} entities, {summary.edges:,} edges) "
                   f"as {fmt} to {out} in {summary.seconds:.1f} s", err=True)
