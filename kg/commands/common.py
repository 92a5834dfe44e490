"""Pieces shared by every ``kg`` command: store options, JSON and table output."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource

from kg.config import DEFAULT_DB_PATH, DEFAULT_NEO4J_URI, StoreConfig, neo4j_uri_problem
from kg.provenance import ASSERTED_MIN_BELIEF
from kg.store import GraphStore, StoreError, open_store

if TYPE_CHECKING:
    from pydantic import BaseModel


class KgGroup(click.Group):
    """The root ``kg`` group: the exit conventions every subcommand shares.

    * A store error that reaches here (server gone, graph locked, query refused) is one ``Error:`` line and exit 1,
      like every other failure; so is an OS error naming a file (a path that cannot be read or written).
    * ``kg … | head``: when the reader of stdout goes away, ``kg`` ends as Unix filters (``cat``, ``grep``) do —
      silently, with the status of a process killed by SIGPIPE (128 + 13 = 141 in a shell, so that
      ``set -o pipefail`` sees it), after the open stores have been closed by the unwinding. Click alone would
      exit 1, which looks like a failure of ``kg`` itself.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a pipe closed after the last write fails here, not at interpreter exit
            return result
        except BrokenPipeError:
            raise _StdoutClosed from None
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            if exc.filename is None:
                raise
            raise click.ClickException(f"{exc.strerror or exc}: {exc.filename}") from exc

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except _StdoutClosed:
            _end_as_killed_by_sigpipe()


class _StdoutClosed(Exception):
    """Raised through click (which does not catch it) so that the exit happens after every context is closed."""


def _end_as_killed_by_sigpipe() -> NoReturn:
    with contextlib.suppress(OSError):  # what is still buffered for stdout goes nowhere, silently
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    if hasattr(signal, "SIGPIPE"):  # die of the signal (Python ignores SIGPIPE, so restore its default first)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGPIPE)
    sys.exit(141)  # no SIGPIPE on this platform: the same status a shell would show


def store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options that choose the store; each falls back to an environment variable.

    An option given on the command line wins over the environment: ``--db`` means the embedded store even with
    ``NEO4J_URI`` or ``KG_STORE=neo4j`` exported, ``--neo4j`` means Neo4j even with ``KG_STORE=embedded``.
    """
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
            backend=_choose_backend(click.get_current_context(), backend, neo4j_uri),
            db_path=db_path,
            neo4j_uri=neo4j_uri or DEFAULT_NEO4J_URI,
            neo4j_user=neo4j_user or None,
            neo4j_password=neo4j_password,
            neo4j_database=neo4j_database,
        )
        if config.backend == "neo4j":
            problem = neo4j_uri_problem(config.neo4j_uri)
            if problem:
                where = "NEO4J_URI" if _source(click.get_current_context(), "neo4j_uri") == "env" else "--neo4j"
                raise click.BadParameter(problem, param_hint=where)
        return func(*args, store_config=config, **kwargs)

    return wrapper


def _source(ctx: click.Context, name: str) -> str:
    """Where option ``name`` got its value: "cli" (given on the command line), "env" or "default"."""
    source = ctx.get_parameter_source(name)
    if source is ParameterSource.COMMANDLINE:
        return "cli"
    return "env" if source is ParameterSource.ENVIRONMENT else "default"


def _choose_backend(ctx: click.Context, backend: str | None, neo4j_uri: str | None) -> str:
    """The backend: --store, else the one --db or --neo4j names on the command line, else the environment's."""
    given = {name for name in ("backend", "db_path", "neo4j_uri") if _source(ctx, name) == "cli"}
    if "backend" in given:
        assert backend is not None
        if backend == "embedded" and "neo4j_uri" in given:
            raise click.UsageError("--neo4j names a Neo4j server but --store embedded was given: drop one of them")
        if backend == "neo4j" and "db_path" in given:
            raise click.UsageError("--db names an embedded graph but --store neo4j was given: drop one of them")
        return backend
    if given >= {"db_path", "neo4j_uri"}:
        raise click.UsageError("give either --db (the embedded store) or --neo4j (a Neo4j server), not both")
    if "db_path" in given:
        return "embedded"
    if "neo4j_uri" in given:
        return "neo4j"
    return backend or ("neo4j" if neo4j_uri else "embedded")


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(func)


def open_for_cli(config: StoreConfig, *, read_only: bool = False) -> GraphStore:
    """The configured store; a store that cannot be opened is one clear error (exit 1), not a traceback.

    Commands that write use :func:`open_for_writing`, which also takes back an embedded store it created for a
    command that then failed.
    """
    try:
        return open_store(config, read_only=read_only)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


