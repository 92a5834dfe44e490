"""NER + normalization throughput: abstracts/s and tokens/s on one core and on several, and peak RSS.

The sample is the first ``--docs`` abstracts of a PubTator corpus file (default: BC5CDR dev, ~230 tokens each),
text only. Loading the model and the lexicon is timed apart from processing (each worker warms up on a few
documents first); "one core" is one process with one BLAS/torch thread, "all cores" ``--workers`` processes
(default: every CPU of this machine) that each hold their own model and lexicon, as ``kg ingest --workers`` does.
On a shared machine the CPU-time rates (``*_per_cpu_s``) are the per-core numbers to trust; wall-clock rates then
also measure the neighbours. Normalization remembers resolved strings across documents, so its rate on a sample
of 100 documents (cold memo) understates a long ingestion's.

    python -m benchmarks.ner --shared ../shared/data --docs 200 [--workers 2] [--json]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

from extractors.ner.component import NerComponent  # noqa: E402
from extractors.normalize.component import Normalizer  # noqa: E402
from extractors.readers import AnnotatedDocument, read_pubtator  # noqa: E402
from kg.schema import Document  # noqa: E402

DEFAULT_CORPUS = "corpora/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"
WARMUP_DOCS = 8


def sample(path: Path, n: int) -> list[Document]:
    docs = []
    for record in read_pubtator(path):
        if isinstance(record, AnnotatedDocument):
            source = record.document
            docs.append(Document(source.pmid, title=source.title, abstract=source.abstract))
            if len(docs) == n:
                break
    return docs


def _fresh(docs: list[Document]) -> list[Document]:
    return [Document(d.pmid, title=d.title, abstract=d.abstract) for d in docs]


class _Stages:
    """NER then normalization, timed separately."""

    def __init__(self) -> None:
        self.ner = NerComponent()
        self.normalizer = Normalizer()
        self.ner.nlp  # noqa: B018  (load now, not inside the timed region)
        self.normalizer.lexicon  # noqa: B018

    def __call__(self, docs: list[Document]) -> tuple[float, float, int]:
        start, cpu_start = time.perf_counter(), time.process_time()
        self.ner(docs)
        middle, cpu_middle = time.perf_counter(), time.process_time()
        self.normalizer(docs)
        end, cpu_end = time.perf_counter(), time.process_time()
        self.cpu = (cpu_middle - cpu_start, cpu_end - cpu_middle)
        return middle - start, end - middle, sum(len(d.mentions) for d in docs)


_worker: _Stages | None = None


def _init_worker() -> None:
    global _worker
    import torch

    torch.set_num_threads(1)
    _worker = _Stages()


def _run(docs: list[Document]) -> tuple[float, float, int, int]:
    assert _worker is not None
    ner_s, norm_s, mentions = _worker(docs)
    return ner_s, norm_s, mentions, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def one_core(docs: list[Document]) -> dict[str, float]:
    import torch

    torch.set_num_threads(1)
    start = time.perf_counter()
    stages = _Stages()
    load_s = time.perf_counter() - start
    stages(_fresh(docs[:WARMUP_DOCS]))
    stages.normalizer.counts.clear()
    ner_s, norm_s, mentions = stages(_fresh(docs))
    ner_cpu, norm_cpu = stages.cpu
    counts = dict(stages.normalizer.counts)
    return {"load_s": round(load_s, 2), "ner_s": round(ner_s, 3), "normalize_s": round(norm_s, 3),
            "abstracts_per_s": round(len(docs) / (ner_s + norm_s), 1), "mentions": mentions,
            "ner_cpu_s": round(ner_cpu, 3), "normalize_cpu_s": round(norm_cpu, 3),
            "abstracts_per_cpu_s": round(len(docs) / (ner_cpu + norm_cpu), 1),
            "normalize_only_abstracts_per_cpu_s": round(len(docs) / norm_cpu, 1),
            "ner_only_abstracts_per_s": round(len(docs) / ner_s, 1),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "normalization_methods": counts}


def all_cores(docs: list[Document], workers: int) -> dict[str, float]:
    with ProcessPoolExecutor(workers, initializer=_init_worker) as pool:
        list(pool.map(_run, [_fresh(docs[:WARMUP_DOCS])] * workers))  # load and warm up every worker
        size = max(1, -(-len(docs) // (workers * 4)))
        chunks = [_fresh(docs[i:i + size]) for i in range(0, len(docs), size)]
        start = time.perf_counter()
        results = list(pool.map(_run, chunks))
        wall = time.perf_counter() - start
    return {"workers": workers, "wall_s": round(wall, 3), "abstracts_per_s": round(len(docs) / wall, 1),
            "peak_rss_mib_per_worker": round(max(r[3] for r in results) / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("KG_SHARED_DATA", "../shared/data")))
    parser.add_argument("--file", type=Path, default=None, help=f"PubTator file [default: <shared>/{DEFAULT_CORPUS}]")
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    docs = sample(args.file or args.shared / DEFAULT_CORPUS, args.docs)
    if not docs:
        sys.exit("no documents read")
    tokens = sum(len(d.text.split()) for d in docs)
    result: dict[str, object] = {"docs": len(docs), "whitespace_tokens": tokens, "cpus": os.cpu_count()}
    single = one_core(docs)
    single["tokens_per_s"] = round(tokens / (single["ner_s"] + single["normalize_s"]))
    result["one_core"] = single
    if args.workers > 1:
        multi = all_cores(docs, args.workers)
        multi["tokens_per_s"] = round(tokens / multi["wall_s"])
        result["all_cores"] = multi
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
