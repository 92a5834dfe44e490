"""Read latency of the named queries on a synthetic KG, on both backends.

Two queries, with parameters drawn by a seeded RNG (the same sequence on every backend):

* ``diseases_for_phenotypes`` — 1-hop symptom → disease, 3 random phenotype ids per call;
* ``drugs_via_disease_for_gene`` — 2-hop gene → disease ← drug, 1 random gene id per call.

Ids are drawn uniformly from the phenotypes (genes) that have at least one has_phenotype
(gene_associated_with_condition) edge, so every call does real work; because of the heavy-tailed
degrees, a few calls hit hubs with thousands of rows. Each query runs ``--warmup`` times untimed,
then ``--runs`` times timed (wall clock around ``GraphStore.query``, rows materialised as dicts).
The rows returned by the two backends are compared call by call.

The graph is written through the store API (as in ``store_write``). With ``--reuse``, graphs of
the same shape (nodes/edges/seed) in ``--data-dir`` (default ``benchmarks/.data/``) are reused — the
embedded store and the in-process Neo4j server's database, as left there by an earlier
``store_query --reuse`` or by ``store_write --keep`` — and graphs built now are kept there. An
external Neo4j (``--neo4j``/``NEO4J_URI``) is reused when it holds the same number of entities and
edges. Without ``--reuse`` both are built afresh.

Run from the repository root::

    .venv/bin/python -m benchmarks.store_query --reuse          # 100k nodes, 1M edges, both backends
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import (
    BENCH_DIR,
    Neo4jEndpoint,
    add_neo4j_arguments,
    format_table,
    graph_paths,
    is_complete,
    is_empty,
    load_graph,
    log,
    mark_complete,
    parse_backends,
    percentile,
    remove,
    shape_marker,
    write_report,
)
from benchmarks.synthetic import SyntheticKG
from kg.store.base import GraphStore

QUERIES = ("diseases_for_phenotypes", "drugs_via_disease_for_gene")


def query_params(kg: SyntheticKG, n: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed + 1)
    phenotypes, genes = kg.phenotypes_with_diseases(), kg.genes_with_diseases()
    return {
        "diseases_for_phenotypes": [{"ids": rng.sample(phenotypes, 3)} for _ in range(n)],
        "drugs_via_disease_for_gene": [{"ids": [rng.choice(genes)]} for _ in range(n)],
    }


def open_embedded(kg: SyntheticKG, args: argparse.Namespace) -> tuple[GraphStore, dict[str, Any]]:
    from kg.store.embedded import EmbeddedStore

    db = args.db or graph_paths(args.data_dir, kg)["embedded"]
    build: dict[str, Any] = {"path": str(db), "reused": False}
    if args.reuse and is_complete(db, kg):
        build["reused"] = True
        log(f"embedded: reusing {db}")
    else:
        remove(db, db.with_name(db.name + ".wal"), shape_marker(db))
        log(f"embedded: building {db} ...")
        with EmbeddedStore(db) as store:
            build.update(load_graph(store, kg, args.batch_size))
        mark_complete(db, kg)
    return EmbeddedStore(db, read_only=True), build


def open_neo4j(kg: SyntheticKG, endpoint: Neo4jEndpoint, args: argparse.Namespace
               ) -> tuple[GraphStore, dict[str, Any]]:
    build: dict[str, Any] = {"reused": False}
    home = endpoint.home
    if home is not None and not (args.reuse and is_complete(home, kg)):
        remove(home, shape_marker(home))  # an incomplete or different graph: start over
    store = endpoint.open()
    if not is_empty(store):
        n_entities = store.read_cypher("MATCH (e:Entity) RETURN count(e) AS n")[0]["n"]
        n_edges = store.read_cypher("MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS n")[0]["n"]
        if args.reuse and (n_entities, n_edges) == (kg.n_nodes, kg.n_edges):
            log(f"neo4j: reusing the graph at {endpoint.uri}")
            build["reused"] = True
            return store, build
        if endpoint.external and not args.allow_clear:
            raise SystemExit(f"the Neo4j database at {endpoint.uri} holds another graph ({n_entities} entities, "
                             f"{n_edges} edges); pass --allow-clear to replace it")
        store.clear()
    log("neo4j: building the graph ...")
    build.update(load_graph(store, kg, args.batch_size))
    if home is not None:
        mark_complete(home, kg)
    return store, build


def measure(store: GraphStore, params: dict[str, list[dict[str, Any]]], warmup: int
            ) -> tuple[dict[str, dict[str, float]], dict[str, list[list[dict[str, Any]]]]]:
    summary, rows_seen = {}, {}
    for name in QUERIES:
        calls = params[name]
        for p in calls[:warmup]:
            store.query(name, **p)
        latencies, rows = [], []
        for p in calls[warmup:]:
            t0 = time.perf_counter()
            result = store.query(name, **p)
            latencies.append((time.perf_counter() - t0) * 1000)
            rows.append(result)
        counts = [len(r) for r in rows]
        summary[name] = {
            "runs": len(latencies),
            "p50_ms": round(percentile(latencies, 50), 2),
            "p95_ms": round(percentile(latencies, 95), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "mean_ms": round(statistics.fmean(latencies), 2),
            "max_ms": round(max(latencies), 2),
            "rows_mean": round(statistics.fmean(counts), 1),
            "rows_max": max(counts),
        }
        rows_seen[name] = rows
    return summary, rows_seen


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Latency of the 1-hop and 2-hop named queries.")
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=10_000, help="relations per upsert_relations call")
    parser.add_argument("--runs", type=int, default=200, help="timed calls per query")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls per query first")
    parser.add_argument("--backends", default="embedded,neo4j")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse graphs of the same shape in --data-dir (built by an earlier run or by "
                             "store_write --keep), and keep the ones built now there")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / ".data", help="default: benchmarks/.data")
    parser.add_argument("--db", type=Path, help="embedded store path (default: DATA_DIR/kg-N-E-SEED.lbug)")
    add_neo4j_arguments(parser)
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="also write the results as JSON to PATH (or stdout)")
    args = parser.parse_args(argv)
    args.backends = parse_backends(parser, args.backends)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    kg = SyntheticKG(args.nodes, args.edges, args.seed)
    log(f"synthetic KG: {args.nodes:,} nodes, {args.edges:,} edges (seed {args.seed}) in "
        f"{time.perf_counter() - t0:.1f} s")
    params = query_params(kg, args.warmup + args.runs, args.seed)
    endpoint = Neo4jEndpoint(args.neo4j, args.neo4j_user, args.neo4j_password, args.neo4j_heap,
                             home=graph_paths(args.data_dir, kg)["neo4j"] if args.reuse else None,
                             page_cache_mib=args.neo4j_page_cache)
    results: list[dict[str, Any]] = []
    rows_by_backend: dict[str, dict[str, list]] = {}
    try:
        for name in args.backends:
            store, build = open_embedded(kg, args) if name == "embedded" else open_neo4j(kg, endpoint, args)
            try:
                log(f"{name}: {args.warmup} warm-up + {args.runs} timed calls per query ...")
                summary, rows_by_backend[name] = measure(store, params, args.warmup)
            finally:
                store.close()
            results.append({"backend": name, "build": build, "queries": summary})
    finally:
        endpoint.stop()
    parity = None
    if len(rows_by_backend) == 2:
        a, b = rows_by_backend.values()
        parity = {q: sum(x == y for x, y in zip(a[q], b[q], strict=True)) for q in QUERIES}
    headers = ["backend", "query", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms", "rows mean", "rows max"]
    table = [[r["backend"], q, s["p50_ms"], s["p95_ms"], s["p99_ms"], s["mean_ms"], s["max_ms"], s["rows_mean"],
              s["rows_max"]] for r in results for q, s in r["queries"].items()]
    print(format_table(headers, table))
    if parity is not None:
        print("identical rows on both backends: " + ", ".join(f"{q} {n}/{args.runs}" for q, n in parity.items()))
    report = {
        "benchmark": "store_query",
        "argv": sys.argv[1:] if argv is None else list(argv),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "graph": kg.summary(),
        "neo4j": endpoint.describe() if "neo4j" in args.backends else None,
        "results": results,
        "identical_rows": parity,
    }
    write_report(report, args.json)
    return 0 if parity is None or all(n == args.runs for n in parity.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
