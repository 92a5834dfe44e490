"""Training of the relation model: BioRED train for the BioRED classes, BC5CDR train for the CID output.

Checkpoint and ``none`` bias are selected on BioRED dev; the CID threshold on BC5CDR train abstracts held
out of training (the last ``len - cid_docs``), and the epoch on the mean of the two F1 scores. BC5CDR dev
stays unseen, so ``kg evaluate cid --split dev`` is not optimistic by selection.

The frozen part of the encoder (embeddings, markers, lower layers) is run once per abstract and its
output cached (in memory, and on disk under ``cache_dir`` when given, so that a second run skips it);
each epoch then costs only the top layer(s) and the head, which is what makes training feasible on two
CPU cores. Seeded: the same data, settings and library versions give the same weights.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from extractors.relations import corpora
from extractors.relations.candidates import RelDoc
from extractors.relations.encoding import Encoded, encode
from extractors.relations.labels import CID, CLASSES
from extractors.relations.metrics import gold_triples, score_biored, score_cid
from extractors.relations.model import DEFAULT_MODEL_DIR, ModelConfig, RelationModel, new_model
from extractors.relations.predict import chemical_disease

log = logging.getLogger(__name__)

NONE_BIASES = tuple(x / 2 for x in range(-6, 9))  # candidates for ModelConfig.none_bias
CID_THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(2, 19))  # candidates for ModelConfig.cid_min_score


@dataclass(slots=True)
class TrainSettings:
    epochs: int = 20
    lr: float = 1e-4  # fine-tuned encoder layers
    head_lr: float = 1e-3  # entity query + classifier
    batch_docs: int = 4  # abstracts per optimizer step
    layers: int = 4
    trainable_layers: int = 0
    pair_features: bool = True
    seed: int = 0
    max_train_docs: int = 0  # 0: all (a smaller number is for smoke runs)
    threads: int = 1  # torch threads (0: torch's default); small ops on a busy machine run best on one
    cid_docs: int = 400  # BC5CDR train abstracts that train the CID output (the rest choose its threshold);
    # 0: BioRED only, no CID output
    init: str = ""  # a trained model directory to start from (its head; a CID output it lacks starts fresh)


@dataclass(slots=True)
class Cached:
    """One abstract ready for the trainable part: its frozen-layer output and encoding."""

    doc: RelDoc
    enc: Encoded
    hidden: torch.Tensor  # [chunks, width, H], float16
    mask: torch.Tensor  # [chunks, width], bool


def cache_lower(model: RelationModel, tokenizer, docs: list[RelDoc], cache_dir: Path | None,
                name: str) -> list[Cached]:
    """Encode ``docs`` and run the frozen layers once (read from / written to ``cache_dir`` when given)."""
    encs = [encode(d, tokenizer, model.config.max_length) for d in docs]
    key = hashlib.sha1("|".join(
        [name, str(model.split), *(f"{d.pmid}:{len(e.input_ids)}:{sum(map(len, e.input_ids))}"
                                    for d, e in zip(docs, encs, strict=True))]).encode()).hexdigest()[:16]
    path = cache_dir / f"re-lower-{name}-{key}.pt" if cache_dir else None
    if path and path.is_file():
        stored = torch.load(path)
        return [Cached(d, e, h, m) for d, e, (h, m) in zip(docs, encs, stored, strict=True)]
    out = []
    with torch.inference_mode():
        for doc, enc in tqdm(list(zip(docs, encs, strict=True)), desc=f"frozen layers ({name})", unit="doc"):
            hidden, mask, _ = model.lower([enc])
            out.append(Cached(doc, enc, hidden.to(torch.float16), mask))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save([(c.hidden, c.mask) for c in out], path)
    return out


def doc_logits(model: RelationModel, item: Cached) -> tuple[torch.Tensor, torch.Tensor]:
    hidden = model.upper(item.hidden.float(), item.mask)
    out = model.heads(hidden, item.mask, item.hidden.shape[1], [item.enc], [item.doc.pairs])[0]
    assert out is not None
    return out


def dev_scores(model: RelationModel, dev: list[Cached], gold: list) -> tuple[float, dict]:
    """Best ``none`` bias on dev and the BioRED scores with it (argmax decisions, no evidence needed)."""
    model.eval()
    logits = []
    with torch.inference_mode():
        for item in dev:
            logits.append(doc_logits(model, item)[0] if item.doc.pairs else None)
    best: tuple[float, float, dict] = (-1.0, 0.0, {})
    for bias in NONE_BIASES:
        predicted = []
        for item, doc_logit in zip(dev, logits, strict=True):
            if doc_logit is None:
                continue
            adjusted = doc_logit[:, : len(CLASSES)].clone()
            adjusted[:, 0] += bias
            for (h, t), c in zip(item.doc.pairs, adjusted.argmax(-1).tolist(), strict=True):
                if c:
                    predicted.append((item.doc.pmid, item.doc.entities[h].id, item.doc.entities[t].id, CLASSES[c]))
        scores = score_biored(predicted, gold)
        f1 = scores["pair_type"]["f1"]
        if f1 > best[0]:
            best = (f1, bias, scores)
    return best[1], best[2]


def warm_start(model: RelationModel, directory: Path) -> None:
    """Load the trained weights of ``directory`` into ``model``; output rows it lacks keep their initial values."""
    from safetensors.torch import load_file

    from extractors.relations.model import WEIGHTS

    saved = load_file(str(directory / WEIGHTS))
    own = model.trained_state()
    if set(saved) != set(own):
        raise ValueError(f"{directory} does not fit the model being trained (other layers or features)")
    with torch.no_grad():
        for name, value in saved.items():
            target = own[name]
            rows = min(value.shape[0], target.shape[0])
            if value.shape[1:] != target.shape[1:]:
                raise ValueError(f"{directory}: {name} has shape {tuple(value.shape)}, not {tuple(target.shape)}")
            target[:rows].copy_(value[:rows].float())


def cid_scores(model: RelationModel, held: list[Cached], gold: set) -> tuple[float, dict]:
    """Best CID threshold on held-out BC5CDR abstracts and the CID P/R/F1 with it."""
    model.eval()
    scored = []  # (probability, triple) of every chemical–disease pair
    with torch.inference_mode():
        for item in held:
            if not item.doc.pairs:
                continue
            probs = doc_logits(model, item)[0][:, len(CLASSES)].float().sigmoid().tolist()
            mask = chemical_disease(item.doc, item.doc.pairs).tolist()
            scored += [(p, (item.doc.pmid, item.doc.entities[h].id, item.doc.entities[t].id))
                       for (h, t), p, m in zip(item.doc.pairs, probs, mask, strict=True) if m]
    best: tuple[float, float, dict] = (-1.0, 0.5, {})
    for threshold in CID_THRESHOLDS:
        scores = score_cid({triple for p, triple in scored if p >= threshold}, gold)
        if scores["f1"] > best[0]:
            best = (scores["f1"], threshold, scores)
    return best[1], best[2]


def item_loss(logits: torch.Tensor, item: Cached) -> torch.Tensor | None:
    """Cross-entropy over the BioRED classes (BioRED abstracts) or binary CID loss (BC5CDR's chemical–disease pairs)."""
    pairs = item.doc.pairs
    if item.doc.task == "cid":
        mask = chemical_disease(item.doc, pairs)
        if not mask.any():
            return None
        labels = torch.tensor([float(pair in item.doc.cid) for pair in pairs])
        return torch.nn.functional.binary_cross_entropy_with_logits(logits[mask, len(CLASSES)], labels[mask])
    labels = torch.tensor([item.doc.labels.get(pair, 0) for pair in pairs])
    return torch.nn.functional.cross_entropy(logits[:, : len(CLASSES)], labels)


def train_re(data_root: str | Path | None, out: Path = DEFAULT_MODEL_DIR, settings: TrainSettings | None = None,
             cache_dir: Path | None = None) -> dict:
    """Train on BioRED (+ BC5CDR) train, select as the module says, write the model to ``out``; returns a report."""
    settings = settings or TrainSettings()
    if settings.threads:
        torch.set_num_threads(settings.threads)
    random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    started = time.time()
    train_docs, _ = corpora.load("biored", "train", data_root)
    dev_docs, dev_records = corpora.load("biored", "dev", data_root)
    if settings.max_train_docs:
        train_docs = train_docs[: settings.max_train_docs]
    model, tokenizer = new_model(ModelConfig(layers=settings.layers, trainable_layers=settings.trainable_layers,
                                             pair_features=settings.pair_features, cid_output=settings.cid_docs > 0))
    model.freeze_lower()
    if settings.init:
        warm_start(model, Path(settings.init))
    train = [c for c in cache_lower(model, tokenizer, train_docs, cache_dir, "biored-train") if c.doc.pairs]
    dev = cache_lower(model, tokenizer, dev_docs, cache_dir, "biored-dev")
    gold = gold_triples(dev_records)
    held: list[Cached] = []
    cid_gold: set = set()
    if settings.cid_docs:
        cid_docs, cid_records = corpora.load("bc5cdr", "train", data_root)
        cached = cache_lower(model, tokenizer, cid_docs, cache_dir, "bc5cdr-train")
        train += [c for c in cached[: settings.cid_docs] if c.doc.pairs]
        held = cached[settings.cid_docs:]
        cid_gold = {(p, a, b) for p, a, b, _ in gold_triples(cid_records[settings.cid_docs:], CID)}
        if not held:
            raise ValueError(f"cid_docs={settings.cid_docs} leaves no BC5CDR train abstract to choose the threshold")

    upper = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("encoder.")]
    head = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("encoder.")]
    groups = [{"params": upper, "lr": settings.lr}] if upper else []
    optimizer = torch.optim.AdamW([*groups, {"params": head, "lr": settings.head_lr}], weight_decay=0.01)
    steps = settings.epochs * -(-len(train) // settings.batch_docs)
    warmup = max(1, steps // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    history = []
    best: dict = {"f1": -1.0}
    for epoch in range(1, settings.epochs + 1):
        model.train()
        order = list(range(len(train)))
        random.shuffle(order)
        total = 0.0
        bar = tqdm(order, desc=f"epoch {epoch}/{settings.epochs}", unit="doc")
        for k, index in enumerate(bar, start=1):
            item = train[index]
            logits, _ = doc_logits(model, item)
            loss = item_loss(logits, item)
            if loss is not None:
                (loss / settings.batch_docs).backward()
                total += float(loss.detach())
            if k % settings.batch_docs == 0 or k == len(order):
                torch.nn.utils.clip_grad_norm_([*upper, *head], 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            bar.set_postfix(loss=f"{total / k:.4f}")
        bias, scores = dev_scores(model, dev, gold)
        record = {"epoch": epoch, "loss": round(total / len(order), 4), "none_bias": bias,
                  "dev_pair_f1": scores["pair"]["f1"], "dev_pair_type_f1": scores["pair_type"]["f1"]}
        selection = scores["pair_type"]["f1"]
        threshold, cid = 0.0, {}
        if held:
            threshold, cid = cid_scores(model, held, cid_gold)
            record |= {"cid_min_score": threshold, "held_out_cid_f1": cid["f1"]}
            selection = (selection + cid["f1"]) / 2
        history.append(record)
        log.info("%s", record)
        if selection > best["f1"]:
            best = {"f1": selection, "epoch": epoch, "bias": bias, "scores": scores, "threshold": threshold,
                    "cid": cid, "state": copy.deepcopy(model.trained_state())}
    model.load_state_dict(best["state"], strict=False)
    model.config.none_bias = best["bias"]
    if held:
        model.config.cid_min_score = best["threshold"]
    data = "BioRED train (400 abstracts); none bias selected on BioRED dev"
    if held:
        data += (f"; CID output on BC5CDR train abstracts 1-{settings.cid_docs}, its threshold chosen on the other "
                 f"{len(held)}; epoch selected on the mean of BioRED dev pair+type F1 and held-out CID F1")
    model.config.trained = {
        "data": data, "settings": asdict(settings),
        "best_epoch": best["epoch"], "dev_pair_f1": best["scores"]["pair"]["f1"],
        "dev_pair_type_f1": best["scores"]["pair_type"]["f1"], "held_out_cid": best["cid"], "history": history,
    }
    model.save(out)
    size = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    return {"model": str(out), "size_bytes": size, "seconds": round(time.time() - started),
            "best_epoch": best["epoch"], "none_bias": best["bias"], "dev": best["scores"],
            "cid_min_score": best["threshold"], "held_out_cid": best["cid"], "history": history}
