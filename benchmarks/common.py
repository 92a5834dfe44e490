"""Helpers shared by the store benchmarks: opening stores, the Neo4j test server, memory, percentiles."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.synthetic import SyntheticKG
from kg.store.base import GraphStore

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent

# The test server's defaults (-Xmx512m, C1 only) are tuned for fast startup in tests; a benchmark that
# writes a million edges wants the optimizing JIT and more heap. The page cache is fixed at 64 MiB by
# the launcher itself (tests/neo4j_launcher), which is small for a 1M-edge store: see README.md.
BENCH_JVM_OPTS: tuple[str, ...] = (
    "-Xms1g",
    "-Xmx{heap}",
    "-XX:+UseParallelGC",
    "-XX:+ExitOnOutOfMemoryError",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- memory --------------------------------------------------------------------------------------------
def _status_kib(pid: int | str, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def reset_peak_rss(pid: int | str = "self") -> bool:
    """Reset the kernel's high-water mark of resident memory (Linux: ``echo 5 > /proc/PID/clear_refs``)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mib(pid: int | str = "self") -> float:
    """Peak resident memory since the last reset (VmHWM), else since process start (ru_maxrss)."""
    kib = _status_kib(pid, "VmHWM")
    if kib is None and pid == "self":
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round((kib or 0) / 1024, 1)


