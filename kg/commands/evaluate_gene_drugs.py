"""``kg evaluate gene-drugs``: recall@k and MRR of gene → drug rankings against PharmGKB clinical annotations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.commands.common import echo_json, evaluation_graph, json_option, store_options
from kg.config import StoreConfig


@click.command("gene-drugs")
@click.option("--data", "data", type=click.Path(path_type=Path, file_okay=False, exists=True),
              envvar="KG_SHARED_DATA", required=True,
              help="Shared data folder with kb/pharmgkb and kb/drugcentral [env KG_SHARED_DATA].")
@click.option("--levels", default="1A,1B", show_default=True,
              help="PharmGKB levels of evidence that make the gold standard (comma-separated).")
@click.option("--k", "k", type=click.IntRange(min=1), default=10, show_default=True, help="Cut-off of recall@k.")
@click.option("--use-store", is_flag=True,
              help="Rank in the configured store (e.g. text-mined edges + `kg import drugcentral`) instead of a "
                   "temporary graph holding only DrugCentral.")
@click.option("--exclude-source", "excluded", multiple=True,
              default=["infores:pharmgkb", "infores:cpic", "infores:dpwg"], show_default=True, metavar="INFORES",
              help="Knowledge sources whose support is ignored (repeatable; the default is the gold standard's own "
                   "source and the guideline sources `kg import pharmgkb` adds). Pass --exclude-source '' to "
                   "ignore none.")
@click.option("--genes", "show_genes", is_flag=True, help="Also print each gene's result.")
@store_options
@json_option
def gene_drugs(data: Path, levels: str, k: int, use_store: bool, excluded: tuple[str, ...], show_genes: bool,
               store_config: StoreConfig, as_json: bool) -> None:
    """Rank drugs for every gene with PharmGKB clinical annotations of the given levels; report recall@k and MRR.

    \b
    Examples:
      kg evaluate gene-drugs --data ../shared/data
      kg evaluate gene-drugs --data ../shared/data --levels 1A,1B,2A,2B --k 20 --json
      kg evaluate gene-drugs --data ../shared/data --use-store --db graph.lbug

    Also checked, on the ranking as users see it (no source excluded): for CYP2D6, CYP2C19, CYP2C9, TPMT, DPYD,
    HLA-B, SLCO1B1, UGT1A1 and VKORC1, the ranks of the drugs with a CPIC/DPWG guideline for the gene
    (kb/pharmgkb/guidelineAnnotations.json); on a graph with `kg import pharmgkb` the top 10 should all be guideline
    drugs and every CPIC drug in the top 25.

    Drugs are matched across vocabularies by DrugBank/ChEBI/MeSH cross-references and by names (see
    queries/gene_drug_evaluation.py). Deterministic: no sampling, ties broken pessimistically.
    """
    from kg.importers.drugcentral import import_drugcentral
    from queries.gene_drug_evaluation import check_guidelines, evaluate_gene_drugs, read_gold
    from queries.gene_drugs import GeneDrugFinder, GeneDrugParams

    wanted = tuple(level.strip().upper() for level in levels.split(",") if level.strip())
    try:
        gold = read_gold(data, wanted)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    excluded = tuple(sorted(s for s in excluded if s))
    report: dict[str, Any] = {"excluded_sources": list(excluded)}
    with evaluation_graph(use_store, store_config, report,
                          "temporary embedded graph, DrugCentral targets and indications",
                          lambda store: import_drugcentral(store, data)) as store:
        finder = GeneDrugFinder(store, GeneDrugParams(evidence_per_edge=0, excluded_sources=excluded))
        report.update(evaluate_gene_drugs(finder, gold, k, wanted).as_dict())
        # The user's view (no source excluded): where the CPIC/DPWG guideline drugs of nine pharmacogenes rank.
        report["guidelines"] = check_guidelines(GeneDrugFinder(store, GeneDrugParams(evidence_per_edge=0)), data)
    if as_json:
        echo_json(report)
        return
    m = report["metrics"]
    click.echo(f"{report['store']}: PharmGKB levels {','.join(report['levels'])}, {report['n_genes']} genes, "
               f"{report['n_pairs']} gene–drug pairs")
    click.echo(f"  recall@{k} {m[f'recall@{k}']:.3f}  MRR {m['mrr']:.3f}  micro recall@{k} "
               f"{m[f'micro_recall@{k}']:.3f}  recall (whole ranking) {m['recall_all']:.3f}  "
               f"genes with a hit {m['genes_with_any_hit']}/{report['n_genes']}")
    if report["genes_not_in_graph"]:
        click.echo(f"  genes not in the graph: {', '.join(report['genes_not_in_graph'])}")
    g = report["guidelines"]
    click.echo(f"  guideline drugs first (top 10 all CPIC/DPWG, every CPIC drug in the top 25): "
               f"{g['passed']}/{g['n_genes']} genes")
    for gene in g["genes"]:
        ranks = [r for r in gene["cpic_ranks"].values() if r is not None]
        missing = [d for d, r in gene["cpic_ranks"].items() if r is None]
        click.echo(f"    {gene['gene']:<8} {'ok  ' if gene['passed'] else 'FAIL'} guideline drugs "
                   f"{gene['n_guideline']:>2}, top {len(gene['top'])} all guideline: "
                   f"{'yes' if gene['top_are_guideline'] else 'no'}; CPIC {gene['n_cpic']:>2} at ranks "
                   f"{','.join(map(str, sorted(ranks))) or '-'}" + (f"; not ranked: {', '.join(missing)}"
                                                                    if missing else ""))
    if show_genes:
        for gene in report["genes"]:
            found = ", ".join(f"{d}@{p}" for d, p in gene["found_at"].items() if p is not None) or "-"
            click.echo(f"  {gene['gene']:<10} gold {gene['n_gold']:>3}  ranked {gene['n_ranked']:>4}  "
                       f"recall@{k} {gene['recall_at_k']:.2f}  RR {gene['reciprocal_rank']:.2f}  found: {found}")
