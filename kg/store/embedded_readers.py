"""User Cypher on the embedded store in reader processes that can be stopped (``kg serve``'s ``/cypher``).

The embedded engine checks its query timeout only between batches of work: ``UNWIND range(1, 300000000)``
builds its whole list first (27 s and 4.3 GB in the server's own process before the 504), and a query the engine
mishandles can take the process down. So user queries run in separate processes, each with its own read-only
connection and a bounded buffer pool, and the parent watches them: past the timeout (plus a short grace for the
engine's own interrupt) or above the memory limit the process is killed, the request answered with
:class:`QueryTimeout` or :class:`QueryTooLarge`, and a fresh process takes its place. A slow query then holds one
reader, never the server's lock or the other endpoints.

Readers see committed writes: every request carries the store's :func:`store_version` (size and modification
time of the database file and its write-ahead log) and a reader whose connection is older reopens it first.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.store.base import Row
from kg.store.errors import QueryTimeout, QueryTooLarge, StoreError, StoreUnavailable
from kg.store.readonly import check_parameters, check_read_only

_POLL_S = 0.02
_START_S = 60.0
_GRACE_S = 1.0  # the engine's own interrupt usually answers within this after the timeout
_BUFFER_POOL_FRACTION = 4  # a reader's buffer pool: a quarter of its memory limit
_NICENESS = 10


def store_version(path: str | Path) -> tuple[int, ...]:
    """What changes when a writer commits or checkpoints: size and mtime of the database file and its WAL."""
    version: list[int] = []
    for file in (Path(path), Path(f"{path}.wal")):
        try:
            stat = file.stat()
        except FileNotFoundError:
            version.extend((0, 0))
        else:
            version.extend((stat.st_size, stat.st_mtime_ns))
    return tuple(version)


@dataclass(frozen=True, slots=True)
class ReaderLimits:
    timeout_s: float = 5.0
    max_memory_bytes: int = 2 << 30  # resident memory of one reader process
    max_answer_bytes: int = 64 << 20  # pickled rows sent back to the server
    workers: int = 2


class _Reader:
    """One reader process and the parent's end of its pipe."""

    def __init__(self, path: str, limits: ReaderLimits) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process that holds engine threads
        self.conn, child = context.Pipe()
        buffer_pool = limits.max_memory_bytes // _BUFFER_POOL_FRACTION
        self.process = context.Process(target=_serve, args=(path, child, buffer_pool, limits.max_answer_bytes),
                                       name="medkg-cypher-reader", daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(_START_S):  # the child says so once the engine is imported
            self.kill()
            raise StoreUnavailable(f"a Cypher reader for {path} did not start within {_START_S:g} s")
        self.conn.recv()

    def memory_bytes(self) -> int:
        try:
            with open(f"/proc/{self.process.pid}/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class EmbeddedReaderPool:
    """Runs read-only Cypher on the embedded store at ``path`` in up to ``limits.workers`` reader processes."""

    def __init__(self, path: str | Path, limits: ReaderLimits | None = None) -> None:
        self.path = str(path)
        if not Path(self.path).exists():
            raise StoreUnavailable(f"no embedded graph at {self.path}: run `kg ingest` (or `kg demo`) first")
        self.limits = limits or ReaderLimits()
        self._idle: queue.SimpleQueue[_Reader] = queue.SimpleQueue()
        self._slots = threading.BoundedSemaphore(self.limits.workers)
        self._lock = threading.Lock()
        self._all: set[_Reader] = set()
        self._closed = False

    def read_cypher(self, cypher: str, params: dict[str, Any] | None = None, *, timeout_s: float | None = None,
                    max_rows: int | None = None) -> list[Row]:
        """Like :meth:`GraphStore.read_cypher`: refused when it could write, stopped when too slow or too big."""
        check_read_only(cypher)
        check_parameters(params)
        timeout = timeout_s or self.limits.timeout_s
        if not self._slots.acquire(timeout=timeout):
            raise QueryTimeout(f"every Cypher reader was busy for {timeout:g} s; try again shortly")
        try:
            reader = self._reader()
            try:
                reply = self._ask(reader, (cypher, params or {}, timeout, max_rows, store_version(self.path)),
                                  timeout)
            except BaseException:
                self._discard(reader)
                raise
            self._idle.put(reader)
        finally:
            self._slots.release()
        status, payload = reply
        if status == "ok":
            return pickle.loads(payload)
        error = {"timeout": QueryTimeout, "too_large": QueryTooLarge, "unavailable": StoreUnavailable}
        raise error.get(status, StoreError)(payload)

    def _reader(self) -> _Reader:
        try:
            reader = self._idle.get_nowait()
        except queue.Empty:
            reader = None
        if reader is not None and reader.process.is_alive():
            return reader
        if reader is not None:
            self._discard(reader)
        with self._lock:
            if self._closed:
                raise StoreUnavailable("the Cypher readers are closed")
            reader = _Reader(self.path, self.limits)
            self._all.add(reader)
        return reader

    def _ask(self, reader: _Reader, request: tuple[Any, ...], timeout: float) -> tuple[str, Any]:
        reader.conn.send(request)
        deadline = time.monotonic() + timeout + _GRACE_S
        while not reader.conn.poll(_POLL_S):
            if not reader.process.is_alive():
                raise StoreError("the Cypher reader stopped unexpectedly on this query; it was refused "
                                 "(a fresh reader serves the next one)")
            if time.monotonic() > deadline:
                raise QueryTimeout(f"embedded store: the query ran longer than {timeout:g} s and was stopped; "
                                   "narrow it (WHERE on ids, LIMIT) or ask for fewer rows")
            if reader.memory_bytes() > self.limits.max_memory_bytes:
                raise QueryTooLarge(f"embedded store: the query needed more than "
                                    f"{self.limits.max_memory_bytes >> 20:,} MiB and was stopped; narrow it")
        try:
            return reader.conn.recv()
        except (EOFError, OSError) as exc:
            raise StoreError("the Cypher reader stopped unexpectedly on this query") from exc

    def _discard(self, reader: _Reader) -> None:
        reader.kill()
        with self._lock:
            self._all.discard(reader)

    def warm(self) -> None:
        """Start one reader now, so that the first query does not wait for a process to start."""
        self._idle.put(self._reader())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            readers, self._all = list(self._all), set()
        for reader in readers:
            reader.kill()


# ---- the reader process -----------------------------------------------------------------------------------------
def _serve(path: str, conn: Connection, buffer_pool_bytes: int, max_answer_bytes: int) -> None:
    """Answer (cypher, params, timeout_s, max_rows, version) requests on a read-only store until EOF."""
    from kg.store.embedded import EmbeddedStore

    # One engine thread at a lower CPU priority: user Cypher gets what the interactive endpoints leave over,
    # so a slow query never starves /health or /symptoms of the machine's cores.
    os.nice(_NICENESS)
    conn.send(("ready", None))
    store: EmbeddedStore | None = None
    opened_version: tuple[int, ...] | None = None
    while True:
        try:
            cypher, params, timeout_s, max_rows, version = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if store is None or version != opened_version:
                if store is not None:
                    store.close()
                    store = None
                store = EmbeddedStore(path, read_only=True, buffer_pool_bytes=buffer_pool_bytes, threads=1)
                opened_version = version
            payload = pickle.dumps(store._read_bounded(cypher, params, timeout_s, max_rows),
                                   protocol=pickle.HIGHEST_PROTOCOL)
            reply = ("ok", payload) if len(payload) <= max_answer_bytes else (
                "too_large", f"embedded store: the answer holds more than {max_answer_bytes >> 20:,} MiB; "
                             "ask for fewer rows or columns")
        except QueryTimeout as exc:
            reply = ("timeout", str(exc))
        except StoreUnavailable as exc:
            reply = ("unavailable", str(exc))
        except StoreError as exc:
            reply = ("error", str(exc))
        conn.send(reply)
