"""Memory of a long ingest of very many small records: resident memory as the store grows.

``--docs`` tiny PubTator records (a four-word title and a one-sentence abstract drawn from a small vocabulary of
drugs, diseases and symptoms, so every record has a few normalised mentions) are ingested into a fresh embedded
store by the real :class:`kg.ingest.Ingester` and default pipeline, in-process. The process's resident memory is
sampled after every ``--docs``/10 documents; reported are the samples, the growth over the second half of the run
(kB per document: what a run ten times as long would add per document), and the run time.

    .venv/bin/python -m benchmarks.ingest_memory [--docs 200000] [--batch-size 500] [--db DIR] [--json [PATH]]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import log, rss_mib, write_report
from kg.ingest import Ingester
from kg.store.embedded import EmbeddedStore

WORDS = ("aspirin", "fever", "cough", "ibuprofen", "headache", "asthma", "codeine", "pain", "nausea", "tamoxifen",
         "breast", "cancer", "warfarin", "bleeding")
FIRST_PMID = 10_000_000


def write_records(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w") as out:
        for i in range(n):
            pmid = FIRST_PMID + i
            title = " ".join(rng.choices(WORDS, k=4)).capitalize()
            out.write(f"{pmid}|t|{title}\n{pmid}|a|Patients given {rng.choice(WORDS)} had {rng.choice(WORDS)}.\n\n")


def run(records: Path, db: Path, n: int, batch_size: int) -> dict[str, Any]:
    samples: list[tuple[int, float]] = []
    every = max(batch_size, n // 10)
    with EmbeddedStore(db) as store:
        ingester = Ingester(store, batch_size=batch_size, progress=False)
        process = ingester._process
        done = 0

        def measured(item: Any) -> None:
            nonlocal done
            process(item)
            done += len(item.docs)
            if done % every < batch_size:
                samples.append((done, round(rss_mib(), 1)))
                log(f"{done:,} documents: {samples[-1][1]:,.0f} MiB resident")

        ingester._process = measured  # type: ignore[method-assign]
        started = time.perf_counter()
        summary = ingester.run([str(records)])
        elapsed = time.perf_counter() - started
    half = [s for s in samples if s[0] >= n // 2]
    slope = (half[-1][1] - half[0][1]) * 1024 / (half[-1][0] - half[0][0]) if len(half) > 1 else None
    return {"stored": summary.stored, "failed": len(summary.failed), "run_s": round(elapsed, 1),
            "rss_mib": samples, "second_half_kib_per_doc": round(slope, 3) if slope is not None else None}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--db", type=Path, help="Write the store here (it must not exist yet).")
    parser.add_argument("--json", nargs="?", const="-", help="Write the report as JSON to PATH (or stdout).")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="medkg-bench-ingest-memory-") as scratch:
        records = Path(scratch) / "tiny.pubtator"
        write_records(records, args.docs)
        db = args.db or Path(scratch) / "graph.lbug"
        if db.exists():
            raise SystemExit(f"{db} exists: give a new path")
        report = {"docs": args.docs, "batch_size": args.batch_size, **run(records, db, args.docs, args.batch_size)}
    log(f"stored {report['stored']:,} in {report['run_s']} s; second half: {report['second_half_kib_per_doc']} "
        f"KiB per document")
    write_report(report, args.json)


if __name__ == "__main__":
    main()
