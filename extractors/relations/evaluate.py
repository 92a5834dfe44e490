"""``kg evaluate re`` / ``kg evaluate cid``: relation extraction scored on BioRED and BC5CDR.

``entities="gold"`` classifies the pairs of the corpus's own normalized mentions (relation extraction
alone); ``entities="predicted"`` runs NER and normalization first (end to end), which needs the
normalization component (:mod:`extractors.normalize`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from extractors.readers import AnnotatedDocument
from extractors.relations import corpora
from extractors.relations.calibration import features, reliability
from extractors.relations.candidates import RelDoc, from_document
from extractors.relations.component import RelationExtractor
from extractors.relations.labels import CID, base_category, biolink_predicate
from extractors.relations.metrics import gold_triples, prf, score_biored, score_cid
from extractors.relations.predict import PairPrediction
from extractors.relations.specific import more_general
from kg.schema import Category, Document, Predicate


def end_to_end_docs(records: list[AnnotatedDocument]) -> list[RelDoc]:
    """NER + normalization on the plain text of each record (its gold annotations are not used); each entity
    keeps its normalization confidence (:attr:`~extractors.relations.candidates.EntityMentions.confidence`)."""
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


@dataclass(slots=True)
class Run:
    """One corpus run: documents, gold records, every low-floor candidate edge (:func:`candidate_rows`), timings."""

    corpus: str
    split: str
    entities: str
    docs: list[RelDoc]
    records: list[AnnotatedDocument]
    predictions: list[list[PairPrediction]]
    rows: list[dict]
    entity_seconds: float
    re_seconds: float


def collect(corpus: str, split: str = "dev", data_root=None, file=None, entities: str = "gold", model_path=None,
            quantize: bool = False, progress: bool = False, documents: slice | None = None,
            extractor: RelationExtractor | None = None) -> Run:
    """Run relation extraction on a corpus split (``documents``: a slice of its abstracts) and label each
    candidate edge with whether it is right by the corpus's document-level definition."""
    if entities not in ("gold", "predicted"):
        raise ValueError(f"entities must be gold or predicted, not {entities!r}")
    docs, records = corpora.load(corpus, split, data_root, file)
    if documents is not None:
        docs, records = docs[documents], records[documents]
    extractor = extractor or RelationExtractor(model_path, quantize=quantize)
    extractor.model  # noqa: B018  (load before timing)
    started = time.perf_counter()
    if entities == "predicted":
        docs = end_to_end_docs(records)
    entity_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predictions = extractor.predict(docs, progress)
    re_seconds = time.perf_counter() - started
    rows = candidate_rows(corpus, docs, records, predictions, extractor)
    return Run(corpus, split, entities, docs, records, predictions, rows, entity_seconds, re_seconds)


def candidate_rows(corpus: str, docs: list[RelDoc], records: list[AnnotatedDocument],
                   predictions: list[list[PairPrediction]], extractor: RelationExtractor) -> list[dict]:
    """One row per low-floor candidate edge: identifiers, type, predicate, family, the model's scores, the
    calibration features, ``decided`` (the model's own decision, what was emitted before calibration),
    ``probability`` (calibrated, by ``extractor``'s calibration) and ``right``: for BioRED, the pair is a gold pair
    (any type); for BC5CDR, a ``causes`` chemical → disease edge that is a gold CID (``None``: other edges,
    which BC5CDR does not annotate)."""
    gold_pairs = {(p, frozenset((a, b))) for p, a, b, _ in gold_triples(records)}
    gold_cid = {(p, a, b) for p, a, b, _ in gold_triples(records, CID)}
    rows = []
    for d, preds in zip(docs, predictions, strict=True):
        for p in preds:
            head, tail = d.entities[p.head], d.entities[p.tail]
            fam, probability = extractor.calibration.probability(p, d)
            predicate = biolink_predicate(p.type, head.category, tail.category)
            if corpus == "biored":
                right = (d.pmid, frozenset((head.id, tail.id))) in gold_pairs
            elif fam == "cid" and predicate == Predicate.CAUSES:
                right = (d.pmid, head.id, tail.id) in gold_cid
            else:
                right = None
            rows.append({
                "pmid": d.pmid, "head": head.id, "tail": tail.id, "head_category": str(head.category),
                "tail_category": str(tail.category), "type": p.type, "predicate": str(predicate), "family": fam,
                "score": p.score, "related": p.related, "cid": p.cid, "head_confidence": head.confidence,
                "tail_confidence": tail.confidence, "x": features(p, d), "decided": p.decided,
                "probability": probability, "right": right,
            })
    return rows


