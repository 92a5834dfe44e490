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
    from spacy.tokens import Doc

    from extractors.analysis import TextAnalysis, TextAnalyzer

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

    The recognizers run on the tokens of the pipeline's one spaCy pass (``text``: the
    :class:`~extractors.analysis.TextAnalyzer` shared with the other components; by default the process's analyzer
    of ``model_path``, whose tokenizer is this model's), and their entities stay on its ``Doc``. The model loads on
    first use (so that building a pipeline stays cheap); mentions are appended to ``doc.mentions`` with
    ``entity_id=None`` (normalization is a later component).
    """

    name = "ner"

    def __init__(self, model_path: str | Path = DEFAULT_MODEL, batch_size: int = 32,
                 text: TextAnalyzer | None = None) -> None:
        from extractors.analysis import shared_analyzer

        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self.text = text or shared_analyzer(self.model_path)
        if self.text.model_path != self.model_path.resolve():
            raise ValueError(f"NER model {self.model_path} must tokenize its own text, but the text analyzer uses "
                             f"{self.text.model_path}")

    @property
    def version(self) -> str:
        """Changes when the shipped model changes, so re-ingestion re-processes documents."""
        meta = self.nlp.meta
        return f"{meta.get('name', 'ner')}-{meta.get('version', '0')}"

    @property
    def nlp(self) -> Language:
        return self.text.nlp

    def mentions(self, texts: Iterable[str]) -> Iterator[list[Mention]]:
        """Mentions of each text, in order."""
        for analysis in self._recognize(self.text.analyze_texts([(t, 0) for t in texts])):
            yield _mentions(analysis)

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc, analysis in zip(docs, self._recognize(self.text.analyze(docs)), strict=True):
            found = _mentions(analysis)
            # a document that carries (gold) text mentions keeps them; NER only adds spans they do not cover
            taken = [(m.start, m.end) for m in doc.mentions if m.source == MentionSource.TEXT]
            doc.mentions.extend(m for m in found if not any(s < m.end and m.start < e for s, e in taken))
        return docs

    def _recognize(self, analyses: list[TextAnalysis]) -> list[TextAnalysis]:
        """Run the model's recognizers (every pipe but the sentencizer, in order) on the analyses not yet seen."""
        todo = [a for a in analyses if self.name not in a.annotated]
        if todo:
            spacy_docs: Iterable[Doc] = (a.doc for a in todo)
            for pipe_name, pipe in self.nlp.pipeline:
                if pipe_name != "sentencizer":
                    spacy_docs = pipe.pipe(spacy_docs, batch_size=self.batch_size) if hasattr(pipe, "pipe") \
                        else map(pipe, spacy_docs)
            for analysis, _ in zip(todo, spacy_docs, strict=True):
                analysis.annotated.add(self.name)
        return analyses


def _mentions(analysis: TextAnalysis) -> list[Mention]:
    return [Mention(ent.start_char, ent.end_char, ent.text, Category(ent.label_), None, 1.0, MentionSource.TEXT)
            for ent in analysis.doc.ents]


_models: dict[Path, Language] = {}
_models_lock = threading.Lock()


def shared_model(path: str | Path = DEFAULT_MODEL) -> Language:
    """:func:`load_model`, once per process and path (every pipeline built by ``default_pipeline`` shares it)."""
    path = Path(path).resolve()
    with _models_lock:
        if path not in _models:
            _models[path] = load_model(path)
        return _models[path]
