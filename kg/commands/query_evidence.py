"""``kg query evidence``: one edge's evidence digest — papers, years, strongest sentences, agreement, contradiction."""

from __future__ import annotations

from typing import Any

import click

from kg.commands.common import echo_answer, json_option, open_for_cli, store_options
from kg.config import StoreConfig


@click.command("evidence")
@click.argument("edge")
@click.option("--sentences", "strongest", type=click.IntRange(min=0), default=3, show_default=True,
              help="Strongest supporting sentences to show (one per paper).")
@store_options
@json_option
def evidence(edge: str, strongest: int, store_config: StoreConfig, as_json: bool) -> None:
    """What the literature says about one EDGE, given as SUBJECT|predicate|OBJECT (the edge key of answers and of
    `kg serve`'s /v1/evidence), in statements that each name the PMIDs they rest on.

    \b
    Examples:
      kg query evidence "MESH:D003061|affects|NCBIGene:1565"
      kg query evidence "MESH:D011014|has_phenotype|HP:0001945" --json

    Exit status 1 when the graph has no such edge.
    """
    from kg.schema import split_edge_key
    from queries.evidence_summary import summarize_edge

    try:
        subject, predicate, obj = (p.strip() for p in split_edge_key(edge.strip()))
    except ValueError as exc:
        raise click.BadParameter("give the edge as SUBJECT|predicate|OBJECT with a Biolink predicate, e.g. "
                                 "MESH:D003061|affects|NCBIGene:1565", param_hint="EDGE") from exc
    with open_for_cli(store_config, read_only=True) as store:
        digest = summarize_edge(store, subject, predicate, obj, strongest=strongest)
    if digest is None:
        raise click.ClickException(f"no edge {subject} -{predicate}-> {obj} in {store_config.describe()} "
                                   "(edge keys are in the answers of kg query … --json)")
    payload = digest.model_dump(mode="json")
    if as_json:
        from queries.answers import EvidenceDigest

        echo_answer(EvidenceDigest, payload)
    else:
        print_digest(payload)


def print_digest(digest: dict[str, Any]) -> None:
    click.echo(f"{digest['subject_name']} ({digest['subject']}) {digest['predicate']} "
               f"{digest['object_name']} ({digest['object']})")
    for statement in digest["statements"]:
        pmids = f"  [{', '.join(statement['pmids'])}]" if statement["pmids"] else ""
        click.echo(f"  {statement['text']}{pmids}")
    for sentence in digest["strongest"][1:]:
        click.echo(f"    “{sentence['sentence']}” ({sentence['pmid']}, score {sentence['score']:.2f})")
