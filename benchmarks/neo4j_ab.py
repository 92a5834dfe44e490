"""A/B of two versions of ``kg/store/neo4j_store.py`` against one Neo4j server, batch by batch.

The baseline is ``kg/store/neo4j_store.py`` at a git revision (default ``HEAD``), the candidate the
working tree. Both write alternate 10k-relation batches of the same synthetic KG into the same database
after a few warm-up batches, so JIT warm-up, store growth and machine load hit both alike. Reports wall
clock, client CPU and server CPU per store primitive::

    .venv/bin/python -m benchmarks.neo4j_ab [--baseline HEAD] [--nodes 20000] [--edges 300000]
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from benchmarks.common import REPO_ROOT, Neo4jEndpoint, cpu_seconds, format_table
from benchmarks.synthetic import SyntheticKG

PRIMITIVES = ("_existing_entity_ids", "_write_evidence", "_fetch_edges", "_fetch_evidence", "_write_edges")


def load_revision(rev: str, directory: Path) -> ModuleType:
    source = subprocess.run(["git", "show", f"{rev}:kg/store/neo4j_store.py"], cwd=REPO_ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = directory / "neo4j_store_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("neo4j_store_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="HEAD", help="git revision of the baseline neo4j_store.py")
    parser.add_argument("--nodes", type=int, default=20_000)
    parser.add_argument("--edges", type=int, default=300_000)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--warmup-batches", type=int, default=6)
    parser.add_argument("--neo4j", help="Bolt URI (default: an in-process test server); it gets cleared")
    args = parser.parse_args(argv)
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)

    from kg.store import neo4j_store as candidate

    with tempfile.TemporaryDirectory() as tmp:
        baseline = load_revision(args.baseline, Path(tmp))
        kg = SyntheticKG(args.nodes, args.edges)
        endpoint = Neo4jEndpoint(args.neo4j, None, None, "4g")
        uri = endpoint.start()
        pid = endpoint.server_pid
        stores = {"baseline": baseline.Neo4jStore(uri, user=endpoint.user or None, password=endpoint.password),
                  "candidate": candidate.Neo4jStore(uri, user=endpoint.user or None, password=endpoint.password)}
        totals = {name: {p: [0.0, 0.0, 0.0] for p in (*PRIMITIVES, "upsert_relations")} for name in stores}
        measuring = False

        def timed(name: str, primitive: str, fn):  # noqa: ANN001, ANN202 - a wrapper
            def wrapper(*a, **k):  # noqa: ANN002, ANN003, ANN202
                w, c, s = time.perf_counter(), time.process_time(), cpu_seconds(pid)
                result = fn(*a, **k)
                if measuring:
                    acc = totals[name][primitive]
                    acc[0] += time.perf_counter() - w
                    acc[1] += time.process_time() - c
                    acc[2] += cpu_seconds(pid) - s if pid else 0.0
                return result
            return wrapper

        for name, store in stores.items():
            for primitive in (*PRIMITIVES, "upsert_relations"):
                setattr(store, primitive, timed(name, primitive, getattr(store, primitive)))
        try:
            stores["candidate"].clear()
            stores["candidate"].upsert_entities(kg.entities())
            for i, batch in enumerate(kg.relation_batches(args.batch_size)):
                if i == args.warmup_batches:
                    measuring = True
                name = "candidate" if i < args.warmup_batches else ("baseline", "candidate")[i % 2]
                stores[name].upsert_relations(batch)
        finally:
            for store in stores.values():
                store.close()
            endpoint.stop()
    rows = [[name, primitive, *(f"{v:.2f}" for v in values)]
            for name, by_primitive in totals.items() for primitive, values in by_primitive.items()]
    print(f"{args.baseline}:kg/store/neo4j_store.py vs the working tree, "
          f"{(kg.n_edges // args.batch_size - args.warmup_batches) // 2} batches of {args.batch_size} each")
    print(format_table(["store", "primitive", "wall s", "client CPU s", "server CPU s"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
