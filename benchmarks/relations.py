"""Relation extraction throughput: candidate pairs/s and abstracts/s on BioRED dev (gold entities).

Runs the shipped model (fp32, and dynamic int8 unless ``--no-int8``) with 1 thread and with all cores,
and on the GPU in fp16 when there is one. Times include encoding and evidence selection, not model loading.

    python benchmarks/relations.py --shared ../shared/data [--docs 100] [--batch-size 8] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

from extractors.relations import corpora
from extractors.relations.component import quantize_dynamic
from extractors.relations.model import DEFAULT_MODEL_DIR, load_model
from extractors.relations.predict import predict


def run(model, tokenizer, docs, batch_size: int) -> dict:
    list(predict(model, tokenizer, docs[:batch_size], batch_size))  # warm-up
    started = time.perf_counter()
    n_pred = sum(len(p) for p in predict(model, tokenizer, docs, batch_size))
    seconds = time.perf_counter() - started
    pairs = sum(len(d.pairs) for d in docs)
    return {"abstracts": len(docs), "candidate_pairs": pairs, "predicted": n_pred, "seconds": round(seconds, 2),
            "abstracts_per_s": round(len(docs) / seconds, 2), "pairs_per_s": round(pairs / seconds, 1),
            "ms_per_abstract": round(1000 * seconds / len(docs), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=os.environ.get("KG_SHARED_DATA"))
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--docs", type=int, default=100, help="BioRED dev abstracts to run (default: all 100)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--no-int8", action="store_true", help="skip the dynamic int8 runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    docs, _ = corpora.load("biored", "dev", args.shared)
    docs = docs[: args.docs]
    model, tokenizer = load_model(args.model)
    results = []
    cores = os.cpu_count() or 1
    variants = [("fp32", model)] + ([] if args.no_int8 else [("int8", quantize_dynamic(model))])
    for threads in sorted({1, cores}):
        torch.set_num_threads(threads)
        for name, m in variants:
            results.append({"device": "cpu", "threads": threads, "precision": name,
                            **run(m, tokenizer, docs, args.batch_size)})
            print(json.dumps(results[-1]), file=sys.stderr)
    if torch.cuda.is_available():
        gpu = model.to("cuda").half()
        results.append({"device": torch.cuda.get_device_name(), "precision": "fp16",
                        **run(gpu, tokenizer, docs, args.batch_size)})
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(f"{r['device']:>10} {r.get('threads', ''):>3} {r['precision']:>5}: {r['abstracts_per_s']:7.2f} "
                  f"abstracts/s, {r['pairs_per_s']:8.1f} pairs/s, {r['ms_per_abstract']:7.1f} ms/abstract")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
