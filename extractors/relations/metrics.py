"""Scores of relation extraction: BioRED entity-pair and pair+type, BC5CDR CID (document level).

BioRED's definitions (Luo et al. 2022): a predicted relation is a true positive for *entity pair* when
the document has a gold relation between the same two identifiers (either order, any type), and for
*pair + type* when the type matches too. BC5CDR CID (Wei et al. 2016) counts unique
(PMID, chemical MeSH, disease MeSH) triples. All scores are micro-averaged over documents.
"""

from __future__ import annotations

from collections.abc import Iterable

from extractors.readers import AnnotatedDocument

Triple = tuple[str, str, str, str]  # pmid, id1, id2, type


def prf(predicted: set, gold: set) -> dict[str, float | int]:
    tp = len(predicted & gold)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(gold) if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(100 * p, 2), "recall": round(100 * r, 2), "f1": round(100 * f, 2),
            "tp": tp, "fp": len(predicted) - tp, "fn": len(gold) - tp}


def _pair(pmid: str, a: str, b: str) -> tuple[str, frozenset[str]]:
    return pmid, frozenset((a, b))


def score_biored(predicted: Iterable[Triple], gold: Iterable[Triple]) -> dict[str, dict]:
    """``{"pair": prf, "pair_type": prf, "per_type": {type: prf}}``."""
    predicted, gold = list(predicted), list(gold)
    pred_pairs = {_pair(p, a, b) for p, a, b, _ in predicted}
    gold_pairs = {_pair(p, a, b) for p, a, b, _ in gold}
    pred_typed = {(*_pair(p, a, b), t) for p, a, b, t in predicted}
    gold_typed = {(*_pair(p, a, b), t) for p, a, b, t in gold}
    types = sorted({t for *_, t in gold_typed} | {t for *_, t in pred_typed})
    return {
        "pair": prf(pred_pairs, gold_pairs),
        "pair_type": prf(pred_typed, gold_typed),
        "per_type": {t: prf({x for x in pred_typed if x[2] == t}, {x for x in gold_typed if x[2] == t})
                     for t in types},
    }


def score_cid(predicted: Iterable[tuple[str, str, str]], gold: Iterable[tuple[str, str, str]]) -> dict:
    """Document-level CID: unique (PMID, chemical, disease) triples."""
    return prf(set(predicted), set(gold))


def gold_triples(records: Iterable[AnnotatedDocument], relation_type: str | None = None) -> list[Triple]:
    """Gold relations of annotated documents (optionally of one type only)."""
    return [(r.pmid, g.id1, g.id2, g.type) for r in records for g in r.gold_relations
            if relation_type is None or g.type == relation_type]
