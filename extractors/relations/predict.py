"""Batched inference: candidate pairs of :class:`RelDoc` → typed predictions with a supporting sentence."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from extractors.relations.candidates import RelDoc, mention_sentence
from extractors.relations.encoding import Encoded, encode
from extractors.relations.labels import CID, CLASSES, NONE, base_category
from extractors.relations.model import RelationModel
from kg.schema import Category


@dataclass(frozen=True, slots=True)
class PairPrediction:
    """The model's decision on one candidate pair: a BioRED type (never ``none``) and its probability.

    ``sentence`` indexes ``RelDoc.sentences``: the sentence carrying most of the pair's context weight among
    those that mention both entities, or else among those that mention either. ``cid`` is the learned CID
    probability of a chemical–disease pair (0 without a CID output); a pair that BioRED's classes judge ``none``
    but whose ``cid`` reaches the model's ``cid_min_score`` is kept with type ``CID``. ``related`` is the
    model's probability that the pair has any BioRED relation (1 − P(none)), a feature of the calibration
    (:mod:`extractors.relations.calibration`).
    """

    head: int
    tail: int
    type: str
    score: float
    sentence: int
    cid: float = 0.0
    related: float = 0.0
    decided: bool = True  # the model's own decision (not only kept by ``floor``)


def chemical_disease(doc: RelDoc, pairs: Sequence[tuple[int, int]]) -> torch.Tensor:
    """Bool mask over ``pairs``: which are chemical–disease pairs (the pairs the CID output is read for)."""
    target = {Category.CHEMICAL, Category.DISEASE}
    return torch.tensor([{base_category(doc.entities[h].category), base_category(doc.entities[t].category)} == target
                         for h, t in pairs], dtype=torch.bool)


def decide(logits: torch.Tensor, weights: torch.Tensor, width: int, doc: RelDoc, enc: Encoded,
           none_bias: float, cid_min_score: float = 0.0, floor: float | None = None) -> list[PairPrediction]:
    """Turn one document's pair logits and context weights into predictions (pairs judged ``none`` dropped).

    With ``floor`` set, a pair judged ``none`` is kept too when its ``related`` probability or its CID probability
    reaches ``floor``: typed by its best BioRED class, or ``CID`` when that is the stronger claim — the low-floor
    candidates that the calibrated threshold of :class:`~extractors.relations.component.RelationExtractor` sorts.
    """
    biored = logits[:, : len(CLASSES)].float()
    adjusted = biored.clone()
    adjusted[:, 0] += none_bias
    probs = biored.softmax(-1)
    best = adjusted.argmax(-1).tolist()
    if logits.shape[1] > len(CLASSES):
        cid = (logits[:, len(CLASSES)].float().sigmoid() * chemical_disease(doc, doc.pairs).to(logits.device)).tolist()
    else:
        cid = [0.0] * len(best)
    related = (1 - probs[:, 0]).tolist()
    keep = [k for k, c in enumerate(best) if CLASSES[c] != NONE or (cid[k] > 0 and cid[k] >= cid_min_score)
            or (floor is not None and max(related[k], cid[k]) >= floor)]
    if not keep:
        return []
    token_sentence = torch.tensor([s for row in enc.token_sentence for s in row + [-1] * (width - len(row))],
                                  device=weights.device)
    valid = token_sentence >= 0
    index = token_sentence.clamp(min=0)
    out = []
    for k in keep:
        head, tail = doc.pairs[k]
        mass = torch.zeros(max(len(doc.sentences), 1), device=weights.device)
        mass.scatter_add_(0, index, weights[k].float() * valid)
        head_sentences, tail_sentences = _sentences(doc, head), _sentences(doc, tail)
        # a sentence that names both entities, else one that names either: never a sentence about neither
        candidates = (head_sentences & tail_sentences) or (head_sentences | tail_sentences)
        sentence = max(sorted(candidates), key=lambda s: float(mass[s])) if candidates else int(mass.argmax())
        if CLASSES[best[k]] != NONE:
            out.append(PairPrediction(head, tail, CLASSES[best[k]], float(probs[k, best[k]]), sentence, cid[k],
                                      related[k]))
        elif cid[k] > 0 and cid[k] >= cid_min_score:
            out.append(PairPrediction(head, tail, CID, cid[k], sentence, cid[k], related[k]))
        elif cid[k] > 0 and cid[k] >= related[k]:
            out.append(PairPrediction(head, tail, CID, cid[k], sentence, cid[k], related[k], decided=False))
        else:
            c = int(probs[k, 1:].argmax()) + 1
            out.append(PairPrediction(head, tail, CLASSES[c], float(probs[k, c]), sentence, cid[k], related[k],
                                      decided=False))
    return out


def _sentences(doc: RelDoc, entity: int) -> set[int]:
    return {mention_sentence(doc.sentences, span) for span in doc.entities[entity].spans}


@torch.inference_mode()
def predict(model: RelationModel, tokenizer, docs: Sequence[RelDoc], batch_size: int = 8,
            none_bias: float | None = None, floor: float | None = None) -> Iterator[list[PairPrediction]]:
    """Predictions for each document, in order (documents without candidate pairs give ``[]``; ``floor``: see
    :func:`decide`)."""
    bias = model.config.none_bias if none_bias is None else none_bias
    model.eval()
    for first in range(0, len(docs), batch_size):
        part = list(docs[first: first + batch_size])
        todo = [k for k, d in enumerate(part) if d.pairs]
        results: dict[int, list[PairPrediction]] = {}
        if todo:
            encs = [encode(part[k], tokenizer, model.config.max_length) for k in todo]
            outputs, width = model(encs, [part[k].pairs for k in todo])
            for k, enc, (logits, weights) in zip(todo, encs, outputs, strict=True):
                results[k] = decide(logits, weights, width, part[k], enc, bias, model.config.cid_min_score, floor)
        for k in range(len(part)):
            yield results.get(k, [])