def emitted(rows: list[dict], thresholds: dict[str, float] | float, most_specific: bool = True) -> list[dict]:
    """Rows whose calibrated probability reaches the threshold of their family (or one threshold for all), less,
    with ``most_specific``, a chemical's ``causes`` edges to diseases more general than another of them in the
    same abstract (as :class:`RelationExtractor` emits them)."""
    if isinstance(thresholds, dict):
        chosen = [r for r in rows if r["probability"] >= thresholds[r["family"]]]
    else:
        chosen = [r for r in rows if r["probability"] >= thresholds]
    if not most_specific:
        return chosen
    general: set[int] = set()
    by_pmid: dict[str, list[int]] = {}
    for k, r in enumerate(chosen):
        if r["family"] == "cid":
            by_pmid.setdefault(r["pmid"], []).append(k)
    for indices in by_pmid.values():
        pairs = [(chosen[k]["tail"], chosen[k]["head"]) if chosen[k]["head_category"] == str(Category.DISEASE)
                 else (chosen[k]["head"], chosen[k]["tail"]) for k in indices]
        general.update(indices[j] for j in more_general(pairs))
    return [r for k, r in enumerate(chosen) if k not in general]


def _cid_rows(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["predicate"] == str(Predicate.CAUSES) and r["family"] == "cid"]


def pair_sets(corpus: str, rows: list[dict]) -> set:
    """What the edges of ``rows`` claim, as the corpus scores it: BioRED entity pairs, BC5CDR CID triples."""
    if corpus == "biored":
        return {(r["pmid"], frozenset((r["head"], r["tail"]))) for r in rows}
    return {(r["pmid"], r["head"], r["tail"]) for r in _cid_rows(rows)}


def gold_set(corpus: str, records: list[AnnotatedDocument]) -> set:
    if corpus == "biored":
        return {(p, frozenset((a, b))) for p, a, b, _ in gold_triples(records)}
    return {(p, a, b) for p, a, b, _ in gold_triples(records, CID)}


THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def score_rows(corpus: str, rows: list[dict], gold: set, chosen: list[dict], key: str = "probability") -> dict:
    """End-to-end report of one scoring of candidate edges: P/R/F1 of ``chosen`` (the emitted edges), their
    reliability table and ECE (``key``: the score read), and P/R/F1 of every candidate at score thresholds."""
    scored = [r for r in (chosen if corpus == "biored" else _cid_rows(chosen)) if r["right"] is not None]
    table = reliability([(min(max(r[key], 0.0), 1.0), bool(r["right"])) for r in scored])
    at = {}
    pool = rows if corpus == "biored" else _cid_rows(rows)
    for t in THRESHOLDS:
        at[f"{t:.1f}"] = prf(pair_sets(corpus, [r for r in pool if r[key] >= t]), gold)
    return {"pair" if corpus == "biored" else "cid": prf(pair_sets(corpus, chosen), gold),
            "reliability": table, "ece": table["ece"], "at_threshold": at}


def _report(run: Run, extractor: RelationExtractor, scores: dict, file) -> dict:
    n = max(len(run.docs), 1)
    gold = gold_set(run.corpus, run.records)
    thresholds = {f: extractor.threshold(f) for f in extractor.calibration.thresholds}
    calibrated = score_rows(run.corpus, run.rows, gold, emitted(run.rows, thresholds, extractor.most_specific))
    before = score_rows(run.corpus, [r for r in run.rows if r["decided"]], gold,
                        [r for r in run.rows if r["decided"]], key="score")
    return {
        "corpus": run.corpus, "split": run.split, "file": str(file) if file else None, "entities": run.entities,
        "documents": len(run.docs), "candidate_pairs": sum(len(d.pairs) for d in run.docs),
        "candidate_edges": len(run.rows),
        "re_ms_per_abstract": round(1000 * run.re_seconds / n, 1),
        "entities_ms_per_abstract": round(1000 * run.entity_seconds / n, 1) if run.entities == "predicted" else None,
        "thresholds": thresholds, "end_to_end": calibrated, "uncalibrated": before,
        **scores,
    }


