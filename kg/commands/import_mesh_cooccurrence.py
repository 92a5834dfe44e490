"""``kg import mesh-cooccurrence``: disease → sign/symptom edges from MeSH co-indexing of the stored citations."""

from __future__ import annotations

import click

from kg.commands.common import json_option, store_options
from kg.commands.importing import echo_summary, run_import
from kg.config import StoreConfig


@click.command("mesh-cooccurrence")
@click.option("--min-support", type=click.IntRange(min=1), default=3, show_default=True,
              help="Fewest citations indexed with both the disease and the symptom for an edge.")
@click.option("--max-q", type=click.FloatRange(min=0, max=1), default=0.05, show_default=True,
              help="Largest Benjamini-Hochberg q-value (expected share of false edges) for an edge.")
@click.option("--major-only", is_flag=True, help="Count major-topic headings only.")
@click.option("--max-pmids", type=click.IntRange(min=1), default=20, show_default=True,
              help="Co-indexed citations kept as evidence per edge (the newest; the count is in its statement).")
@click.option("--page", type=click.IntRange(min=1), default=5_000, show_default=True,
              help="Publications read per query.")
@store_options
@json_option
def mesh_cooccurrence(min_support: int, max_q: float, major_only: bool, max_pmids: int, page: int,
                      store_config: StoreConfig, as_json: bool) -> None:
    """Compute disease -has_phenotype-> sign/symptom edges from the MeSH headings of the stored citations.

    \b
    Example:
      kg ingest medline.xml.gz && kg import mesh-cooccurrence --min-support 3 --max-q 0.05

    Diseases are MeSH descriptors of trees C (not C23) and F03, signs and symptoms those of C23.888, mapped to
    HPO terms where MeSH's mappings give one (else the MeSH id is kept). A pair is an edge when one-sided
    Fisher's exact test of its co-indexing, corrected by Benjamini-Hochberg over all co-indexed pairs, gives
    q <= --max-q and it has --min-support citations. Source infores:medkg-mesh-cooccurrence
    (statistical_association, automated_agent); evidence score 1 - q, a statistic, not a probability. Each run
    recounts everything stored (it reads only the MeSH links) and replaces the previous run's edges: re-run it
    after ingesting more literature.
    """
    from kg.importers.mesh_cooccurrence import import_mesh_cooccurrence

    summary = run_import(store_config, as_json, lambda store, progress: import_mesh_cooccurrence(
        store, min_support=min_support, max_q=max_q, major_only=major_only, max_pmids=max_pmids, page=page,
        progress=progress))
    echo_summary(summary, as_json, "MeSH co-occurrence", store_config,
                 [f"citations with MeSH headings {summary.citations:,}: diseases {summary.diseases:,}, "
                  f"signs/symptoms {summary.symptoms:,}",
                  f"pairs tested {summary.pairs_tested:,}, with >= {summary.min_support} citations "
                  f"{summary.pairs_supported:,}, associations (q <= {summary.max_q:g}) {summary.associations:,}",
                  f"has_phenotype edges {summary.has_phenotype:,} ({summary.to_hpo:,} to HPO terms), "
                  f"previous run's edges withdrawn {summary.retracted:,}"], summary.skipped)
