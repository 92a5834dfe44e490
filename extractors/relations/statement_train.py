"""Training and dev scoring of the statement typer on ChemProt and DDI (``kg train statements``).

Both corpora train one encoder (its top layer(s)) with a head each; batches are of one corpus, interleaved at
random. The ChemProt head also learns ``none`` from BioRED's unrelated chemical–gene sentences of the same split
(:func:`~extractors.relations.statement_corpora.read_biored_negatives`). DDI's training part is nine tenths
``false`` pairs: ``ddi_negatives`` of them per positive are drawn (seeded) for each epoch, and the bias of the
``false`` logit that restores DDI's own balance is chosen on dev. The epoch is selected on the mean of ChemProt
dev micro-F1 (with BioRED dev's negatives) and DDI dev micro-F1; the confidence from which a ChemProt label
replaces the document-level predicate is the lowest at which the dev precision of the typed statements reaches
``target_precision``. The frozen layers' output is computed once per sentence and cached (on disk under
``cache_dir`` when given, so that a resumed run skips it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from extractors.relations.statement_corpora import (
    CHEMPROT,
    DDI,
    DDI_NEGATIVE,
    NONE,
    Statement,
    read_biored_negatives,
    read_statements,
)
from extractors.relations.statement_evaluate import micro_f1, positives_accuracy, typed_at
from extractors.relations.statement_model import (
    DEFAULT_TYPER_DIR,
    LABELS,
    EncodedStatement,
    StatementModel,
    TyperConfig,
    encode_statement,
    new_typer,
)

log = logging.getLogger(__name__)

FALSE_BIASES = tuple(x / 4 for x in range(-12, 13))


@dataclass(slots=True)
class TyperSettings:
    epochs: int = 6
    lr: float = 1e-4
    head_lr: float = 1e-3
    batch_size: int = 32
    trainable_layers: int = 1
    ddi_negatives: float = 1.5  # DDI "false" pairs drawn per positive, each epoch
    target_precision: float = 0.8  # dev precision of the typed chemical–gene statements from which a label is used
    seed: int = 0
    threads: int = 0
    max_statements: int = 0  # per corpus and split (0: all; a small number is for smoke runs)


@dataclass(slots=True)
class Cached:
    statement: Statement
    encoded: EncodedStatement
    hidden: torch.Tensor  # [length, H] float16


def cache_lower(model: StatementModel, tokenizer, statements: list[Statement], cache_dir: Path | None,
                name: str) -> list[Cached]:
    encoded = [encode_statement(s, tokenizer, model.config.max_length) for s in statements]
    key = hashlib.sha1("|".join([name, str(model.split), *(f"{s.source}:{len(e.input_ids)}" for s, e in
                                                              zip(statements, encoded, strict=True))]).encode())
    path = cache_dir / f"typer-lower-{name}-{key.hexdigest()[:16]}.pt" if cache_dir else None
    if path and path.is_file():
        stored = torch.load(path)
        return [Cached(s, e, h) for s, e, h in zip(statements, encoded, stored, strict=True)]
    hidden: list[torch.Tensor | None] = [None] * len(statements)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].input_ids))
    with torch.inference_mode():
        for first in tqdm(range(0, len(order), 64), desc=f"frozen layers ({name})", unit="batch"):
            rows = order[first: first + 64]
            states, _ = model.lower([encoded[i] for i in rows])
            for r, i in enumerate(rows):
                hidden[i] = states[r, : len(encoded[i].input_ids)].to(torch.float16).clone()
    done = [h for h in hidden if h is not None]
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(done, path)
    return [Cached(s, e, h) for s, e, h in zip(statements, encoded, done, strict=True)]


def batch_logits(model: StatementModel, corpus: str, items: list[Cached]) -> torch.Tensor:
    width = max(len(c.encoded.input_ids) for c in items)
    hidden = torch.zeros((len(items), width, items[0].hidden.shape[-1]))
    mask = torch.zeros((len(items), width), dtype=torch.bool)
    for r, c in enumerate(items):
        hidden[r, : c.hidden.shape[0]] = c.hidden.float()
        mask[r, : c.hidden.shape[0]] = True
    return model.logits(corpus, hidden, mask, [c.encoded for c in items])


@torch.inference_mode()
def dev_probabilities(model: StatementModel, corpus: str, dev: list[Cached]) -> torch.Tensor:
    model.eval()
    order = sorted(range(len(dev)), key=lambda i: len(dev[i].encoded.input_ids))
    out = torch.zeros((len(dev), len(LABELS[corpus])))
    for first in range(0, len(order), 64):
        rows = order[first: first + 64]
        out[rows] = batch_logits(model, corpus, [dev[i] for i in rows]).float()
    return out  # logits


def score_chemprot(logits: torch.Tensor, dev: list[Cached]) -> dict:
    """Micro P/R/F1 with BioRED's negatives (``none``) and the 13-way accuracy on ChemProt's own statements."""
    gold = [c.statement.label for c in dev]
    report = micro_f1(gold, [LABELS[CHEMPROT][i] for i in logits.argmax(-1).tolist()], NONE)
    report["chemprot_accuracy"] = positives_accuracy(gold, logits.softmax(-1))
    return report


def score_ddi(logits: torch.Tensor, dev: list[Cached], bias: float) -> dict:
    adjusted = logits.clone()
    adjusted[:, 0] += bias
    predicted = [LABELS[DDI][i] for i in adjusted.argmax(-1).tolist()]
    return micro_f1([c.statement.label for c in dev], predicted, DDI_NEGATIVE)


def choose_false_bias(logits: torch.Tensor, dev: list[Cached]) -> tuple[float, dict]:
    scored = [(score_ddi(logits, dev, b), b) for b in FALSE_BIASES]
    best, bias = max(scored, key=lambda item: (item[0]["f1"], -abs(item[1])))
    return bias, best


def choose_min_confidence(logits: torch.Tensor, dev: list[Cached], target: float) -> tuple[float, dict]:
    """Lowest confidence from which the typed (not ``none``) dev statements at or above it are right with precision
    ``target`` (:func:`~extractors.relations.statement_evaluate.typed_at`)."""
    gold = [c.statement.label for c in dev]
    probs = logits.softmax(-1)
    for threshold in [round(0.05 * k, 2) for k in range(0, 20)]:
        typed = typed_at(gold, probs, threshold)
        if typed["typed"] and typed["precision"] >= 100 * target:
            return threshold, typed
    return 1.0, typed_at(gold, probs, 1.0)


def train_typer(data_root: str | Path | None, out: Path = DEFAULT_TYPER_DIR, settings: TyperSettings | None = None,
                cache_dir: Path | None = None) -> dict:
    settings = settings or TyperSettings()
    if settings.threads:
        torch.set_num_threads(settings.threads)
    random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    model, tokenizer = new_typer(TyperConfig(trainable_layers=settings.trainable_layers))
    model.freeze_lower()
    data: dict[tuple[str, str], list[Cached]] = {}
    for corpus in (CHEMPROT, DDI):
        for split in ("train", "dev"):
            statements = read_statements(corpus, split, data_root)
            if settings.max_statements:
                statements = statements[: settings.max_statements]
            data[corpus, split] = cache_lower(model, tokenizer, statements, cache_dir, f"{corpus}-{split}")
            if corpus == CHEMPROT:  # ChemProt has no negatives: BioRED's unrelated chemical–gene sentences
                negatives = read_biored_negatives(split, data_root)[: settings.max_statements or None]
                data[corpus, split] += cache_lower(model, tokenizer, negatives, cache_dir, f"biored-none-{split}")
    ddi_positive = [c for c in data[DDI, "train"] if c.statement.label != DDI_NEGATIVE]
    ddi_negative = [c for c in data[DDI, "train"] if c.statement.label == DDI_NEGATIVE]
    index = {corpus: {label: i for i, label in enumerate(labels)} for corpus, labels in LABELS.items()}
    upper = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("heads.")]
    optimizer = torch.optim.AdamW([{"params": upper, "lr": settings.lr},
                                   {"params": model.heads.parameters(), "lr": settings.head_lr}], weight_decay=0.01)
    history: list[dict] = []
    best_score = -1.0
    for epoch in range(1, settings.epochs + 1):
        started = time.time()
        model.train()
        negatives = random.sample(ddi_negative, min(len(ddi_negative), int(settings.ddi_negatives * len(ddi_positive))))
        batches: list[tuple[str, list[Cached]]] = []
        for corpus, items in ((CHEMPROT, list(data[CHEMPROT, "train"])), (DDI, ddi_positive + negatives)):
            random.shuffle(items)  # then sorted by length with jitter: batches of similar lengths, little padding
            items.sort(key=lambda c: len(c.encoded.input_ids) * random.uniform(0.9, 1.1))
            batches += [(corpus, items[k: k + settings.batch_size]) for k in range(0, len(items), settings.batch_size)]
        random.shuffle(batches)
        total = 0.0
        for corpus, items in tqdm(batches, desc=f"epoch {epoch}", unit="batch"):
            logits = batch_logits(model, corpus, items)
            gold = torch.tensor([index[corpus][c.statement.label] for c in items])
            loss = torch.nn.functional.cross_entropy(logits, gold)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
        chemprot_logits = dev_probabilities(model, CHEMPROT, data[CHEMPROT, "dev"])
        ddi_logits = dev_probabilities(model, DDI, data[DDI, "dev"])
        chemprot = score_chemprot(chemprot_logits, data[CHEMPROT, "dev"])
        bias, ddi = choose_false_bias(ddi_logits, data[DDI, "dev"])
        confidence, coverage = choose_min_confidence(chemprot_logits, data[CHEMPROT, "dev"],
                                                     settings.target_precision)
        row = {"epoch": epoch, "loss": round(total / len(batches), 4), "chemprot_dev": chemprot, "ddi_dev": ddi,
               "ddi_false_bias": bias, "chemprot_min_confidence": confidence, "chemprot_confident": coverage,
               "seconds": round(time.time() - started)}
        history.append(row)
        log.info("%s", row)
        score = (chemprot["f1"] + ddi["f1"]) / 2
        if score > best_score:
            best_score = score
            model.config.ddi_false_bias = bias
            model.config.min_confidence = {CHEMPROT: confidence}
            model.config.trained = {
                "data": "ChemProt train (BLURB sentence release) with BioRED train's unrelated chemical–gene "
                        "sentences as none; DDI 2013 training part minus its dev fifth "
                        f"(by document), {settings.ddi_negatives:g} false pairs per positive drawn per epoch; "
                        "epoch, DDI false bias and ChemProt confidence chosen on the dev splits",
                "settings": asdict(settings), "best_epoch": epoch, "chemprot_dev": chemprot, "ddi_dev": ddi,
                "chemprot_confident": coverage}
            model.save(out)
        model.config.trained["history"] = history
        (out / "config.json").write_text(json.dumps(asdict(model.config), indent=2) + "\n",
                                         encoding="utf-8")
    return model.config.trained
