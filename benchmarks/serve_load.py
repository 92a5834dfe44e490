"""A bounded load test of ``kg serve`` on loopback: slow ``/cypher`` queries mixed with ``/symptoms`` and ``/health``.

The server is a real ``kg serve`` process over an embedded store (the tests' fixture graph plus every HPO
annotation, as in ``benchmarks/patient.py``), started with a bearer token. ``--connections`` client threads, each
with its own keep-alive connection, send ``--requests`` requests in all, in a fixed shuffled mix: a
``--slow-share`` of slow ``/cypher`` queries (an ``UNWIND`` over ``--slow-size`` numbers, about a second of engine
work each), the rest split between ``POST /symptoms`` and ``GET /health``. Reported per endpoint: count, status
codes, p50/p95/max latency; and the server's peak resident memory. "Errors" are transport failures and any
status other than 200 (and 504 for a slow query that ran out of time, counted apart).

    .venv/bin/python -m benchmarks.serve_load [--requests 200] [--connections 20] [--slow-share 0.2]
        [--slow-size 20000000] [--db DIR] [--json [PATH]]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import log, peak_rss_mib, percentile, write_report
from benchmarks.patient import build_store

TOKEN = "bench-token"
SYMPTOMS = ["fever, productive cough, pleuritic chest pain", "tall stature, arachnodactyly, lens dislocation",
            "recurrent respiratory infections, steatorrhea, failure to thrive", "seizures, intellectual disability"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, port: int, cypher_timeout: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MEDKG_API_TOKEN": TOKEN, "HF_HUB_OFFLINE": "1"}
    env.pop("NEO4J_URI", None)
    command = [sys.executable, "-m", "kg.cli", "serve", "--db", str(db), "--port", str(port),
               "--cypher-timeout", str(cypher_timeout)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout_s: float = 120.0) -> None:
    """Until /health answers and /symptoms has built its ranker (the warm-up is not part of the measurement)."""
    deadline = time.monotonic() + timeout_s
    headers = {"Authorization": f"Bearer {TOKEN}"}
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kg serve exited with {server.returncode} before it was ready")
        try:
            if httpx.get(f"{base}/v1/health", headers=headers, timeout=5).status_code == 200:
                httpx.post(f"{base}/v1/symptoms", json={"text": SYMPTOMS[0]}, headers=headers, timeout=60)
                httpx.post(f"{base}/v1/cypher", json={"query": "RETURN 1 AS x"}, headers=headers, timeout=60)
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"kg serve did not become ready within {timeout_s:g} s")


def plan(n: int, slow_share: float, slow_size: int, seed: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    """The fixed request mix: (endpoint name, method, JSON body)."""
    n_slow = round(n * slow_share)
    rng = random.Random(seed)
    slow = {"query": f"UNWIND range(1, {slow_size}) AS x RETURN sum(x) AS s"}
    mix: list[tuple[str, str, dict[str, Any] | None]] = [("cypher_slow", "POST", slow)] * n_slow
    for i in range(n - n_slow):
        mix.append(("symptoms", "POST", {"text": SYMPTOMS[i % len(SYMPTOMS)], "top": 10}) if i % 2 == 0
                   else ("health", "GET", None))
    rng.shuffle(mix)
    return mix


PATHS = {"cypher_slow": "/v1/cypher", "symptoms": "/v1/symptoms", "health": "/v1/health"}


def load(base: str, mix: list[tuple[str, str, dict[str, Any] | None]], connections: int) -> dict[str, Any]:
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    lock = threading.Lock()
    queue = iter(mix)
    local = threading.local()

    def one(item: tuple[str, str, dict[str, Any] | None]) -> None:
        name, method, body = item
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        started = time.perf_counter()
        try:
            status = str(local.client.request(method, PATHS[name], json=body).status_code)
        except httpx.TransportError as exc:
            status = type(exc).__name__
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies[name].append(elapsed)
            statuses[name][status] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(one, queue))
    wall = time.perf_counter() - started
    report: dict[str, Any] = {"wall_s": round(wall, 2), "endpoints": {}}
    errors = 0
    for name, values in sorted(latencies.items()):
        codes = dict(statuses[name])
        errors += sum(n for code, n in codes.items() if code != "200" and not (name == "cypher_slow" and code == "504"))
        report["endpoints"][name] = {"n": len(values), "status": codes,
                                     "p50_ms": round(percentile(values, 50), 1),
                                     "p95_ms": round(percentile(values, 95), 1), "max_ms": round(max(values), 1)}
    report["errors"] = errors
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--slow-share", type=float, default=0.2, help="Share of the requests that are slow /cypher.")
    parser.add_argument("--slow-size", type=int, default=20_000_000, help="Numbers the slow query sums.")
    parser.add_argument("--cypher-timeout", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="Keep (and reuse) the embedded store here.")
    parser.add_argument("--json", nargs="?", const="-", help="Write the report as JSON to PATH (or stdout).")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="medkg-bench-serve-") as scratch:
        db = args.db or Path(scratch) / "graph.lbug"
        build_store(db).close()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(db, port, args.cypher_timeout)
        try:
            wait_ready(base, server)
            report = load(base, plan(args.requests, args.slow_share, args.slow_size, args.seed), args.connections)
            report["server_peak_rss_mib"] = round(peak_rss_mib(server.pid), 1)
        finally:
            server.terminate()
            server.wait(30)
    report = {"requests": args.requests, "connections": args.connections, "slow_share": args.slow_share,
              "slow_size": args.slow_size, "cypher_timeout_s": args.cypher_timeout, **report}
    for name, row in report["endpoints"].items():
        log(f"{name:12} n={row['n']:4} {row['status']} p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"max {row['max_ms']} ms")
    log(f"errors {report['errors']}, wall {report['wall_s']} s, server peak RSS {report['server_peak_rss_mib']} MiB")
    write_report(report, args.json)


if __name__ == "__main__":
    main()