def rss_mib(pid: int | str = "self") -> float:
    return round((_status_kib(pid, "VmRSS") or 0) / 1024, 1)


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of this process, or of another one (e.g. the Neo4j JVM) from /proc."""
    if pid is None:
        return time.process_time()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


# ---- stores --------------------------------------------------------------------------------------------
def bench_test_server(jvm_opts: Sequence[str], home: Path | None = None, page_cache_mib: int | None = None):
    """The tests' Neo4jTestServer, optionally keeping its database in ``home`` (it survives ``stop()``, for
    ``--reuse``) and with a page cache other than the tests' 64 MiB (the launcher reads
    ``-Dmedkg.pagecacheMiB``)."""
    sys.path.insert(0, str(REPO_ROOT))
    import tests.neo4j_server as launcher

    opts = tuple(jvm_opts)
    if page_cache_mib is not None:
        opts += (f"-Dmedkg.pagecacheMiB={page_cache_mib}",)

    class BenchServer(launcher.Neo4jTestServer):
        def start(self):
            patches = {}
            if home is not None:
                home.mkdir(parents=True, exist_ok=True)
                patches[launcher.tempfile] = ("mkdtemp", lambda *a, **k: str(home))  # start()'s only temp dir
            saved = {obj: getattr(obj, name) for obj, (name, _) in patches.items()}
            for obj, (name, value) in patches.items():
                setattr(obj, name, value)
            try:
                return super().start()
            finally:
                for obj, (name, _) in patches.items():
                    setattr(obj, name, saved[obj])

        def stop(self) -> None:
            if home is not None:
                self.home = None  # keep the database
            super().stop()

    return BenchServer(jvm_opts=opts)


class Neo4jEndpoint:
    """``--neo4j URI`` / ``NEO4J_URI`` if given, else an in-process Neo4jTestServer started on first use.

    With ``home``, the in-process server keeps its database there (reused by a later run).
    """

    def __init__(self, uri: str | None, user: str | None, password: str | None, heap: str,
                 home: Path | None = None, page_cache_mib: int | None = None) -> None:
        self.uri = uri or os.environ.get("NEO4J_URI") or None
        self.user = user if user is not None else os.environ.get("NEO4J_USER")
        self.password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        self.heap = heap
        self.home = home
        self.page_cache_mib = page_cache_mib
        self.server = None
        self.external = self.uri is not None

    def start(self) -> str:
        if self.uri is None:
            opts = tuple(o.format(heap=self.heap) for o in BENCH_JVM_OPTS)
            where = f" on {self.home}" if self.home else ""
            log(f"starting the in-process Neo4j test server{where} (JVM {' '.join(opts[:3])}) ...")
            t0 = time.perf_counter()
            self.server = bench_test_server(opts, self.home, self.page_cache_mib).start()
            self.uri = self.server.uri
            log(f"Neo4j up at {self.uri} in {time.perf_counter() - t0:.1f} s")
        return self.uri

    @property
    def server_pid(self) -> int | None:
        proc = getattr(self.server, "_proc", None)
        return proc.pid if proc is not None else None

    def describe(self) -> str:
        if self.external:
            return f"external server {self.uri}"
        return (f"in-process Neo4jTestServer (tests/neo4j_server.py), JVM -Xmx{self.heap}, "
                f"page cache {self.page_cache_mib or 64} MiB")

    def open(self) -> GraphStore:
        from kg.store.neo4j_store import Neo4jStore

        return Neo4jStore(self.start(), user=self.user or None, password=self.password)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
            self.uri = None


def graph_paths(directory: Path, kg: SyntheticKG) -> dict[str, Path]:
    """Where ``store_write --keep`` leaves, and ``store_query --reuse`` finds, the graphs of one shape."""
    shape = f"{kg.n_nodes}-{kg.n_edges}-{kg.seed}"
    return {"embedded": directory / f"kg-{shape}.lbug", "neo4j": directory / f"neo4j-{shape}"}


def shape_marker(path: Path) -> Path:
    return path.with_name(path.name + ".bench.json")


def mark_complete(path: Path, kg: SyntheticKG, **extra: object) -> None:
    shape_marker(path).write_text(json.dumps({"nodes": kg.n_nodes, "edges": kg.n_edges, "seed": kg.seed, **extra}))


def is_complete(path: Path, kg: SyntheticKG) -> bool:
    marker = shape_marker(path)
    if not (path.exists() and marker.exists()):
        return False
    saved = json.loads(marker.read_text())
    return (saved.get("nodes"), saved.get("edges"), saved.get("seed")) == (kg.n_nodes, kg.n_edges, kg.seed)


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


@contextlib.contextmanager
def scratch_dir(prefix: str, keep: Path | None = None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


def is_empty(store: GraphStore) -> bool:
    return not store.read_cypher("MATCH (n:Entity) RETURN n.id AS id LIMIT 1")


def load_graph(store: GraphStore, kg: SyntheticKG, batch_size: int, *, progress_every: float = 30.0,
               server_pid: int | None = None, bulk: bool = False) -> dict[str, float]:
    """Write the whole synthetic KG through the public API; time only the store calls.

    With ``bulk``, the relations are written inside ``store.bulk_load()`` (the end of the block, where a
    backend may store what it staged, is timed with the flush). Besides wall-clock seconds, reports the
    CPU seconds of this process (client; for the embedded store also the engine) and of ``server_pid``
    during the relation phase, which is what an overloaded machine distorts least.
    """
    t_entities = 0.0
    for batch in kg.entity_batches(batch_size):
        t0 = time.perf_counter()
        store.upsert_entities(batch)
        t_entities += time.perf_counter() - t0
    t0 = time.perf_counter()
    store.flush()
    t_entities += time.perf_counter() - t0
    t_relations, done, last_report = 0.0, 0, time.monotonic()
    cpu_client, cpu_server = 0.0, cpu_seconds(server_pid) if server_pid else 0.0
    with contextlib.ExitStack() as block:
        t0, c0 = time.perf_counter(), time.process_time()
        if bulk:
            block.enter_context(store.bulk_load())
        t_relations += time.perf_counter() - t0
        cpu_client += time.process_time() - c0
        for batch in kg.relation_batches(batch_size):
            t0, c0 = time.perf_counter(), time.process_time()
            store.upsert_relations(batch)
            t_relations += time.perf_counter() - t0
            cpu_client += time.process_time() - c0
            done += len(batch)
            if time.monotonic() - last_report > progress_every:
                last_report = time.monotonic()
                log(f"  {store.backend}: {done:,}/{kg.n_edges:,} relations, {done / t_relations:,.0f} rels/s so far")
        t0, c0 = time.perf_counter(), time.process_time()
    store.flush()
    t_flush = time.perf_counter() - t0
    cpu_client += time.process_time() - c0
    times = {"entities_s": t_entities, "relations_s": t_relations + t_flush, "flush_s": t_flush,
             "relations_client_cpu_s": cpu_client}
    if server_pid:
        times["relations_server_cpu_s"] = cpu_seconds(server_pid) - cpu_server
    return times


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def add_neo4j_arguments(parser: argparse.ArgumentParser) -> None:
    """Options choosing the Neo4j a benchmark runs against (an external one is wiped: see --allow-clear)."""
    parser.add_argument("--neo4j", help="Bolt URI of a Neo4j to use (default: NEO4J_URI, else an in-process "
                                        "test server); the benchmark deletes everything in that database")
    parser.add_argument("--neo4j-user")
    parser.add_argument("--neo4j-password")
    parser.add_argument("--neo4j-heap", default="4g", help="-Xmx of the in-process Neo4j test server")
    parser.add_argument("--neo4j-page-cache", type=int, metavar="MIB",
                        help="page cache of the in-process server (default: the tests' 64 MiB)")
    parser.add_argument("--allow-clear", action="store_true", help="allow clearing a non-empty external Neo4j")


# ---- arguments and reports -----------------------------------------------------------------------------
BACKENDS = ("embedded", "neo4j")


def parse_backends(parser: argparse.ArgumentParser, value: str) -> list[str]:
    """The ``--backends`` option: comma-separated ``embedded``/``neo4j`` (anything else is a usage error)."""
    backends = [b.strip() for b in value.split(",") if b.strip()]
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))} (choose from {', '.join(BACKENDS)})")
    return backends


def write_report(report: dict, destination: str | None) -> None:
    """The ``--json [PATH]`` option: the report as JSON on stdout (``-``) or in the file PATH; nothing if None."""
    if not destination:
        return
    text = json.dumps(report, indent=1)
    if destination == "-":
        print(text)
    else:
        Path(destination).write_text(text + "\n")
        log(f"wrote {destination}")
