"""``kg ingest --engine ray`` with 1 and 2 workers on the same small corpus: throughput, CPU, peak RSS per worker,
and the driver's own time (scan and plan, writing the store).

The corpus is one PubMed XML file of the shared data and the first ``--docs`` documents of BC5CDR's training set,
through NER, normalization and (unless ``--no-relations``) relation extraction, into a fresh embedded store.
Each worker count gets its own local Ray instance of that many CPUs. The *extraction-bound part* is the span
from the first task's start to the last task's end on the workers (from the shards' timing); its throughput is
documents extracted per second of that span. Model loading (each actor, once) is outside it, as is Ray's start.

    python -m benchmarks.ray_ingest --shared ../shared/data [--docs 40] [--workers 1,2] [--no-relations] [--json]
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from extractors.pipeline import default_pipeline
from kg.distributed.ray_engine import RayIngester
from kg.distributed.shards import Manifest
from kg.store.embedded import EmbeddedStore

PUBMED = "pubmed/pmparser_samples/pubmed26n1334.xml.gz"
BC5CDR = "corpora/bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt"


class _Timed(RayIngester):
    """The engine, with the writer's time and the workers' peak RSS noted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.write_s = 0.0
        self.worker_peak_rss_mib: list[float] = []

    def _write(self, writes: Any, stale: list[str]) -> None:
        start = time.perf_counter()
        super()._write(writes, stale)
        self.write_s += time.perf_counter() - start

    def _stop(self) -> None:
        if self._actors:
            self.worker_peak_rss_mib = self._ray.get([a.peak_rss_mib.remote() for a in self._actors])
        super()._stop()


def run_once(inputs: list[str], workers: int, relations: bool, batch_size: int) -> dict[str, Any]:
    import ray

    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        with tempfile.TemporaryDirectory() as tmp, EmbeddedStore(Path(tmp) / "g.lbug") as store:
            ingester = _Timed(store, shard_dir=Path(tmp) / "shards", workers=workers, batch_size=batch_size,
                              progress=False, checkpoint_every_s=1e9,
                              pipeline_factory=functools.partial(default_pipeline, relations=relations))
            start = time.perf_counter()
            summary = ingester.run(inputs)
            wall = time.perf_counter() - start
            shards = Manifest.load(Path(tmp) / "shards").shards.values()
    finally:
        ray.shutdown()
    timings = [s["timing"] for s in shards]
    docs = sum(s["rows"]["records"] for s in shards)
    span = max(t["end"] for t in timings) - min(t["start"] for t in timings)
    cpu = sum(t["cpu_s"] for t in timings)
    return {"workers": workers, "tasks": len(timings), "docs_extracted": docs, "stored": summary.stored,
            "failed": len(summary.failed), "wall_s": round(wall, 2), "extraction_span_s": round(span, 2),
            "docs_per_s": round(docs / span, 2), "worker_cpu_s": round(cpu, 2),
            "docs_per_worker_cpu_s": round(docs / cpu, 2), "writer_s": round(ingester.write_s, 2),
            "driver_other_s": round(wall - span - ingester.write_s, 2),
            "worker_peak_rss_mib": [round(r) for r in ingester.worker_peak_rss_mib]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--docs", type=int, default=40, help="BC5CDR documents beside the PubMed file")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--no-relations", dest="relations", action="store_false")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        records = (args.shared / BC5CDR).read_text(encoding="utf-8").split("\n\n")[:args.docs]
        small = Path(tmp) / "bc5cdr.PubTator"
        small.write_text("\n\n".join(records) + "\n\n", encoding="utf-8")
        inputs = [str(args.shared / PUBMED), str(small)]
        results = [run_once(inputs, int(w), args.relations, args.batch_size) for w in args.workers.split(",")]
    out: dict[str, Any] = {"relations": args.relations, "runs": results}
    if len(results) >= 2:
        out["extraction_speedup"] = round(results[-1]["docs_per_s"] / results[0]["docs_per_s"], 2)
        out["wall_speedup"] = round(results[0]["wall_s"] / results[-1]["wall_s"], 2)
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for r in results:
            print(f"{r['workers']} worker(s): {r['docs_extracted']} docs in {r['extraction_span_s']} s of extraction "
                  f"({r['docs_per_s']} docs/s, {r['docs_per_worker_cpu_s']} per worker CPU-s), wall {r['wall_s']} s, "
                  f"writer {r['writer_s']} s, peak RSS per worker {r['worker_peak_rss_mib']} MiB", file=sys.stdout)
        if "extraction_speedup" in out:
            print(f"extraction speed-up {out['extraction_speedup']}x, wall {out['wall_speedup']}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
