"""Scoring of the statement typer on ChemProt and DDI dev (``kg evaluate re --corpus chemprot|ddi``).

Micro P/R/F1 over the positive labels (ChemProt's statements with BioRED's unrelated chemical–gene sentences as
``none``; DDI's pairs with its ``false`` ones), the same per label and, for ChemProt, the 13-way accuracy on its own
statements and the precision and recall of the labels the pipeline uses (those at or above the typer's
confidence threshold).
"""

from __future__ import annotations

from pathlib import Path

import torch

from extractors.relations.statement_corpora import (
    CHEMPROT,
    DDI,
    DDI_NEGATIVE,
    NONE,
    Statement,
    read_biored_negatives,
    read_chemprot,
    read_ddi_file,
    read_statements,
)


def micro_f1(gold: list[str], predicted: list[str], negative: str | None = None) -> dict:
    """Micro P/R/F1 over the positive labels (every label when ``negative`` is None: then P = R = accuracy)."""
    tp = sum(g == p and g != negative for g, p in zip(gold, predicted, strict=True))
    n_pred = sum(p != negative for p in predicted)
    n_gold = sum(g != negative for g in gold)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(100 * precision, 2), "recall": round(100 * recall, 2), "f1": round(100 * f1, 2),
            "tp": tp, "predicted": n_pred, "gold": n_gold}


def per_label(gold: list[str], predicted: list[str], labels: tuple[str, ...], negative: str | None) -> dict:
    out = {}
    for label in labels:
        if label == negative:
            continue
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        n_pred, n_gold = predicted.count(label), gold.count(label)
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        out[label] = {"precision": round(100 * p, 2), "recall": round(100 * r, 2),
                      "f1": round(100 * (2 * p * r / (p + r) if p + r else 0.0), 2), "gold": n_gold}
    return out


def positives_accuracy(gold: list[str], probs: torch.Tensor) -> float:
    """13-way accuracy on ChemProt's own statements, ``none`` left out of the argmax: the number comparable with
    ChemProt results elsewhere (the corpus here has no negatives)."""
    from extractors.relations.statement_model import CHEMPROT_LABELS

    positives = [k for k, g in enumerate(gold) if g != NONE]
    if not positives:
        return 0.0
    typed = [CHEMPROT_LABELS[1 + i] for i in probs[positives, 1:].argmax(-1).tolist()]
    return round(100 * sum(t == gold[k] for t, k in zip(typed, positives, strict=True)) / len(positives), 2)


def typed_at(gold: list[str], probs: torch.Tensor, threshold: float) -> dict:
    """Precision of the statements typed (not ``none``) with confidence ≥ ``threshold``, and the recall of the gold
    (not ``none``) statements there: what the pipeline's typed predicates give."""
    from extractors.relations.statement_model import CHEMPROT_LABELS

    confidence, best = probs.max(-1)
    kept = [CHEMPROT_LABELS[b] == g for b, g, p in zip(best.tolist(), gold, confidence.tolist(), strict=True)
            if CHEMPROT_LABELS[b] != NONE and p >= threshold]
    n_gold = sum(g != NONE for g in gold)
    return {"min_confidence": threshold, "typed": len(kept),
            "precision": round(100 * sum(kept) / len(kept), 2) if kept else 0.0,
            "recall": round(100 * sum(kept) / n_gold, 2) if n_gold else 0.0}


def _statements(corpus: str, split: str, data_root: str | Path | None, file: Path | None) -> list[Statement]:
    if file is not None:
        return read_chemprot(split, path=file) if corpus == CHEMPROT else list(read_ddi_file(file))
    statements = read_statements(corpus, split, data_root)
    if corpus == CHEMPROT:
        statements += read_biored_negatives(split, data_root)
    return statements


def evaluate_statements(corpus: str, split: str = "dev", data_root: str | Path | None = None,
                        file: Path | None = None, model_path: Path | None = None) -> dict:
    """The typer's scores on ``corpus`` (ChemProt with BioRED's unrelated chemical–gene sentences of the split as
    ``none``, unless ``file`` gives the statements)."""
    from extractors.relations.statement_model import DEFAULT_TYPER_DIR, LABELS, load_typer, type_statements

    statements = _statements(corpus, split, data_root, file)
    if not statements:
        raise ValueError(f"no {corpus} statements could be read (is it the corpus in its format?): nothing to score")
    model, tokenizer = load_typer(model_path or DEFAULT_TYPER_DIR)
    probs = torch.stack(type_statements(model, tokenizer, corpus, statements))
    labels = LABELS[corpus]
    predicted = [labels[int(p.argmax())] for p in probs]
    gold = [s.label for s in statements]
    negative = DDI_NEGATIVE if corpus == DDI else NONE
    report: dict = {"corpus": corpus, "split": split if file is None else str(file), "statements": len(statements),
                    "negatives": sum(g == negative for g in gold),
                    "micro": micro_f1(gold, predicted, negative),
                    "per_label": per_label(gold, predicted, labels, negative)}
    if corpus == CHEMPROT:
        report["chemprot_accuracy"] = positives_accuracy(gold, probs)
        report["typed_in_pipeline"] = typed_at(gold, probs, model.config.min_confidence.get(CHEMPROT, 1.0))
    return report


def format_statement_report(report: dict) -> str:
    micro = report["micro"]
    lines = [f"{report['corpus']} {report['split']}: {report['statements']} statements "
             f"({report['negatives']} stating no relation)",
             f"micro  P {micro['precision']:6.2f}  R {micro['recall']:6.2f}  F1 {micro['f1']:6.2f}"]
    for label, row in report["per_label"].items():
        lines.append(f"  {label:24s} P {row['precision']:6.2f}  R {row['recall']:6.2f}  F1 {row['f1']:6.2f}"
                     f"  (gold {row['gold']})")
    if "chemprot_accuracy" in report:
        lines.append(f"ChemProt statements alone, 13-way accuracy: {report['chemprot_accuracy']}")
        typed = report["typed_in_pipeline"]
        lines.append(f"typed in the pipeline (confidence ≥ {typed['min_confidence']}): {typed['typed']} statements, "
                     f"precision {typed['precision']}, recall {typed['recall']}")
    return "\n".join(lines)
