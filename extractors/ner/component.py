"""``NerComponent``: the shipped spaCy NER model as a pipeline component (text mentions, no identifiers)."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kg.schema import Category, Document, Mention, MentionSource

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "ner" / "medkg-ner"


def load_model(path: str | Path = DEFAULT_MODEL) -> Language:
    """Load a medkg NER pipeline from disk (offline: everything it needs is in the directory)."""
    import spacy

    path = Path(path).resolve()
    if not (path / "config.cfg").is_file():
        raise FileNotFoundError(f"no spaCy pipeline at {path}")
    with warnings.catch_warnings():
        # scispaCy's tokenizer patterns contain "[[", which Python's re flags with a FutureWarning on compile
        warnings.filterwarnings("ignore", category=FutureWarning, message="Possible set union")
        return spacy.load(path)


class NerComponent:
    """Finds chemical, disease, gene, variant, species and cell-line mentions in ``Document.text``.

    The model loads on first use (so that building a pipeline stays cheap); mentions are appended to
    ``doc.mentions`` with ``entity_id=None`` (normalization is a later component).
    """

    name = "ner"

    def __init__(self, model_path: str | Path = DEFAULT_MODEL, batch_size: int = 32) -> None:
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self._nlp: Language | None = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """Changes when the shipped model changes, so re-ingestion re-processes documents."""
        meta = self.nlp.meta
        return f"{meta.get('name', 'ner')}-{meta.get('version', '0')}"

    @property
    def nlp(self) -> Language:
        with self._lock:
            if self._nlp is None:
                self._nlp = shared_model(self.model_path)
            return self._nlp

    def mentions(self, texts: Iterable[str]) -> Iterator[list[Mention]]:
        """Mentions of each text, in order."""
        for doc in self.nlp.pipe(texts, batch_size=self.batch_size):
            yield [
                Mention(ent.start_char, ent.end_char, ent.text, Category(ent.label_), None, 1.0, MentionSource.TEXT)
                for ent in doc.ents
            ]

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc, found in zip(docs, self.mentions(d.text for d in docs), strict=True):
            # a document that carries (gold) text mentions keeps them; NER only adds spans they do not cover
            taken = [(m.start, m.end) for m in doc.mentions if m.source == MentionSource.TEXT]
            doc.mentions.extend(m for m in found if not any(s < m.end and m.start < e for s, e in taken))
        return docs


_models: dict[Path, Language] = {}
_models_lock = threading.Lock()


def shared_model(path: str | Path = DEFAULT_MODEL) -> Language:
    """:func:`load_model`, once per process and path (every pipeline built by ``default_pipeline`` shares it)."""
    path = Path(path).resolve()
    with _models_lock:
        if path not in _models:
            _models[path] = load_model(path)
        return _models[path]
