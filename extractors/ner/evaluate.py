"""Strict mention-level evaluation of NER output against a corpus split.

A prediction is a true positive when its (start, end, category) equals a gold mention's exactly. Only the
categories the corpus annotates are scored (predicted genes in BC5CDR are neither right nor wrong).
BC2GM counts a prediction matching an ALTGENE alternative of a gold gene as that gene, as the official
BC2GM evaluation does; each gold mention is matched at most once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.ner.corpora import CORPORA, GoldDoc, load_corpus
from kg.schema import Category, Mention

# GSC+ annotates phenotypes (signs and symptoms), which the training corpora annotate as diseases: the
# model has no PhenotypicFeature label, so its Disease mentions are scored as phenotypes there (a proxy).
CATEGORY_MAPS: dict[str, dict[Category, Category]] = {"gsc_plus": {Category.DISEASE: Category.PHENOTYPE}}


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(100 * self.precision, 2),
                "recall": round(100 * self.recall, 2), "f1": round(100 * self.f1, 2)}


def score(gold_docs: Sequence[GoldDoc], predicted: Sequence[Iterable[Mention]], categories: Iterable[Category],
          category_map: Mapping[Category, Category] | None = None) -> dict[str, Counts]:
    """Per-category counts plus ``"micro"`` (their sum) over documents aligned with ``predicted``."""
    cats = set(categories)
    cmap = category_map or {}
    counts = {str(c): Counts() for c in sorted(cats)}
    for gold_doc, preds in zip(gold_docs, predicted, strict=True):
        gold = {(m.start, m.end, m.category) for m in gold_doc.gold if m.category in cats}
        matched: set[tuple[int, int, Category]] = set()
        pred_keys = {(m.start, m.end, cmap.get(m.category, m.category)) for m in preds}
        for start, end, cat in sorted(pred_keys):
            if cat not in cats:
                continue
            key = (start, end, cat)
            if key not in gold and (start, end) in gold_doc.alternatives:
                key = (*gold_doc.alternatives[(start, end)], cat)
            if key in gold and key not in matched:
                matched.add(key)
                counts[str(cat)].tp += 1
            else:
                counts[str(cat)].fp += 1
        for _, _, cat in gold - matched:
            counts[str(cat)].fn += 1
    micro = Counts()
    for c in counts.values():
        micro.tp += c.tp
        micro.fp += c.fp
        micro.fn += c.fn
    counts["micro"] = micro
    return counts


def evaluate_corpus(corpus: str, split: str = "dev", data_root: str | Path | None = None,
                    file: str | Path | None = None, model_path: str | Path | None = None) -> dict[str, Any]:
    """Run the NER component over a corpus split and score it; includes throughput."""
    from extractors.ner.component import DEFAULT_MODEL, NerComponent

    gold_docs = load_corpus(corpus, split, data_root, file)
    component = NerComponent(model_path or DEFAULT_MODEL)
    component.nlp  # load outside the timed region  # noqa: B018
    started, cpu_started = time.perf_counter(), time.process_time()
    predicted = list(component.mentions(g.document.text for g in gold_docs))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    counts = score(gold_docs, predicted, CORPORA[corpus].categories, CATEGORY_MAPS.get(corpus))
    return {
        "corpus": corpus,
        "split": split,
        "model": str(component.model_path),
        "documents": len(gold_docs),
        "gold_mentions": sum(len(g.gold) for g in gold_docs),
        "seconds": round(seconds, 2),
        "docs_per_second": round(len(gold_docs) / seconds, 1) if seconds else None,
        # per CPU-second of this process: the single-core rate when BLAS runs one thread (OMP_NUM_THREADS=1),
        # unaffected by other jobs on a shared machine
        "cpu_seconds": round(cpu_seconds, 2),
        "docs_per_cpu_second": round(len(gold_docs) / cpu_seconds, 1) if cpu_seconds else None,
        "scores": {k: v.as_dict() for k, v in counts.items()},
    }


def format_report(report: Mapping[str, Any]) -> str:
    lines = [f"{report['corpus']} {report['split']}: {report['documents']} documents, "
             f"{report['gold_mentions']} gold mentions, {report['docs_per_second']} docs/s "
             f"({report['docs_per_cpu_second']} docs per CPU-second)",
             f"{'type':<20}{'P':>8}{'R':>8}{'F1':>8}{'TP':>7}{'FP':>7}{'FN':>7}"]
    for name, s in report["scores"].items():
        lines.append(f"{name:<20}{s['precision']:>8.2f}{s['recall']:>8.2f}{s['f1']:>8.2f}"
                     f"{s['tp']:>7}{s['fp']:>7}{s['fn']:>7}")
    return "\n".join(lines)
