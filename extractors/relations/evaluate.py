"""``kg evaluate re`` / ``kg evaluate cid``: relation extraction scored on BioRED and BC5CDR.

``entities="gold"`` classifies the pairs of the corpus's own normalized mentions (relation extraction
alone); ``entities="predicted"`` runs NER and normalization first (end to end), which needs the
normalization component (:mod:`extractors.normalize`).
"""

from __future__ import annotations

import time
from pathlib import Path

from extractors.readers import AnnotatedDocument
from kg.schema import Category, Document

from . import corpora
from .candidates import RelDoc, from_document
from .component import RelationExtractor
from .labels import CID, base_category
from .metrics import gold_triples, score_biored, score_cid
from .predict import PairPrediction


def end_to_end_docs(records: list[AnnotatedDocument]) -> list[RelDoc]:
    """NER + normalization on the plain text of each record (its gold annotations are not used)."""
    try:
        from extractors.normalize.component import Normalizer
    except ImportError as exc:
        raise RuntimeError("--entities predicted needs the normalization component (extractors.normalize), "
                           "which this installation lacks") from exc
    from extractors.ner.component import NerComponent
    from extractors.pipeline import Pipeline

    docs = [Document(pmid=r.pmid, title=r.document.title, abstract=r.document.abstract) for r in records]
    docs = Pipeline([NerComponent(), Normalizer()])(docs)
    return [from_document(d) for d in docs]


def _run(corpus: str, split: str, data_root, file, entities: str, model_path, quantize: bool, progress: bool,
         ) -> tuple[list[RelDoc], list[AnnotatedDocument], list[list[PairPrediction]], float, float]:
    if entities not in ("gold", "predicted"):
        raise ValueError(f"entities must be gold or predicted, not {entities!r}")
    docs, records = corpora.load(corpus, split, data_root, file)
    extractor = RelationExtractor(model_path, quantize=quantize)
    extractor.model  # noqa: B018  (load before timing)
    started = time.perf_counter()
    if entities == "predicted":
        docs = end_to_end_docs(records)
    entity_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predictions = extractor.predict(docs, progress)
    return docs, records, predictions, entity_seconds, time.perf_counter() - started


def _report(corpus, split, entities, file, docs, scores, entity_seconds, re_seconds) -> dict:
    n = max(len(docs), 1)
    return {
        "corpus": corpus, "split": split, "file": str(file) if file else None, "entities": entities,
        "documents": len(docs), "candidate_pairs": sum(len(d.pairs) for d in docs),
        "re_ms_per_abstract": round(1000 * re_seconds / n, 1),
        "entities_ms_per_abstract": round(1000 * entity_seconds / n, 1) if entities == "predicted" else None,
        **scores,
    }


def evaluate_biored(split: str = "dev", data_root: str | Path | None = None, file: str | Path | None = None,
                    entities: str = "gold", model_path: str | Path | None = None, quantize: bool = False,
                    progress: bool = False) -> dict:
    """BioRED entity-pair and pair+type P/R/F1 (see :mod:`extractors.relations.metrics`)."""
    docs, records, predictions, t_ent, t_re = _run("biored", split, data_root, file, entities, model_path, quantize,
                                                     progress)
    predicted = [(d.pmid, d.entities[p.head].id, d.entities[p.tail].id, p.type)
                 for d, preds in zip(docs, predictions, strict=True) for p in preds if p.type != CID]
    scores = score_biored(predicted, gold_triples(records))
    return _report("biored", split, entities, file, docs, scores, t_ent, t_re)


def evaluate_cid(split: str = "dev", data_root: str | Path | None = None, file: str | Path | None = None,
                 entities: str = "gold", model_path: str | Path | None = None, quantize: bool = False,
                 progress: bool = False) -> dict:
    """BC5CDR chemical-induced-disease, document level: (PMID, chemical, disease) P/R/F1.

    A CID is predicted where the model's CID output reaches ``cid_min_score``; a model without one
    (trained on BioRED alone) is read through its chemical–disease Positive_Correlation
    (:mod:`extractors.relations.labels`).
    """
    docs, records, predictions, t_ent, t_re = _run("bc5cdr", split, data_root, file, entities, model_path, quantize,
                                                     progress)
    config = RelationExtractor(model_path).config
    threshold = config.cid_min_score
    gold = {(p, a, b) for p, a, b, _ in gold_triples(records, CID)}
    scores = {"cid": score_cid(cid_triples(docs, predictions, threshold, config.cid_output), gold),
              "cid_min_score": threshold, "cid_learned": config.cid_output}
    if not config.cid_output:
        scores["cid_any_score"] = score_cid(cid_triples(docs, predictions), gold)
    return _report("bc5cdr", split, entities, file, docs, scores, t_ent, t_re)


def cid_triples(docs: list[RelDoc], predictions: list[list[PairPrediction]], min_score: float = 0.0,
                learned: bool = False) -> set[tuple[str, str, str]]:
    """(PMID, chemical, disease) predicted as CID: learned CID probability ≥ ``min_score`` (``learned``), or
    else a chemical–disease Positive_Correlation scored ≥ ``min_score``."""
    out = set()
    for d, preds in zip(docs, predictions, strict=True):
        for p in preds:
            head, tail = d.entities[p.head], d.entities[p.tail]
            categories = {base_category(head.category), base_category(tail.category)}
            if categories != {Category.CHEMICAL, Category.DISEASE}:
                continue
            if (p.cid > 0 and p.cid >= min_score) if learned else \
                    (p.type == "Positive_Correlation" and p.score >= min_score):
                out.add((d.pmid, head.id, tail.id))
    return out


def choose_cid_threshold(data_root: str | Path | None = None, limit: int = 150,
                         model_path: str | Path | None = None) -> dict:
    """The ``cid_min_score`` that maximizes CID F1 on the first ``limit`` BC5CDR *train* abstracts (gold entities)."""
    extractor = RelationExtractor(model_path)
    if extractor.config.cid_output:
        raise ValueError("this model has a learned CID output; its threshold is chosen by kg train re")
    docs, records = corpora.load("bc5cdr", "train", data_root)
    docs, records = docs[:limit], records[:limit]
    predictions = extractor.predict(docs, progress=True)
    gold = {(p, a, b) for p, a, b, _ in gold_triples(records, CID)}
    grid = [round(0.3 + 0.05 * k, 2) for k in range(14)]
    table = {t: score_cid(cid_triples(docs, predictions, t), gold) for t in grid}
    best = max(grid, key=lambda t: table[t]["f1"])
    return {"cid_min_score": best, "train_abstracts": len(docs), "train_scores": table}


def format_report(report: dict) -> str:
    lines = [f"{report['corpus']} {report['split']} ({report['documents']} abstracts, "
             f"{report['candidate_pairs']} candidate pairs, {report['entities']} entities; "
             f"RE {report['re_ms_per_abstract']} ms/abstract)"]
    rows = [(k, report[k]) for k in ("pair", "pair_type", "cid", "cid_any_score") if k in report]
    rows += [(f"  {t}", s) for t, s in report.get("per_type", {}).items()]
    lines.append(f"{'':24} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}")
    for name, s in rows:
        lines.append(f"{name:24} {s['precision']:6.2f} {s['recall']:6.2f} {s['f1']:6.2f} "
                     f"{s['tp']:5d} {s['fp']:5d} {s['fn']:5d}")
    return "\n".join(lines)
