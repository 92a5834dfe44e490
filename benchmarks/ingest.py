"""Ingestion throughput: abstracts/s for read-only, read+store and the full pipeline.

The corpus replicates the real PubMed/MEDLINE citations under ``<shared>/pubmed`` under fresh PMIDs
(the XML of each article is copied unchanged except for its PMID) into gzipped files of 5,000
articles, like NCBI's baseline files, until it holds ``--docs`` documents.

    python benchmarks/ingest.py --shared ../shared/data --docs 50000 [--store embedded|neo4j] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from extractors.pipeline import Pipeline, default_pipeline
from extractors.readers import read_documents
from kg.ingest import Ingester
from kg.schema import Document

FIRST_PMID = 90_000_000
FILE_SIZE = 5_000


def real_articles(shared: Path) -> list[bytes]:
    """Serialized <PubmedArticle>/<MedlineCitation> elements of every real article set under shared/pubmed."""
    articles = []
    for path in sorted((shared / "pubmed").rglob("*.xml*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            try:
                for _, elem in etree.iterparse(handle, tag=("PubmedArticle", "MedlineCitation")):
                    if elem.tag == "MedlineCitation" and elem.getparent() is not None \
                            and elem.getparent().tag == "PubmedArticle":
                        continue
                    xml = etree.tostring(elem)
                    # Legacy MedlineCitationSet records are wrapped as in today's PubmedArticleSet.
                    articles.append(b"<PubmedArticle>" + xml + b"</PubmedArticle>" if elem.tag == "MedlineCitation"
                                    else xml)
                    elem.clear()
            except etree.XMLSyntaxError:
                continue  # E-utilities responses and other non-article files
    return articles


def write_corpus(articles: list[bytes], n_docs: int, out: Path) -> list[Path]:
    files, pmid = [], FIRST_PMID
    for start in range(0, n_docs, FILE_SIZE):
        path = out / f"replica{start // FILE_SIZE:04d}.xml.gz"
        with gzip.open(path, "wb", compresslevel=1) as handle:
            handle.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
            for i in range(start, min(start + FILE_SIZE, n_docs)):
                root = etree.fromstring(articles[i % len(articles)])
                pmid_elem = root.find(".//PMID")
                pmid_elem.text = str(pmid)
                pmid += 1
                handle.write(etree.tostring(root) + b"\n")
            handle.write(b"</PubmedArticleSet>\n")
        files.append(path)
    return files


def read_only(files: list[Path]) -> int:
    return sum(isinstance(r, Document) for r in read_documents([str(f) for f in files]))


def no_extraction() -> Pipeline:
    return Pipeline([])


def timed_ingest(files: list[Path], store_args: argparse.Namespace, factory, workdir: Path, label: str,
                 batch_size: int) -> tuple[float, int]:
    from kg.config import StoreConfig
    from kg.store import open_store

    config = StoreConfig(backend=store_args.store, db_path=workdir / f"{label}.lbug",
                         neo4j_uri=store_args.neo4j or StoreConfig.neo4j_uri,
                         neo4j_user=store_args.neo4j_user or None, neo4j_password=store_args.neo4j_password)
    with open_store(config) as store:
        store.clear()
        start = time.perf_counter()
        summary = Ingester(store, pipeline_factory=factory, batch_size=batch_size, progress=False).run(
            [str(f) for f in files])
        store.flush()
        elapsed = time.perf_counter() - start
    return elapsed, summary.stored


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=2_000)
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--neo4j", help="Bolt URI (with --store neo4j)")
    parser.add_argument("--neo4j-user", default="")
    parser.add_argument("--neo4j-password")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="medkg-bench-") as tmp:
        workdir = Path(tmp)
        articles = real_articles(args.shared)
        files = write_corpus(articles, args.docs, workdir)
        results: dict[str, dict[str, float]] = {}

        start = time.perf_counter()
        n = read_only(files)
        results["read"] = _rate(n, time.perf_counter() - start)
        for label, factory in (("read+store", no_extraction), ("pipeline", default_pipeline)):
            elapsed, stored = timed_ingest(files, args, factory, workdir, label.replace("+", "_"), args.batch_size)
            results[label] = _rate(stored, elapsed)
        report = {"store": args.store, "distinct_real_articles": len(articles), "docs": args.docs,
                  "batch_size": args.batch_size, "peak_rss_mb": _peak_rss_mb(), "results": results,
                  "pipeline": default_pipeline().version}
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return
    print(f"{args.docs:,} documents ({len(articles)} distinct real articles), store={args.store}, "
          f"batch={args.batch_size}, pipeline={report['pipeline']}")
    for label, r in results.items():
        print(f"  {label:<11} {r['docs_per_s']:>9,.0f} abstracts/s   ({r['docs']:,} docs in {r['seconds']:.1f} s)")
    print(f"  peak RSS {report['peak_rss_mb']:.0f} MB")


def _rate(n: int, seconds: float) -> dict[str, float]:
    return {"docs": n, "seconds": round(seconds, 2), "docs_per_s": round(n / seconds, 1) if seconds else 0.0}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