@contextlib.contextmanager
def open_for_writing(config: StoreConfig) -> Iterator[GraphStore]:
    """The configured store, writable, closed at the end of the block.

    A command that fails before writing must not leave a store behind: when this call creates the embedded graph
    (and the folders above it) and the block ends in an error while the graph is still empty, they are removed
    again. A graph that holds anything is kept (an interrupted ``kg ingest`` is completed by running it again).
    Check a command's inputs before calling this, so that a mistake in them touches no store at all.
    """
    created = _Creation.before(config)
    store = open_for_cli(config)
    try:
        yield store
    except BaseException as exc:
        if created is not None and not _is_success(exc) and _is_empty(store):
            store.close()
            created.undo()
        raise
    finally:
        store.close()


def _is_success(exc: BaseException) -> bool:
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code == 0
    return isinstance(exc, SystemExit) and exc.code in (0, None)


def _is_empty(store: GraphStore) -> bool:
    try:
        counts = store.stats().as_dict()
    except Exception:  # cannot tell: keep it
        return False
    return not any(n for values in counts.values() for n in values.values())


@dataclass(frozen=True, slots=True)
class _Creation:
    """What opening an embedded graph at ``path`` will create: the graph's files and the missing folders above."""

    path: Path
    existing: frozenset[str]  # names beside the graph, starting with its name, that were there before
    folders: tuple[Path, ...]  # missing folders, innermost first

    @classmethod
    def before(cls, config: StoreConfig) -> _Creation | None:
        if config.backend != "embedded" or config.db_path.exists():
            return None
        path = config.db_path.absolute()
        folders = []
        parent = path.parent
        while not parent.exists():
            folders.append(parent)
            parent = parent.parent
        return cls(path, frozenset(cls._siblings(path)), tuple(folders))

    @staticmethod
    def _siblings(path: Path) -> list[str]:
        if not path.parent.is_dir():
            return []
        return [p.name for p in path.parent.iterdir() if p.name.startswith(path.name)]

    def undo(self) -> None:
        for name in self._siblings(self.path):  # the graph and its write-ahead log, shadow files, …
            if name not in self.existing:
                target = self.path.parent / name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    target.unlink(missing_ok=True)
        for folder in self.folders:
            with contextlib.suppress(OSError):  # not empty: something else was put there meanwhile
                folder.rmdir()


def check_inputs_exist(inputs: Iterable[str], param_hint: str) -> None:
    """Refuse (exit 2) inputs that name nothing: a missing file or directory, a glob that matches no file."""
    from extractors.readers.files import iter_paths

    for item in inputs:
        try:
            next(iter(iter_paths([item])), None)
        except OSError as exc:
            raise click.BadParameter(str(exc), param_hint=param_hint) from None


def min_belief_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--min-belief", type=click.FloatRange(0, 1), default=ASSERTED_MIN_BELIEF, show_default=True,
                        help="Export only the edges medkg asserts: curated ones, and literature edges of at least "
                             "this belief (chosen on dev for precision; kg.provenance.ASSERTED_MIN_BELIEF). 0 "
                             "exports every stored candidate with its score and belief.")(func)


def strict_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--strict", is_flag=True,
                        help="Exit with status 1 when there is no answer or part of the input is not recognised "
                             "(for scripts; the answer is printed either way).")(func)


def fail_if_strict(strict: bool, problems: Iterable[str]) -> None:
    """With --strict, end with status 1 and one message listing ``problems`` (after the answer is printed)."""
    problems = list(problems)
    if strict and problems:
        raise click.ClickException("--strict: " + "; ".join(problems))


def missing_parameters(cypher: str, params: Mapping[str, Any]) -> list[str]:
    """The ``$parameters`` a query uses that ``params`` does not give (the engines would read them as null)."""
    from kg.store.readonly import tokenize

    try:
        tokens = tokenize(cypher)
    except StoreError:  # unreadable: the read-only check refuses it with its own message
        return []
    used = dict.fromkeys(t.text[1:].strip("`").replace("``", "`") for t in tokens if t.kind == "param")
    return [name for name in used if name not in params]


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


def echo_answer(model: type[BaseModel], payload: dict[str, Any]) -> None:
    """A question's ``--json``: ``payload`` as its answer model of :mod:`queries.answers` types it, the contract
    the HTTP API's answers share (PMIDs as CURIEs, edges' ends as ``subject`` / ``object``); the API adds its
    ``page`` and ``meta``."""
    echo_json(model.model_validate(payload).model_dump(mode="json"))


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


def html_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--html", "html_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
                        help="Also write the answer as an HTML page (evidence highlighted, a graph of its paths; "
                             "self-contained, opens offline).")(func)


def write_html(path: Path | None, question: str, answer: dict[str, Any]) -> None:
    """Write the HTML page of ``answer`` (``question``: "gene_drugs" or "symptoms") to ``path``, when given; a path
    that cannot be written is one clear error. kg.view (Jinja2) is imported only then, to keep start-up short."""
    if path is None:
        return
    from kg import view

    page = view.gene_drugs_page if question == "gene_drugs" else view.symptoms_page
    try:
        path.write_text(page(answer), encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write the HTML view to {path}: {exc.strerror or exc}") from exc
    click.echo(f"HTML view written to {path}", err=True)
