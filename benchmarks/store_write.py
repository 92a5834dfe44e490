"""Write throughput of the graph stores: batched ``upsert_relations`` vs one relation per call.

For each backend, in one run:

1. per-row baseline: a fresh store with all entities, then ``--per-row-sample`` relations written with
   one ``upsert_relations([rel])`` call each; rels/s is extrapolated from that sample;
2. batched: a fresh store, all entities (``upsert_entities``), then all relations in batches of
   ``--batch-size`` through ``upsert_relations`` inside ``GraphStore.bulk_load()`` (a first load; with
   ``--no-bulk`` outside it, i.e. the incremental path ``kg ingest`` takes), then ``flush``; rels/s over
   the relation phase (the end of the block and the flush included). The stored node/edge counts are
   checked against the synthetic KG;
3. update: the first ``--update-sample`` relations are written again, in batches, with one extra
   evidence each (the existing-edge path: fetch edges and evidence, recompute aggregates).

Only time spent inside store calls is counted (building the synthetic ``Relation`` objects is not).
Peak RSS is the benchmark process's high-water mark during each backend's run (the embedded engine
runs in-process); for the in-process Neo4j server the JVM's high-water mark is reported separately.

Run from the repository root::

    .venv/bin/python -m benchmarks.store_write                       # 100k nodes, 1M edges, both backends
    .venv/bin/python -m benchmarks.store_write --nodes 10000 --edges 100000 --backends embedded --json out.json
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import logging
import os
import platform
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import (
    BENCH_DIR,
    Neo4jEndpoint,
    add_neo4j_arguments,
    format_table,
    graph_paths,
    is_empty,
    load_graph,
    log,
    mark_complete,
    parse_backends,
    peak_rss_mib,
    remove,
    reset_peak_rss,
    scratch_dir,
    shape_marker,
    write_report,
)
from benchmarks.synthetic import SyntheticKG
from kg.schema import Evidence, Relation
from kg.store.base import GraphStore

TARGETS = {"neo4j": {"batched_rels_per_s": 20_000, "speedup": 100},
           "embedded": {"batched_rels_per_s": 20_000}}


@contextlib.contextmanager
def profiled(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(str(path))
        log(f"  profile written to {path}")


class Backend:
    """Opens fresh stores of one backend."""

    name = ""

    keep: Path | None = None

    def fresh(self, last: bool = False) -> contextlib.AbstractContextManager[GraphStore]:
        raise NotImplementedError

    def server_pid(self) -> int | None:
        return None


class EmbeddedBackend(Backend):
    name = "embedded"

    def __init__(self, workdir: Path | None, keep: Path | None = None) -> None:
        self.workdir = workdir
        self.keep = keep  # where the last fresh() store goes, to be kept (store_write --keep)
        self._n = 0

    @contextlib.contextmanager
    def fresh(self, last: bool = False) -> Iterator[GraphStore]:
        from kg.store.embedded import EmbeddedStore

        self._n += 1
        with scratch_dir("medkg-bench-", self.workdir) as tmp:
            path = self.keep if last and self.keep else tmp / f"write-{self._n}.lbug"
            remove(path, path.with_name(path.name + ".wal"), shape_marker(path))
            with EmbeddedStore(path) as store:
                yield store


class Neo4jBackend(Backend):
    name = "neo4j"

    def __init__(self, endpoint: Neo4jEndpoint, allow_clear: bool) -> None:
        self.endpoint = endpoint
        self.allow_clear = allow_clear
        self._ours = False  # once we have written to the database, clearing it is always fine

    @contextlib.contextmanager
    def fresh(self, last: bool = False) -> Iterator[GraphStore]:
        store = self.endpoint.open()
        try:
            if not is_empty(store):
                if self.endpoint.external and not (self.allow_clear or self._ours):
                    raise SystemExit(f"the Neo4j database at {self.endpoint.uri} is not empty; the benchmark "
                                     "deletes everything in it: pass --allow-clear if that is fine")
                t0 = time.perf_counter()
                store.clear()
                log(f"  cleared Neo4j in {time.perf_counter() - t0:.1f} s")
            self._ours = True
            yield store
        finally:
            store.close()

    def server_pid(self) -> int | None:
        return self.endpoint.server_pid


def write_entities(store: GraphStore, kg: SyntheticKG, batch_size: int) -> float:
    t0 = time.perf_counter()
    for batch in kg.entity_batches(batch_size):
        store.upsert_entities(batch)
    store.flush()
    return time.perf_counter() - t0


def per_row(backend: Backend, kg: SyntheticKG, args: argparse.Namespace) -> dict[str, Any]:
    sample = kg.relations(0, args.per_row_sample)
    with backend.fresh() as store:
        write_entities(store, kg, args.batch_size)
        t0 = time.perf_counter()
        for rel in sample:
            store.upsert_relations([rel])
        store.flush()
        elapsed = time.perf_counter() - t0
        if backend.name == "neo4j":
            store.clear()
    return {"n": len(sample), "seconds": round(elapsed, 3), "rels_per_s": round(len(sample) / elapsed, 1)}


def with_extra_evidence(rel: Relation) -> Relation:
    ev = rel.evidence[0]
    extra = Evidence(pmid=str(int(ev.pmid) + 1), sentence=ev.sentence, start=ev.start, end=ev.end,
                     score=min(1.0, ev.score + 0.01), extractor=ev.extractor, extractor_version=ev.extractor_version,
                     year=ev.year + 1 if ev.year else None)
    return Relation(rel.subject, rel.predicate, rel.object, [ev, extra])


def batched(backend: Backend, kg: SyntheticKG, args: argparse.Namespace, profile: Path | None) -> dict[str, Any]:
    with backend.fresh(last=True) as store:
        with profiled(profile):
            times = load_graph(store, kg, args.batch_size, server_pid=backend.server_pid(), bulk=args.bulk)
        stats = store.stats().as_dict()
        n_edges = sum(v for k, v in stats["relationships"].items() if k != "mentions")
        problems = []
        if stats["nodes"].get("Entity") != kg.n_nodes:
            problems.append(f"Entity nodes: {stats['nodes'].get('Entity')} != {kg.n_nodes}")
        if n_edges != kg.n_edges:
            problems.append(f"edges: {n_edges} != {kg.n_edges}")
        if stats["nodes"].get("Evidence") != kg.n_edges:
            problems.append(f"Evidence nodes: {stats['nodes'].get('Evidence')} != {kg.n_edges}")
        update: dict[str, Any] = {}
        if args.update_sample:
            rels = [with_extra_evidence(r) for r in kg.relations(0, args.update_sample)]
            t0 = time.perf_counter()
            for start in range(0, len(rels), args.batch_size):
                store.upsert_relations(rels[start:start + args.batch_size])
            store.flush()
            elapsed = time.perf_counter() - t0
            update = {"n": len(rels), "seconds": round(elapsed, 3), "rels_per_s": round(len(rels) / elapsed, 1)}
            check = store.query("edge_evidence", subject=rels[0].subject, predicate=rels[0].predicate.value,
                                object=rels[0].object, limit=10)
            if len(check) != 2:
                problems.append(f"update: {rels[0].edge_key} has {len(check)} evidence rows, expected 2")
            after = store.stats().as_dict()
            if sum(v for k, v in after["relationships"].items() if k != "mentions") != kg.n_edges:
                problems.append("update: the number of edges changed")
    if backend.keep and not problems:
        mark_complete(backend.keep, kg, update_sample=args.update_sample)
    return {
        "entities": {"n": kg.n_nodes, "seconds": round(times["entities_s"], 3),
                     "per_s": round(kg.n_nodes / times["entities_s"], 1)},
        "relations": {"n": kg.n_edges, "seconds": round(times["relations_s"], 3),
                      "flush_seconds": round(times["flush_s"], 3),
                      "rels_per_s": round(kg.n_edges / times["relations_s"], 1),
                      "client_cpu_seconds": round(times["relations_client_cpu_s"], 3),
                      "server_cpu_seconds": (round(times["relations_server_cpu_s"], 3)
                                             if "relations_server_cpu_s" in times else None)},
        "update": update,
        "stats": stats,
        "problems": problems,
    }


def run_backend(backend: Backend, kg: SyntheticKG, args: argparse.Namespace) -> dict[str, Any]:
    reset_peak_rss()
    pid = backend.server_pid()
    result: dict[str, Any] = {"backend": backend.name}
    if args.per_row_sample:
        log(f"{backend.name}: per-row baseline, {args.per_row_sample:,} relations, one call each ...")
        result["per_row"] = per_row(backend, kg, args)
        log(f"{backend.name}: per-row {result['per_row']['rels_per_s']:,.0f} rels/s")
    pid = backend.server_pid() if pid is None else pid
    if pid is not None:
        reset_peak_rss(pid)
    log(f"{backend.name}: batched, {kg.n_nodes:,} entities + {kg.n_edges:,} relations in batches of "
        f"{args.batch_size:,} ...")
    profile = Path(args.profile) / f"store_write-{backend.name}.pstats" if args.profile else None
    result["batched"] = batched(backend, kg, args, profile)
    pid = backend.server_pid() if pid is None else pid
    log(f"{backend.name}: batched {result['batched']['relations']['rels_per_s']:,.0f} rels/s")
    if result["batched"]["problems"]:
        log(f"{backend.name}: PROBLEMS: {result['batched']['problems']}")
    if "per_row" in result:
        result["speedup"] = round(result["batched"]["relations"]["rels_per_s"] / result["per_row"]["rels_per_s"], 1)
    result["peak_rss_mib"] = peak_rss_mib()
    if pid is not None:
        result["server_peak_rss_mib"] = peak_rss_mib(pid)
    target = TARGETS.get(backend.name, {})
    result["targets"] = {
        "batched_rels_per_s": target.get("batched_rels_per_s"),
        "batched_met": (result["batched"]["relations"]["rels_per_s"] >= target["batched_rels_per_s"]
                        if "batched_rels_per_s" in target else None),
        "speedup": target.get("speedup"),
        "speedup_met": (result["speedup"] >= target["speedup"]
                        if "speedup" in target and "speedup" in result else None),
    }
    return result


def print_table(results: list[dict[str, Any]]) -> None:
    headers = ["backend", "entities/s", "batched rels/s", "CPU s client+server", "per-row rels/s",
               "batched/per-row", "update rels/s", "peak RSS MiB", "server peak RSS MiB", "targets"]
    rows = []
    for r in results:
        b = r["batched"]
        t = r["targets"]
        met = [f"{t['batched_rels_per_s'] // 1000}k/s {'ok' if t['batched_met'] else 'MISSED'}"]
        if t["speedup"] and t["speedup_met"] is not None:
            met.append(f"{t['speedup']}x {'ok' if t['speedup_met'] else 'MISSED'}")
        rows.append([
            r["backend"], f"{b['entities']['per_s']:,.0f}", f"{b['relations']['rels_per_s']:,.0f}",
            f"{b['relations']['client_cpu_seconds']:,.0f}+{b['relations']['server_cpu_seconds'] or 0:,.0f}",
            f"{r['per_row']['rels_per_s']:,.1f}" if "per_row" in r else "-",
            f"{r['speedup']:,.1f}x" if "speedup" in r else "-",
            f"{b['update']['rels_per_s']:,.0f}" if b["update"] else "-",
            f"{r['peak_rss_mib']:,.0f}", f"{r['server_peak_rss_mib']:,.0f}" if "server_peak_rss_mib" in r else "-",
            ", ".join(met),
        ])
    print(format_table(headers, rows))
    for r in results:
        if r["batched"]["problems"]:
            print(f"{r['backend']}: CHECK FAILED: {'; '.join(r['batched']['problems'])}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Write throughput of the medkg graph stores.")
    parser.add_argument("--nodes", type=int, default=100_000, help="entities in the synthetic KG")
    parser.add_argument("--edges", type=int, default=1_000_000, help="relations in the synthetic KG")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=10_000, help="relations per upsert_relations call")
    parser.add_argument("--per-row-sample", type=int, default=2_000,
                        help="relations written one call each for the per-row baseline (0: skip)")
    parser.add_argument("--update-sample", type=int, default=20_000,
                        help="relations re-written with extra evidence after the load (0: skip)")
    parser.add_argument("--no-bulk", dest="bulk", action="store_false",
                        help="write the batched load outside GraphStore.bulk_load() (the incremental write path)")
    parser.add_argument("--backends", default="embedded,neo4j", help="comma-separated: embedded,neo4j")
    add_neo4j_arguments(parser)
    parser.add_argument("--workdir", type=Path, help="directory for the embedded stores (default: a temp dir)")
    parser.add_argument("--keep", nargs="?", const=BENCH_DIR / ".data", type=Path, metavar="DIR",
                        help="keep the batched graphs (embedded store, in-process Neo4j database) in DIR "
                             "(default benchmarks/.data) for store_query --reuse")
    parser.add_argument("--profile", help="write cProfile stats of each batched load into this directory")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="also write the results as JSON to PATH (or stdout)")
    args = parser.parse_args(argv)
    args.backends = parse_backends(parser, args.backends)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)  # "property key does not exist" on a new db
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    kg = SyntheticKG(args.nodes, args.edges, args.seed)
    log(f"synthetic KG: {args.nodes:,} nodes, {args.edges:,} edges (seed {args.seed}) in "
        f"{time.perf_counter() - t0:.1f} s")
    kept = graph_paths(args.keep, kg) if args.keep else {}
    endpoint = Neo4jEndpoint(args.neo4j, args.neo4j_user, args.neo4j_password, args.neo4j_heap,
                             home=kept.get("neo4j"), page_cache_mib=args.neo4j_page_cache)
    results = []
    try:
        for name in args.backends:
            if name == "embedded":
                results.append(run_backend(EmbeddedBackend(args.workdir, kept.get("embedded")), kg, args))
                continue
            if kept and not endpoint.external:
                remove(kept["neo4j"], shape_marker(kept["neo4j"]))
            endpoint.start()  # before the clock starts: the in-process server takes a while to boot
            neo = Neo4jBackend(endpoint, args.allow_clear)
            neo.keep = kept.get("neo4j") if not endpoint.external else None
            results.append(run_backend(neo, kg, args))
            if endpoint.external and not args.keep:
                with neo.fresh():  # leave the external database empty, as we found it
                    pass
    finally:
        endpoint.stop()
    report = {
        "benchmark": "store_write",
        "argv": sys.argv[1:] if argv is None else list(argv),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "graph": kg.summary(),
        "batch_size": args.batch_size,
        "bulk_load": args.bulk,
        "neo4j": endpoint.describe() if "neo4j" in args.backends else None,
        "results": results,
    }
    print_table(results)
    write_report(report, args.json)
    return 1 if any(r["batched"]["problems"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
