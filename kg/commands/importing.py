"""What every ``kg import …`` of a curated source shares: progress, a missing input file, the summary's output.

Every importer's summary has the same shape for what the commands print: ``seconds``, ``store_delta`` (what the
import changed, per node label and relationship type), ``as_dict()`` for ``--json``, and — where rows can be
unusable (HPO, DrugCentral, Hetionet, PharmGKB) — ``skipped``: reason → rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

import click

from kg.commands.common import echo_json, open_for_writing
from kg.config import StoreConfig
from kg.store.base import GraphStore

Progress = Callable[[str, int, int], None]


class ImportSummary(Protocol):
    seconds: float
    store_delta: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]: ...


S = TypeVar("S", bound=ImportSummary)


def run_import(store_config: StoreConfig, as_json: bool, load: Callable[[GraphStore, Progress], S]) -> S:
    """``load(store, progress)`` on the configured store, opened for writing; progress lines go to stderr unless
    the output is JSON, and an input file that is not there is a one-line error (no store is left behind)."""

    def progress(step: str, done: int, total: int) -> None:
        if not as_json:
            click.echo(f"  {step}: {done:,}/{total:,}", err=True)

    try:
        with open_for_writing(store_config) as store:
            return load(store, progress)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc


def echo_summary(summary: ImportSummary, as_json: bool, source: str, store_config: StoreConfig,
                 lines: Iterable[str], skipped: dict[str, int] | None = None) -> None:
    """The summary as JSON, or as ``SOURCE → STORE in N s``, the command's own ``lines``, the skipped rows per
    reason and the store changes."""
    if as_json:
        echo_json(summary.as_dict())
        return
    click.echo(f"{source} → {store_config.describe()} in {summary.seconds:.1f} s")
    for line in lines:
        click.echo(f"  {line}")
    for reason, n in (skipped or {}).items():
        click.echo(f"  skipped {n:,}: {reason}")
    changes = {f"{section}.{name}": n for section, values in summary.store_delta.items() for name, n in values.items()}
    click.echo("  store changes: " + (", ".join(f"{k} {v:+,}" for k, v in changes.items()) or "none"))