def evaluate_biored(split: str = "dev", data_root: str | Path | None = None, file: str | Path | None = None,
                    entities: str = "gold", model_path: str | Path | None = None, quantize: bool = False,
                    progress: bool = False, min_score: float | None = None) -> dict:
    """BioRED entity-pair and pair+type P/R/F1 (see :mod:`extractors.relations.metrics`) of the edges that the
    relation component emits at its thresholds (calibrated; ``min_score`` replaces the defaults), their
    reliability table and ECE, P/R/F1 at score thresholds, and the same of the model's uncalibrated decisions."""
    extractor = RelationExtractor(model_path, quantize=quantize, min_score=min_score)
    run = collect("biored", split, data_root, file, entities, progress=progress, extractor=extractor)
    chosen = emitted(run.rows, {f: extractor.threshold(f) for f in extractor.calibration.thresholds},
                     extractor.most_specific)
    predicted = [(r["pmid"], r["head"], r["tail"], r["type"]) for r in chosen if r["type"] != CID]
    scores = score_biored(predicted, gold_triples(run.records))
    scores["pair"] = prf(pair_sets("biored", chosen), gold_set("biored", run.records))
    return _report(run, extractor, scores, file)


def evaluate_cid(split: str = "dev", data_root: str | Path | None = None, file: str | Path | None = None,
                 entities: str = "gold", model_path: str | Path | None = None, quantize: bool = False,
                 progress: bool = False, min_score: float | None = None) -> dict:
    """BC5CDR chemical-induced-disease, document level: (PMID, chemical, disease) P/R/F1 of the ``causes``
    chemical → disease edges that the relation component emits (calibrated thresholds; ``min_score`` replaces
    them), with reliability, ECE and P/R/F1 at thresholds. ``cid_learned_output`` is the older reading: the
    model's CID output ≥ ``cid_min_score`` (or, for a model without one, chemical–disease Positive_Correlation).
    """
    extractor = RelationExtractor(model_path, quantize=quantize, min_score=min_score)
    run = collect("bc5cdr", split, data_root, file, entities, progress=progress, extractor=extractor)
    config = extractor.config
    gold = gold_set("bc5cdr", run.records)
    thresholds = {f: extractor.threshold(f) for f in extractor.calibration.thresholds}
    scores = {"cid": prf(pair_sets("bc5cdr", emitted(run.rows, thresholds, extractor.most_specific)), gold),
              "cid_learned_output": score_cid(cid_triples(run.docs, run.predictions, config.cid_min_score,
                                                          config.cid_output), gold),
              "cid_min_score": config.cid_min_score, "cid_learned": config.cid_output}
    return _report(run, extractor, scores, file)


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
             f"{report['candidate_pairs']} candidate pairs, {report['candidate_edges']} low-floor candidate edges, "
             f"{report['entities']} entities; RE {report['re_ms_per_abstract']} ms/abstract)",
             "emitted at thresholds " + ", ".join(f"{f} {t:.2f}" for f, t in report["thresholds"].items())
             + " (calibrated probability)"]
    rows = [(k, report[k]) for k in ("pair", "pair_type", "cid", "cid_learned_output") if k in report]
    rows += [(f"  {t}", s) for t, s in report.get("per_type", {}).items()]
    before = report["uncalibrated"]
    rows.append(("uncalibrated (model's", before["pair" if "pair" in before else "cid"]))
    lines.append(f"{'':24} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}")
    for name, s in rows:
        lines.append(f"{name:24} {s['precision']:6.2f} {s['recall']:6.2f} {s['f1']:6.2f} "
                     f"{s['tp']:5d} {s['fp']:5d} {s['fn']:5d}")
    lines[-1] += "  own decisions)"
    for title, block in (("calibrated", report["end_to_end"]), ("uncalibrated", before)):
        lines.append(f"reliability, {title} scores of the emitted edges (ECE {block['ece']:.4f}):")
        lines.append(f"  {'bin':9} {'count':>6} {'mean':>7} {'precision':>9}")
        for b in block["reliability"]["bins"]:
            if b["count"]:
                lines.append(f"  {b['bin']:9} {b['count']:6d} {b['mean_score']:7.3f} {b['precision']:9.3f}")
        lines.append(f"  every candidate at score ≥ t, {title}: " + "; ".join(
            f"{t} P {s['precision']:.1f} R {s['recall']:.1f}" for t, s in block["at_threshold"].items()))
    return "\n".join(lines)
