"""What one ``COPY`` of relationships costs LadybugDB, by column kind: the floor under the embedded bulk load.

``EmbeddedStore.bulk_load`` ends with one ``COPY`` per relationship table from Arrow (see ``store_write``). This
copies ``--edges`` random edges between ``--nodes`` entities into a fresh, empty relationship table, once per
variant, and reports seconds and µs per edge (each variant in its own database; the best of ``--repeat`` runs):

* ``store schema`` — the store's edge properties (``kg.store.embedded._EDGE_PROPERTIES``: 10 scalar columns and
  4 ``STRING[]`` lists), one list element each, as a text-mined edge with one sentence has: a random 8-digit PMID,
  the same extractor and knowledge source everywhere, a unique 40-hex evidence id;
* ``without evidence_ids`` — the same without that list; ``scalars only`` — the 10 scalar columns;
  ``no properties`` — the endpoints alone;
* ways to copy the store schema more cheaply: rows ordered by their endpoints, constant-ish string columns
  dictionary-encoded, and the relationship table stored in the forward direction only (``storage_direction``;
  cheaper to copy, but a query that walks its edges backwards then scans the table — not usable by the store).

    python -m benchmarks.embedded_copy [--nodes 20000] [--edges 200000] [--repeat 2] [--json PATH]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import ladybug
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.common import format_table, write_report
from kg.store.embedded import _EDGE_PROPERTIES, _columns


def _edges(n_nodes: int, n_edges: int, seed: int) -> pa.Table:
    rng = random.Random(seed)
    ids = [f"MESH:D{i:06d}" for i in range(n_nodes)]
    columns: dict[str, pa.Array] = {
        "src": pa.array([ids[rng.randrange(n_nodes)] for _ in range(n_edges)]),
        "dst": pa.array([ids[rng.randrange(n_nodes)] for _ in range(n_edges)]),
    }
    for name, kind, arrow in _EDGE_PROPERTIES:
        if name == "evidence_ids":
            columns[name] = pa.array([[f"{rng.getrandbits(160):040x}"] for _ in range(n_edges)], arrow)
        elif name == "pmids":
            columns[name] = pa.array([[str(rng.randrange(10**7, 10**8))] for _ in range(n_edges)], arrow)
        elif kind == "STRING[]":
            columns[name] = pa.array([["synthetic-re@1.0"]] * n_edges, arrow)
        elif kind == "STRING":
            columns[name] = pa.array(["text_mining_agent"] * n_edges)
        elif kind == "DOUBLE":
            columns[name] = pa.array([rng.random() for _ in range(n_edges)])
        else:
            columns[name] = pa.array([rng.randrange(1975, 2025) for _ in range(n_edges)], pa.int64())
    return pa.table(columns)


def _copy_seconds(entity_ids: pa.Array, edges: pa.Table, properties: Sequence[tuple], options: str = "") -> float:
    with tempfile.TemporaryDirectory(prefix="medkg-copy-") as directory:
        db = ladybug.Database(str(Path(directory) / "graph.lbug"))
        conn = ladybug.Connection(db)
        conn.execute("CALL auto_checkpoint=false")
        conn.execute("CREATE NODE TABLE Entity(id STRING, PRIMARY KEY (id))")
        conn.execute("COPY Entity FROM $t", {"t": pa.table({"id": entity_ids})})
        extra = f", {_columns(properties)}" if properties else ""
        conn.execute(f"CREATE REL TABLE edge(FROM Entity TO Entity{extra}){options}")
        start = time.perf_counter()
        conn.execute("COPY edge FROM $t", {"t": edges.select(["src", "dst", *(p[0] for p in properties)])})
        seconds = time.perf_counter() - start
        conn.close()
        db.close()
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=20_000)
    parser.add_argument("--edges", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", nargs="?", const="-", default=None, help="write the results as JSON (to PATH)")
    args = parser.parse_args(argv)

    edges = _edges(args.nodes, args.edges, args.seed)
    entity_ids = pa.array([f"MESH:D{i:06d}" for i in range(args.nodes)])
    scalars = tuple(p for p in _EDGE_PROPERTIES if not p[1].endswith("[]"))
    dictionary_encoded = edges
    for name in ("predicate", "primary_knowledge_source", "knowledge_level", "agent_type"):
        dictionary_encoded = dictionary_encoded.set_column(
            edges.column_names.index(name), name, pc.dictionary_encode(edges[name]))
    variants = {
        "store schema": (edges, _EDGE_PROPERTIES, ""),
        "without evidence_ids": (edges, tuple(p for p in _EDGE_PROPERTIES if p[0] != "evidence_ids"), ""),
        "scalars only": (edges, scalars, ""),
        "no properties": (edges, (), ""),
        "store schema, rows sorted by endpoints": (edges.sort_by([("src", "ascending"), ("dst", "ascending")]),
                                                   _EDGE_PROPERTIES, ""),
        "store schema, dictionary-encoded strings": (dictionary_encoded, _EDGE_PROPERTIES, ""),
        "store schema, forward direction only": (edges, _EDGE_PROPERTIES, " WITH (storage_direction = 'fwd')"),
    }
    results = []
    for name, (table, properties, options) in variants.items():
        seconds = min(_copy_seconds(entity_ids, table, properties, options) for _ in range(args.repeat))
        results.append({"variant": name, "seconds": round(seconds, 3),
                        "us_per_edge": round(1e6 * seconds / args.edges, 2)})
    print(format_table(["variant", "seconds", "µs per edge"],
                       [(r["variant"], f"{r['seconds']:.2f}", f"{r['us_per_edge']:.1f}") for r in results]))
    if args.json is not None:
        write_report({"benchmark": "embedded_copy", "nodes": args.nodes, "edges": args.edges,
                      "repeat": args.repeat, "results": results}, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
