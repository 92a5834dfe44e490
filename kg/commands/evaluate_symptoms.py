"""``kg evaluate symptoms``: top-k accuracy and MRR of the symptom ranking on simulated patients."""

from __future__ import annotations

from typing import Any

import click

from kg.commands.common import echo_json, evaluation_graph, json_option, store_options
from kg.config import StoreConfig


@click.command("symptoms")
@click.option("--n", "n", type=click.IntRange(min=1), default=200, show_default=True, help="Simulated patients.")
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--noise", is_flag=True, help="Also evaluate with random unrelated phenotypes added.")
@click.option("--imprecision", is_flag=True, help="Also evaluate with every term replaced by a parent.")
@click.option("--source", type=click.Choice(["omim", "orpha", "all"]), default="all", show_default=True,
              help="Annotations to import into the temporary graph.")
@click.option("--use-store", is_flag=True,
              help="Query the configured store (already holding `kg import hpo`) instead of a temporary one.")
@click.option("--rerank", is_flag=True, help="Also rank with the language-model rerank (graph-only vs graph+LM).")
@click.option("--weights", default=None, metavar="W[,W…]",
              help="LM weights to evaluate with --rerank (comma-separated, 0 = graph only) [default: the shipped "
                   "weight]; pick a weight on a seed other than the one you report.")
@store_options
@json_option
def symptoms(n: int, seed: int, noise: bool, imprecision: bool, source: str, use_store: bool, rerank: bool,
             weights: str | None, store_config: StoreConfig, as_json: bool) -> None:
    """Simulated patients (3–7 of a disease's own HPO annotations, Phenomizer-style) → top-1/3/10 and MRR.

    Clean queries come from the same annotations that are ranked (as in the published Phenomizer evaluation),
    so they are an upper bound; --noise and --imprecision add the harder condition next to the clean one.
    """
    from queries.rerank import DEFAULT_WEIGHT, SymptomReranker
    from queries.symptom_evaluation import evaluate, simulate_patients
    from queries.symptoms import SymptomRanker

    try:
        lm_weights = [float(w) for w in weights.split(",")] if weights else [DEFAULT_WEIGHT]
    except ValueError:
        raise click.BadParameter(f"expected numbers like 0.2,0.3, got {weights!r}", param_hint="--weights") from None
    if any(not 0 <= w <= 1 for w in lm_weights):
        raise click.BadParameter("weights must lie in [0, 1]", param_hint="--weights")
    report: dict[str, Any] = {"n": n, "seed": seed, "results": []}
    from kg.importers.hpo import import_hpo

    with evaluation_graph(use_store, store_config, report, f"temporary embedded graph, HPO annotations ({source})",
                          lambda store: import_hpo(store, source=source)) as store:
        ranker = SymptomRanker(store)
        reranker = None
        if rerank:
            reranker = SymptomReranker(ranker)
            reranker.warm()
        conditions = [("clean", False, False)]
        if noise or imprecision:
            label = "+".join(name for name, on in (("noise", noise), ("imprecision", imprecision)) if on)
            conditions.append((label, noise, imprecision))
        for label, with_noise, with_imprecision in conditions:
            patients = simulate_patients(ranker, n, seed, noise=with_noise, imprecision=with_imprecision)
            result = evaluate(ranker, patients, label, reranker, lm_weights if rerank else ())
            report["results"].append(result.as_dict())
    if as_json:
        echo_json(report)
        return
    click.echo(f"{report['store']}: {n} simulated patients, seed {seed}")
    for result in report["results"]:
        m = result["metrics"]
        click.echo(f"  {result['condition']:<18} graph      top1 {m['top1']:.3f}  top3 {m['top3']:.3f}  "
                   f"top10 {m['top10']:.3f}  MRR {m['mrr']:.3f}  ({result['seconds_per_query'] * 1000:.0f} ms/query, "
                   f"{result['not_found']} not ranked)")
        for name, m in result["reranked"].items():
            click.echo(f"  {result['condition']:<18} +LM {name:<6} top1 {m['top1']:.3f}  top3 {m['top3']:.3f}  "
                       f"top10 {m['top10']:.3f}  MRR {m['mrr']:.3f}  "
                       f"(+{result['rerank_seconds_per_query'] * 1000:.0f} ms/query)")
