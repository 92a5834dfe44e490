"""One spaCy pass per abstract: the tokens, sentences and abbreviations that every component reads.

NER, normalization and relation extraction all need the same segmentation of ``Document.text``; each used to make
its own (the NER model's sentences, a blank English pipeline for abbreviations, a regex splitter for evidence
sentences). A :class:`TextAnalyzer` makes one :class:`TextAnalysis` per text instead and publishes it — as scispaCy's
components publish theirs on the spaCy ``Doc`` — for the components that ask for the same documents: NER runs its
recognizers on the analysis's ``Doc`` (:mod:`extractors.ner.component`), normalization reads its abbreviations, the
relation extractor its sentences and tokens (evidence sentences, negation scope).

The pass is the shipped NER model's scispaCy tokenizer and spaCy's rule-based sentencizer, with a few rules of ours:
the title is a sentence of its own, a "sentence" that starts with a lowercase word or after a comma continues the
previous one, a section label starts one (:func:`_mend_boundaries`). The tokenizer's exceptions keep "e.g.", "vs.",
"Fig." and "et al." inside their sentence, where a regex on ``.`` + capital could not.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.schema import Document

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

Span = tuple[int, int]

SEGMENTATION_VERSION = "1"
"""Changes with the sentence rules above (the model's version covers its tokenizer and sentencizer)."""


@dataclass(slots=True, eq=False)
class TextAnalysis:
    """What the one pass found in one text: its spaCy ``Doc`` (tokens), sentences and abbreviations.

    ``sentences`` are character spans of the text, without surrounding whitespace. ``abbreviations`` (short form →
    long form, scispaCy's detector on the same tokens) is worked out on first use: only normalization needs it,
    and only for documents with a parenthesis. ``annotated`` names the components that have set annotations on
    ``doc`` (``"ner"``: its entities), so that none runs twice on one analysis.
    """

    doc: Doc
    title_end: int
    sentences: list[Span]
    _detect: Callable[[Doc], dict[str, str]] = field(repr=False)
    annotated: set[str] = field(default_factory=set)
    _abbreviations: dict[str, str] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return self.doc.text

    @property
    def abbreviations(self) -> dict[str, str]:
        if self._abbreviations is None:
            self._abbreviations = self._detect(self.doc)
        return self._abbreviations


def title_end(doc: Document) -> int:
    """Where the title ends in ``doc.text`` when an abstract follows it (0: the text is one part)."""
    return len(doc.title) if doc.abstract and doc.title else 0


class TextAnalyzer:
    """Makes and publishes the :class:`TextAnalysis` of documents (see the module docstring).

    The analyses of the latest request are kept, so that the components of one pipeline run, which ask for the same
    documents one after the other, share one pass; an analysis is looked up by text and title length, so it can
    never belong to another text. Thread-safe.
    """

    name = "text"

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 64) -> None:
        from extractors.ner.component import DEFAULT_MODEL

        self.model_path = Path(model_path or DEFAULT_MODEL).resolve()
        self.batch_size = batch_size
        self._published: dict[tuple[str, int], TextAnalysis] = {}
        self._detect: Callable[[Doc], dict[str, str]] | None = None
        self._lock = threading.Lock()

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline whose tokenizer and sentencizer make the pass (the NER model, loaded once)."""
        from extractors.ner.component import shared_model

        return shared_model(self.model_path)

    @property
    def version(self) -> str:
        """The model's name and version (read from its ``meta.json``, without loading it) and our rules'."""
        meta = json.loads((self.model_path / "meta.json").read_text(encoding="utf-8"))
        return f"{meta.get('name', 'text')}-{meta.get('version', '0')}.s{SEGMENTATION_VERSION}"

    def analyze(self, docs: Sequence[Document]) -> list[TextAnalysis]:
        """The analysis of each document, in order: published ones reused, the others made in one batch."""
        return self.analyze_texts([(d.text, title_end(d)) for d in docs])

    def analyze_texts(self, texts: Sequence[tuple[str, int]]) -> list[TextAnalysis]:
        """:meth:`analyze` for ``(text, title_end)`` pairs."""
        with self._lock:
            found = {key: self._published[key] for key in texts if key in self._published}
            missing = list(dict.fromkeys(key for key in texts if key not in found))
            if missing:
                for key, analysis in zip(missing, self._make(missing), strict=True):
                    found[key] = analysis
            self._published = found
            return [found[key] for key in texts]

    def _make(self, texts: list[tuple[str, int]]) -> list[TextAnalysis]:
        nlp = self.nlp
        sentencizer = nlp.get_pipe("sentencizer")
        if self._detect is None:
            from extractors.normalize.abbreviations import detector

            self._detect = detector(nlp)
        detect = self._detect
        out = []
        for (_, end), doc in zip(texts, nlp.tokenizer.pipe((t for t, _ in texts), batch_size=self.batch_size),
                                    strict=True):
            _start_sentence_at(doc, end)
            doc = sentencizer(doc)
            _mend_boundaries(doc, end)
            out.append(TextAnalysis(doc, end, _sentence_spans(doc), detect))
        return out


def _start_sentence_at(doc: Doc, char: int) -> None:
    """The first token at or after ``char`` (the abstract's start) begins a sentence."""
    if char <= 0:
        return
    for token in doc:
        if token.idx >= char:
            if token.i > 0:
                token.is_sent_start = True
            return


def _mend_boundaries(doc: Doc, title_end: int) -> None:
    """Rules over the sentencizer's boundaries (the title's end is kept):

    - no sentence starts with an all-lowercase word ("20 mg/kg i.p.) followed by", "s.c.) approximately doubled",
      whose "i.p" + "." the tokenizer splits) or right after ",", ";" or ":" (the initials of an author list,
      "Cole, M. A., Abd Jamil, A. H."); gene and chemical names such as "p53", "mRNA", "miR-501" are not all-lowercase
      words and keep their start;
    - a section label ("RESULTS:") after a word ending in "." starts one ("... the assay of Blonquist et al.
      RESULTS: In most ...", where "al." is an abbreviation for the tokenizer).
    """
    for token in doc[1:]:
        before = doc[token.i - 1]
        abstract_start = title_end > 0 and before.idx < title_end <= token.idx
        if token.is_sent_start:
            if not abstract_start and ((token.is_alpha and token.is_lower) or before.text in {",", ";", ":"}):
                token.is_sent_start = False
        elif (before.text.endswith(".") and token.is_upper and len(token) >= 4 and token.i + 1 < len(doc)
              and doc[token.i + 1].text == ":"):
            token.is_sent_start = True


def _sentence_spans(doc: Doc) -> list[Span]:
    spans = []
    for sentence in doc.sents:
        text = sentence.text
        start = sentence.start_char + len(text) - len(text.lstrip())
        end = sentence.end_char - (len(text) - len(text.rstrip()))
        if end > start:
            spans.append((start, end))
    return spans


_analyzers: dict[Path, TextAnalyzer] = {}
_analyzers_lock = threading.Lock()


def shared_analyzer(model_path: str | Path | None = None) -> TextAnalyzer:
    """One analyzer per process and model, so that components built apart (``NerComponent()``, ``Normalizer()``)
    still share one pass over the documents they are given."""
    from extractors.ner.component import DEFAULT_MODEL

    path = Path(model_path or DEFAULT_MODEL).resolve()
    with _analyzers_lock:
        if path not in _analyzers:
            _analyzers[path] = TextAnalyzer(path)
        return _analyzers[path]
