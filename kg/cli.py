"""The ``kg`` command line: one entry point for ingesting, inspecting and querying the graph."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kg.config import DEFAULT_DB_PATH, StoreConfig
from kg.store import GraphStore, StoreError, open_store


def store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options that choose the store; each falls back to an environment variable."""
    options = [
        click.option("--store", "backend", type=click.Choice(["embedded", "neo4j"]), envvar="KG_STORE",
                     default=None, help="Backend [env KG_STORE; default: embedded, or neo4j when --neo4j is set]."),
        click.option("--db", "db_path", type=click.Path(path_type=Path), envvar="KG_DB", default=DEFAULT_DB_PATH,
                     show_default=True, help="Embedded graph directory/file [env KG_DB]."),
        click.option("--neo4j", "neo4j_uri", envvar="NEO4J_URI", default=None,
                     help="Neo4j Bolt URI, e.g. bolt://localhost:7687 [env NEO4J_URI]."),
        click.option("--neo4j-user", envvar="NEO4J_USER", default="neo4j", show_default=True,
                     help="[env NEO4J_USER]"),
        click.option("--neo4j-password", envvar="NEO4J_PASSWORD", default=None, help="[env NEO4J_PASSWORD]"),
        click.option("--neo4j-database", envvar="NEO4J_DATABASE", default=None,
                     help="Database name (default: the server's default) [env NEO4J_DATABASE]."),
    ]
    for option in reversed(options):
        func = option(func)

    @functools.wraps(func)
    def wrapper(*args: Any, backend: str | None, db_path: Path, neo4j_uri: str | None, neo4j_user: str,
                neo4j_password: str | None, neo4j_database: str | None, **kwargs: Any) -> Any:
        config = StoreConfig(
            backend=backend or ("neo4j" if neo4j_uri else "embedded"),
            db_path=db_path,
            neo4j_uri=neo4j_uri or StoreConfig.neo4j_uri,
            neo4j_user=neo4j_user or None,
            neo4j_password=neo4j_password,
            neo4j_database=neo4j_database,
        )
        return func(*args, store_config=config, **kwargs)

    return wrapper


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(func)


def open_for_cli(config: StoreConfig, *, read_only: bool = False) -> GraphStore:
    try:
        return open_store(config, read_only=read_only)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def echo_json(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))


def echo_rows(rows: list[dict[str, Any]]) -> None:
    """A plain aligned table; long cells are cut so that rows stay on one line."""
    if not rows:
        click.echo("(no rows)")
        return
    columns = list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def _cell(value: Any, limit: int = 60) -> str:
    text = "" if value is None else json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="medkg")
def main() -> None:
    """medkg: build a biomedical knowledge graph from PubMed and ask it questions, with evidence.

    The graph lives in an embedded database file by default (no server needed); add
    --neo4j bolt://HOST:7687 (or set NEO4J_URI) to any command to use Neo4j instead.
    """


@main.command()
@store_options
def init(store_config: StoreConfig) -> None:
    """Create the schema (tables, constraints, indexes) if it does not exist."""
    with open_for_cli(store_config) as store:
        store.ensure_schema()
    click.echo(f"schema ready in {store_config.describe()}")


@main.command()
@store_options
@json_option
def stats(store_config: StoreConfig, as_json: bool) -> None:
    """Count nodes per label/category and relationships per type."""
    with open_for_cli(store_config, read_only=True) as store:
        counts = store.stats().as_dict()
    if as_json:
        echo_json(counts)
        return
    click.echo(f"store: {store_config.describe()}")
    for section, values in counts.items():
        click.echo(f"{section}:")
        for name, n in values.items():
            click.echo(f"  {name:<40} {n:>12,}")


@main.command()
@click.argument("query")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=JSON",
              help="Query parameter, value parsed as JSON when possible (repeatable): -p ids='[\"HP:0001945\"]'.")
@store_options
@json_option
def cypher(query: str, params: tuple[str, ...], store_config: StoreConfig, as_json: bool) -> None:
    """Run a read-only Cypher QUERY (writes are refused) on either store.

    Portable queries read an edge's type from r.predicate (the embedded engine has no type()).
    """
    parsed: dict[str, Any] = {}
    for item in params:
        name, sep, raw = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--param")
        try:
            parsed[name] = json.loads(raw)
        except json.JSONDecodeError:
            parsed[name] = raw
    with open_for_cli(store_config, read_only=True) as store:
        try:
            rows = store.read_cypher(query, parsed)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(rows)
    else:
        echo_rows(rows)


@main.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@store_options
def clear(yes: bool, store_config: StoreConfig) -> None:
    """Delete every node and relationship in the store (the schema stays)."""
    if not yes and not click.confirm(f"Delete everything in {store_config.describe()}?"):
        sys.exit(1)
    with open_for_cli(store_config) as store:
        store.clear()
    click.echo(f"cleared {store_config.describe()}")
