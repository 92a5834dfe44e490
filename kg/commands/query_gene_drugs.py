"""``kg query drugs-for-gene``: a gene (CURIE, symbol or star allele) → drugs, with typed, scored paths and evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.commands.common import (
    echo_answer,
    fail_if_strict,
    html_option,
    json_option,
    open_for_cli,
    store_options,
    strict_option,
    write_html,
)
from kg.config import StoreConfig


@click.command("drugs-for-gene")
@click.argument("gene")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many drugs.")
@click.option("--evidence", "evidence_per_edge", type=click.IntRange(min=0), default=2, show_default=True,
              help="Supporting sentences per text-mined edge (0: none).")
@click.option("--lexicon", "use_lexicon", is_flag=True,
              help="Also resolve aliases and full gene names with the shipped normalization lexicon (loads in "
                   "~10 s; its first use builds an index for minutes). Only consulted when the store has no match.")
@strict_option
@store_options
@json_option
@html_option
def drugs_for_gene(gene: str, top: int, evidence_per_edge: int, use_lexicon: bool, strict: bool,
                   store_config: StoreConfig, as_json: bool,
                   html_path: Path | None) -> None:
    """Drugs whose action or risk GENE changes: direct drug–gene edges and gene – disease ← treats paths.

    \b
    Examples:
      kg query drugs-for-gene CYP2D6
      kg query drugs-for-gene NCBIGene:1956 --top 5 --json
      kg query drugs-for-gene "CYP2C19*2/*3"      (the alleles are kept in the answer)

    A symbol is matched against the names and synonyms of the store's genes (import curated targets with
    `kg import drugcentral`). Each drug's score combines its paths (noisy-OR); a path's score is its predicate
    weight times its edges' support (curated source, distinct PMIDs, best extraction score); see
    queries/gene_drugs.py for the formula.

    Exit status 0 also when GENE is not recognised or has no drugs (that is an answer); with --strict, 1.
    """
    from queries.gene_drugs import GeneDrugFinder, GeneDrugParams
    from queries.resolve import LazyLexicon

    lexicon = LazyLexicon() if use_lexicon else None
    with open_for_cli(store_config, read_only=True) as store:
        finder = GeneDrugFinder(store, GeneDrugParams(evidence_per_edge=evidence_per_edge), lexicon=lexicon)
        result = finder.search(gene, top=top)
    payload = result.as_dict()
    if as_json:
        from queries.answers import GeneDrugsResult

        echo_answer(GeneDrugsResult, payload)
    else:
        print_gene_drug_answers(payload)
    write_html(html_path, "gene_drugs", payload)
    fail_if_strict(strict, gene_drug_problems(payload))


def gene_drug_problems(result: dict[str, Any]) -> list[str]:
    """What --strict fails on: the gene not recognised, or no drug linked to it."""
    bad = result["unrecognized"]
    if bad:
        return [f"gene {bad['text']!r} not recognised ({bad['reason']})"]
    return [] if result["answers"] else [f"no drugs linked to {result['gene']['name']} ({result['gene']['id']})"]


def print_gene_drug_answers(result: dict[str, Any]) -> None:
    bad = result["unrecognized"]
    if bad:
        click.echo(f"not recognised: {bad['text']!r} ({bad['reason']})")
        if bad["close_matches"]:
            click.echo("  closest genes: " + ", ".join(f"{m['name']} ({m['id']})" for m in bad["close_matches"]))
        return
    gene = result["gene"]
    genotype = f", genotype {result['genotype']}" if result["genotype"] else ""
    click.echo(f"gene: {gene['name']} ({gene['id']}, by {gene['matched_by']}{genotype}); "
               f"{result['n_drugs']} linked drugs")
    if not result["answers"]:
        click.echo("no drugs linked to this gene")
    for rank, answer in enumerate(result["answers"], start=1):
        parts = answer["parts"]
        click.echo(f"{rank:>2}. {answer['drug_id']}  {answer['drug_name']}  score {answer['score']:.3f} "
                   f"(direct {parts['direct']:.2f} ×{parts['n_direct']}, via disease {parts['via_disease']:.2f} "
                   f"×{parts['n_via_disease']})  [{', '.join(answer['sources'])}]")
        for path in answer["paths"]:
            where = f" {path['disease_name'] or path['disease_id']}" if path["kind"] == "via_disease" else ""
            pmids = sorted({pm for e in path["edges"] for pm in e["pmids"]})
            candidates = sum(1 for e in path["edges"] if not e.get("asserted", True))
            click.echo(f"      {path['kind']:<11} {path['type']}{where}  {path['score']:.3f}"
                       + (f"  PMIDs {', '.join(pmids[:5])}" if pmids else "")
                       + (f"  (literature candidate, belief {min(e.get('belief') or 0.0 for e in path['edges']):.2f})"
                          if candidates else ""))
            # one sentence per edge; a 2-hop path whose two edges rest on the same sentence shows it once
            first_sentences = dict.fromkeys((s["pmid"], s["sentence"]) for e in path["edges"]
                                            for s in e["sentences"][:1])
            for pmid, sentence in first_sentences:
                click.echo(f"        “{sentence}” (PMID {pmid})")
