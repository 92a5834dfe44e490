"""``kg cypher``: run a read-only Cypher query (given, from a file or stdin, or a named example) on either store."""

from __future__ import annotations

import json
from typing import IO, Any

import click

from kg.commands.common import echo_json, echo_rows, missing_parameters, open_for_cli, store_options
from kg.config import StoreConfig
from kg.store import StoreError
from kg.store.cypher_help import EXAMPLES, EXAMPLES_BY_NAME, with_hint

FORMATS = ("table", "tsv", "json")


@click.command()
@click.argument("query", required=False)
@click.option("--file", "-f", "query_file", type=click.File("r", encoding="utf-8"), default=None,
              help="Read the query from FILE ('-': standard input).")
@click.option("--example", "example", metavar="NAME", default=None,
              help="Run a named example query (see --examples); -p replaces its example parameters.")
@click.option("--examples", "list_examples", is_flag=True, help="List the named example queries and exit.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=JSON",
              help="Query parameter, value parsed as JSON when possible (repeatable): -p ids='[\"HP:0001945\"]'.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None,
              help="Output: an aligned table (default), tab-separated values with a header, or JSON.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON (same as --format json).")
@store_options
def cypher(query: str | None, query_file: IO[str] | None, example: str | None, list_examples: bool,
           params: tuple[str, ...], output_format: str | None, as_json: bool, store_config: StoreConfig) -> None:
    """Run a read-only Cypher QUERY (writes are refused) on either store.

    The query is the argument, or read with -f FILE (-f - for standard input), or a named example (--example
    NAME; --examples lists them). Portable queries read an edge's type from r.predicate (the embedded engine has
    no type()) and an entity's category from (n:Entity {category: 'Disease'}); kg schema shows the labels,
    properties, predicates and the rules.
    """
    if as_json:
        if output_format not in (None, "json"):
            raise click.UsageError(f"--json and --format {output_format} disagree: give one of them")
        output_format = "json"
    output_format = output_format or "table"
    if list_examples:
        _print_examples(output_format)
        return
    sources = [name for name, given in (("QUERY", query is not None), ("--file", query_file is not None),
                                        ("--example", example is not None)) if given]
    if len(sources) != 1:
        raise click.UsageError("give the query as QUERY, with -f FILE (-f - for stdin) or with --example NAME"
                               + (f", not {' and '.join(sources)} together" if sources else ""))
    parsed: dict[str, Any] = {}
    if example is not None:
        chosen = EXAMPLES_BY_NAME.get(example)
        if chosen is None:
            raise click.BadParameter(f"no example {example!r}; known: {', '.join(EXAMPLES_BY_NAME)}",
                                     param_hint="--example")
        query = chosen.cypher
        parsed.update(chosen.params)
    elif query_file is not None:
        query = query_file.read()
    assert query is not None
    if not query.strip():
        raise click.UsageError("the query is empty")
    for item in params:
        name, sep, raw = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--param")
        try:
            parsed[name] = json.loads(raw)
        except json.JSONDecodeError:
            parsed[name] = raw
    missing = missing_parameters(query, parsed)
    if missing:  # both engines would read them as null and answer "(no rows)", which looks like an answer
        raise click.UsageError(f"the query uses {', '.join('$' + m for m in missing)} but no value was given: add "
                               + " ".join(f"-p {m}=VALUE" for m in missing))
    with open_for_cli(store_config, read_only=True) as store:
        try:
            rows = store.read_cypher(query, parsed)
        except StoreError as exc:
            raise click.ClickException(with_hint(str(exc))) from exc
    if output_format == "json":
        echo_json(rows)
    elif output_format == "tsv":
        echo_tsv(rows)
    else:
        echo_rows(rows)


def echo_tsv(rows: list[dict[str, Any]]) -> None:
    """A header line and one line per row, tab-separated; no rows is the header alone (nothing when no columns).

    Lists and maps are JSON, null is empty; tabs, newlines and backslashes inside a cell are escaped (\\t, \\n,
    \\\\) so that each row stays one line.
    """
    if not rows:
        return
    columns = list(rows[0])
    click.echo("\t".join(_tsv_cell(c) for c in columns))
    for row in rows:
        click.echo("\t".join(_tsv_cell(row.get(c)) for c in columns))


def _tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | tuple | dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _print_examples(output_format: str) -> None:
    if output_format == "json":
        echo_json([e.as_dict() for e in EXAMPLES])
        return
    if output_format == "tsv":
        click.echo("name\tparameters\tdescription\tcypher")
        for e in EXAMPLES:
            click.echo("\t".join(_tsv_cell(v) for v in (e.name, json.dumps(e.params), e.description, e.cypher)))
        return
    for e in EXAMPLES:
        click.echo(f"{e.name}: {e.description}")
        if e.params:
            click.echo("  parameters: " + " ".join(f"-p {k}={json.dumps(v)}" for k, v in e.params.items()))
        click.echo(f"  {e.cypher}")
    click.echo("run one with: kg cypher --example NAME [-p NAME=JSON …]")
