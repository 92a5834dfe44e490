"""Pieces shared by every ``kg`` command: store options, JSON and table output."""

from __future__ import annotations

import contextlib
import functools
import json
import tempfile
import time
from collections.abc import Callable, Iterator
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


@contextlib.contextmanager
def evaluation_graph(use_store: bool, config: StoreConfig, report: dict[str, Any], description: str,
                     load: Callable[[GraphStore], object]) -> Iterator[GraphStore]:
    """The configured store (read-only), or a temporary embedded graph filled by ``load``; ``report`` says which.

    Evaluations default to the temporary graph so that their numbers do not depend on what a user's store holds.
    """
    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        if use_store:
            store = open_for_cli(config, read_only=True)
            report["store"] = config.describe()
        else:
            from kg.store.embedded import EmbeddedStore

            started = time.perf_counter()
            store = EmbeddedStore(Path(tmp) / "graph.lbug")
            try:
                load(store)
            except BaseException as exc:
                store.close()
                if isinstance(exc, FileNotFoundError):
                    raise click.ClickException(str(exc)) from exc
                raise
            report["store"] = description
            report["import_seconds"] = round(time.perf_counter() - started, 1)
        with store:
            yield store


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
