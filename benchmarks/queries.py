"""Latency of the question types that ``kg query`` and ``kg serve`` answer, on both backends, with and without rerank.

The graph is a synthetic KG (``benchmarks/synthetic.py``: heavy-tailed degrees, evidence sentences on every edge)
plus the real HPO annotations of ``kg import hpo`` (12.6k diseases, 251k has_phenotype edges, the HPO hierarchy),
so that symptom questions see real structure and the store holds ``--edges`` + 266k edges in all. Question types,
with parameters drawn by a seeded RNG (the same sequence on every backend):

* ``symptoms``            — ``SymptomRanker.search``: a simulated HPO patient (3–7 phenotype names of one disease,
                            as free text) → top 10 diseases with matched terms and evidence;
* ``symptoms+rerank``     — the same with the LM rerank of the 50 best graph candidates (``queries/rerank.py``);
* ``rerank_only``         — the rerank step alone on those 50 candidates (encoder + combination);
* ``drugs_for_gene``      — ``GeneDrugFinder.search`` for a gene with disease links (direct + 2-hop paths);
* ``evidence``            — what ``/evidence`` runs: ``edge_summary`` + ``edge_evidence`` (20 sentences) of an edge;
* ``cypher``              — what ``/cypher`` runs: a parameterised read through ``read_cypher`` with timeout and
                            row limit (diseases of a phenotype, 100 rows at most).

Per-store state is built once before timing, as ``kg serve`` does at start: the ranker's annotation statistics,
the fuzzy-match index, the encoder and the phenotype-name embeddings. Each question runs ``--warmup`` times untimed,
then ``--runs`` times timed (wall clock). Graphs are kept in ``--data-dir`` and reused with ``--reuse``.

Run from the repository root::

    # full size (1M synthetic edges + HPO, both backends); hours of build on a loaded 2-core machine
    .venv/bin/python -m benchmarks.queries --reuse --nodes 100000 --edges 1000000
    # kept graphs: an embedded copy of store_write's 1M graph after `kg import hpo --db COPY`, and a copy of its
    # in-process Neo4j database (HPO is imported into it on first use)
    .venv/bin/python -m benchmarks.queries --db COPY.lbug --neo4j-home NEO4J_COPY --neo4j-page-cache 2048
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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import (
    BENCH_DIR,
    Neo4jEndpoint,
    add_neo4j_arguments,
    format_table,
    graph_paths,
    is_complete,
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

CYPHER = ("MATCH (d:Entity)-[r:has_phenotype]->(p:Entity) WHERE p.id = $id "
          "RETURN d.id AS disease, d.name AS name, r.n_pmids AS n_pmids ORDER BY disease LIMIT 100")


def build_graph(store: GraphStore, kg: SyntheticKG | None, batch_size: int) -> dict[str, Any]:
    from kg.importers.hpo import import_hpo

    timings: dict[str, Any] = {}
    if kg is not None:
        timings.update(load_graph(store, kg, batch_size))
    started = time.perf_counter()
    summary = import_hpo(store)
    timings["hpo_s"] = round(time.perf_counter() - started, 1)
    timings["hpo_has_phenotype"] = summary.has_phenotype
    return timings


def open_embedded(kg: SyntheticKG | None, args: argparse.Namespace) -> tuple[GraphStore, dict[str, Any]]:
    from kg.store.embedded import EmbeddedStore

    if args.db:
        return EmbeddedStore(args.db, read_only=True), {"path": str(args.db), "reused": True}
    assert kg is not None
    db = graph_paths(args.data_dir, kg)["embedded"].with_suffix(".hpo.lbug")
    build: dict[str, Any] = {"path": str(db), "reused": False}
    if args.reuse and is_complete(db, kg):
        build["reused"] = True
    else:
        remove(db, db.with_name(db.name + ".wal"), shape_marker(db))
        log(f"embedded: building {db} ...")
        with EmbeddedStore(db) as store:
            build.update(build_graph(store, kg, args.batch_size))
        mark_complete(db, kg)
    return EmbeddedStore(db, read_only=True), build


def has_hpo(store: GraphStore) -> bool:
    return bool(store.query("entities_by_id", ids=["HP:0000118"]))


def open_neo4j(kg: SyntheticKG | None, endpoint: Neo4jEndpoint, args: argparse.Namespace
               ) -> tuple[GraphStore, dict[str, Any]]:
    if args.neo4j_home is not None:  # a kept database: top it up with HPO if needed, never clear it
        store = endpoint.open()
        build: dict[str, Any] = {"home": str(args.neo4j_home), "reused": has_hpo(store)}
        if not build["reused"]:
            log(f"neo4j: importing HPO into {args.neo4j_home} ...")
            build.update(build_graph(store, None, args.batch_size))
        return store, build
    build = {"reused": False}
    home = endpoint.home
    if home is not None and args.reuse and kg is not None and is_complete(home, kg):
        build["reused"] = True
        return endpoint.open(), build
    if home is not None:
        remove(home, shape_marker(home))
    store = endpoint.open()
    if endpoint.external and not args.allow_clear:
        raise SystemExit(f"the benchmark replaces the graph at {endpoint.uri}; pass --allow-clear")
    store.clear()
    log("neo4j: building the graph ...")
    build.update(build_graph(store, kg, args.batch_size))
    if home is not None and kg is not None:
        mark_complete(home, kg)
    return store, build


def time_calls(name: str, calls: Sequence[Callable[[], Any]], warmup: int) -> dict[str, float]:
    for call in calls[:warmup]:
        call()
    latencies = []
    for call in calls[warmup:]:
        started = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - started) * 1000)
    summary = {"runs": len(latencies), "p50_ms": round(percentile(latencies, 50), 1),
               "p95_ms": round(percentile(latencies, 95), 1), "mean_ms": round(statistics.fmean(latencies), 1),
               "max_ms": round(max(latencies), 1)}
    log(f"  {name}: p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms")
    return summary


def measure(store: GraphStore, kg: SyntheticKG | None, args: argparse.Namespace) -> dict[str, Any]:
    from queries.gene_drugs import GeneDrugFinder
    from queries.rerank import SymptomReranker
    from queries.symptom_evaluation import simulate_patients
    from queries.symptoms import SymptomRanker

    n = args.warmup + args.runs
    started = time.perf_counter()
    ranker = SymptomRanker(store)
    ranker.lexicon.nearest("fever")
    setup = {"symptom_stats_s": round(time.perf_counter() - started, 1), "diseases": ranker.stats.n_diseases}
    reranker = SymptomReranker(ranker)
    if args.rerank:
        started = time.perf_counter()
        reranker.warm()
        setup["rerank_warm_s"] = round(time.perf_counter() - started, 1)
    patients = simulate_patients(ranker, n, args.seed, noise=True, imprecision=False)
    texts = [", ".join(ranker.ontology.terms[t].name for t in p.present + p.noise) for p in patients]
    scored = [ranker.score_all(p.present + p.noise) for p in patients]
    labels = [[ranker.ontology.terms[t].name for t in p.present + p.noise] for p in patients]
    finder = GeneDrugFinder(store)
    rng = random.Random(args.seed + 7)
    if kg is not None:
        genes = [rng.choice(kg.genes_with_diseases()) for _ in range(n)]
        edges = [kg.triple(rng.randrange(kg.n_edges)) for _ in range(n)]
    else:  # a given store: its own genes and HPO edges
        genes = [r["id"] for r in store.query("entities_by_category", category="Gene", skip=0, limit=n)] or ["X:0"]
        edges = [(p.disease_id, "has_phenotype", p.present[0]) for p in patients]
    phenotypes = [rng.choice(p.present) for p in patients]
    evidence_calls = [lambda e=e: (store.query("edge_summary", subject=e[0], predicate=e[1], object=e[2]),
                                   store.query("edge_evidence", subject=e[0], predicate=e[1], object=e[2], limit=20))
                      for e in edges]
    questions: dict[str, list[Callable[[], Any]]] = {
        "symptoms": [lambda t=t: ranker.search(t, top=10) for t in texts],
        "symptoms+rerank": [lambda t=t: ranker.search(t, top=10, reranker=reranker) for t in texts],
        "rerank_only": [lambda q=q, s=s: reranker.rerank(q, s) for q, s in zip(labels, scored, strict=True)],
        "drugs_for_gene": [lambda g=g: finder.search(g, top=10) for g in genes],
        "evidence": evidence_calls,
        "cypher": [lambda p=p: store.read_cypher(CYPHER, {"id": p}, timeout_s=5, max_rows=1000) for p in phenotypes],
    }
    if not args.rerank:
        del questions["symptoms+rerank"], questions["rerank_only"]
    results = {name: time_calls(name, calls, args.warmup) for name, calls in questions.items()}
    setup["candidates_mean"] = round(statistics.fmean(len(s) for s in scored), 1)
    return {"setup": setup, "queries": results}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="p50/p95 of symptom, gene→drug, evidence and Cypher questions.")
    parser.add_argument("--nodes", type=int, default=100_000, help="synthetic nodes (0: HPO only)")
    parser.add_argument("--edges", type=int, default=1_000_000, help="synthetic edges besides HPO's")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100, help="timed calls per question type")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--backends", default="embedded,neo4j")
    parser.add_argument("--no-rerank", dest="rerank", action="store_false",
                        help="skip the LM rerank questions (and embedding every phenotype name before timing)")
    parser.add_argument("--reuse", action="store_true", help="reuse graphs of the same shape in --data-dir")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / ".data", help="default: benchmarks/.data")
    parser.add_argument("--db", type=Path, help="an existing embedded graph holding `kg import hpo` (not rebuilt)")
    add_neo4j_arguments(parser)
    parser.add_argument("--neo4j-home", type=Path,
                        help="database folder of the in-process Neo4j to use and keep (e.g. a copy of the one that "
                             "store_write --keep leaves); HPO is imported into it if it lacks it")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH", help="also write JSON to PATH (or stdout)")
    args = parser.parse_args(argv)
    args.backends = parse_backends(parser, args.backends)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    kg = SyntheticKG(args.nodes, args.edges, args.seed) if args.nodes and args.edges else None
    home = args.neo4j_home or (graph_paths(args.data_dir, kg)["neo4j"].with_suffix(".hpo")
                               if args.reuse and kg is not None else None)
    endpoint = Neo4jEndpoint(args.neo4j, args.neo4j_user, args.neo4j_password, args.neo4j_heap, home=home,
                             page_cache_mib=args.neo4j_page_cache)
    results: list[dict[str, Any]] = []
    try:
        for name in args.backends:
            store, build = open_embedded(kg, args) if name == "embedded" else open_neo4j(kg, endpoint, args)
            try:
                counts = store.stats().as_dict()["relationships"]
                log(f"{name}: {sum(counts.values()):,} edges; {args.warmup} warm-up + {args.runs} timed calls each")
                measured = measure(store, kg, args)
            finally:
                store.close()
            results.append({"backend": name, "build": build, "edges": counts, **measured})
    finally:
        endpoint.stop()
    headers = ["backend", "edges", "question", "p50 ms", "p95 ms", "mean ms", "max ms"]
    table = [[r["backend"], f"{sum(r['edges'].values()):,}", q, s["p50_ms"], s["p95_ms"], s["mean_ms"], s["max_ms"]]
             for r in results for q, s in r["queries"].items()]
    print(format_table(headers, table))
    report = {
        "benchmark": "queries",
        "argv": sys.argv[1:] if argv is None else list(argv),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "graph": kg.summary() if kg is not None else None,
        "results": results,
    }
    write_report(report, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
