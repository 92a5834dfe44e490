"""``RelationExtractor``: the shipped relation model as a pipeline component.

It reads the normalized text mentions of each document (``entity_id`` set, ``source: text``), classifies
every type-compatible entity pair of the abstract and appends a :class:`~kg.schema.Relation` per
predicted pair, with one :class:`~kg.schema.Evidence`: the supporting sentence, the *calibrated* probability
that the edge is right (:mod:`extractors.relations.calibration`: the model's probabilities and the endpoints'
normalization confidence), and negation/speculation flags (:mod:`extractors.relations.negation`). Sentences, tokens
and scopes come from the pipeline's one spaCy pass (:mod:`extractors.analysis`). Predicates follow
:func:`extractors.relations.labels.biolink_predicate`.

Precision first: by default an edge is emitted when its calibrated probability reaches its family's default
threshold (``models/re/calibration.json``, chosen on dev for end-to-end precision); ``min_score`` replaces
those thresholds by one of the caller's (``min_score=0`` gives every low-floor candidate, for recall). Of a
chemical's ``causes`` edges, one to a disease that MeSH places above another is not emitted
(:mod:`extractors.relations.specific`; ``most_specific=False`` keeps it).
"""

from __future__ import annotations

import hashlib
import threading
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.relations.calibration import DEFAULT_CALIBRATION, Calibration
from extractors.relations.candidates import RelDoc, from_document
from extractors.relations.labels import base_category, biolink_predicate
from extractors.relations.negation import StatementCues
from extractors.relations.predict import PairPrediction
from extractors.relations.specific import more_general
from extractors.relations.statement_typer import StatementTyper
from kg.schema import Category, Document, Evidence, Relation

if TYPE_CHECKING:
    from extractors.analysis import TextAnalysis, TextAnalyzer

EXTRACTOR = "medkg-re"


class RelationExtractor:
    """Typed, evidenced relations between the normalized entities of each abstract.

    The model loads on first use; ``quantize`` applies dynamic int8 quantization to its linear layers
    (CPU only). ``min_score`` (calibrated probability) replaces the per-family default thresholds of the
    calibration; ``None`` keeps them. ``calibration``: a :class:`Calibration` or its file (default: the shipped
    ``models/re/calibration.json``). ``text``: the analyzer of the pipeline's one pass (the process's shared one
    by default). ``most_specific``: drop a chemical's ``causes`` edge to a disease more general than another of its
    emitted ones.
    """

    name = "relations"

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 8, quantize: bool = False,
                 min_score: float | None = None, calibration: Calibration | str | Path | None = None,
                 text: TextAnalyzer | None = None, statement_typer: str | Path | None = None,
                 typed: bool = True, most_specific: bool = True) -> None:
        from extractors.relations.model import DEFAULT_MODEL_DIR
        from extractors.relations.statement_model import DEFAULT_TYPER_DIR

        self.model_path = Path(model_path) if model_path else DEFAULT_MODEL_DIR
        self.typer = StatementTyper(Path(statement_typer) if statement_typer else DEFAULT_TYPER_DIR) if typed else None
        self.batch_size = batch_size
        self.quantize = quantize
        self.min_score = min_score
        self.most_specific = most_specific
        if not isinstance(calibration, Calibration):
            calibration = Calibration.load(calibration or DEFAULT_CALIBRATION)
        self.calibration = calibration
        self._text = text
        self._loaded: tuple | None = None
        self._lock = threading.Lock()

    @cached_property
    def version(self) -> str:
        """Changes when the shipped weights, the calibration, the thresholds or the negation and speculation terms
        change, so that re-ingestion re-processes documents (the weights are hashed once per process)."""
        from extractors.relations.model import WEIGHTS
        from extractors.relations.negation import RULES_VERSION, negation_terms, speculation_terms

        digest = hashlib.sha256(_file_digest(self.model_path / WEIGHTS).encode())
        digest.update(repr((sorted((f, m.as_dict()["coef"], m.intercept)
                                   for f, m in self.calibration.models.items()),
                            sorted(self.calibration.thresholds.items()), self.calibration.floor,
                            self.min_score, negation_terms(), speculation_terms(), RULES_VERSION,
                            self.most_specific)).encode())
        if self.typer is not None:
            digest.update(self.typer.version.encode())
        return f"{digest.hexdigest()[:10]}{'-int8' if self.quantize else ''}"

    @property
    def text(self) -> TextAnalyzer:
        if self._text is None:
            from extractors.analysis import shared_analyzer

            self._text = shared_analyzer()
        return self._text

    @cached_property
    def cues(self) -> StatementCues:
        return StatementCues(self.text.nlp)

    def threshold(self, family: str) -> float:
        return self.min_score if self.min_score is not None else self.calibration.thresholds[family]

    @property
    def model(self):
        with self._lock:
            if self._loaded is None:
                from extractors.relations.model import load_model

                model, tokenizer = load_model(self.model_path)
                if self.quantize:
                    model = quantize_dynamic(model)
                self._loaded = (model, tokenizer)
            return self._loaded

    @property
    def config(self):
        return self.model[0].config

    def predict(self, docs: list[RelDoc], progress: bool = False) -> list[list[PairPrediction]]:
        from tqdm import tqdm

        from extractors.relations.predict import predict

        model, tokenizer = self.model
        found = predict(model, tokenizer, docs, self.batch_size, floor=self.calibration.floor)
        return list(tqdm(found, total=len(docs), desc="relations", unit="doc", disable=not progress))

    def __call__(self, docs: list[Document]) -> list[Document]:
        analyses = self.text.analyze(docs)
        rel_docs = [from_document(d, a.sentences) for d, a in zip(docs, analyses, strict=True)]
        for doc, analysis, rel_doc, predictions in zip(docs, analyses, rel_docs, self.predict(rel_docs), strict=True):
            doc.relations.extend(self.relations(doc, rel_doc, predictions, analysis))
        return docs

    def scored(self, rel_doc: RelDoc, predictions: list[PairPrediction]) -> list[tuple[PairPrediction, str, float]]:
        """``(prediction, family, calibrated probability)`` of the predictions that reach their threshold, less a
        chemical's ``causes`` edges to diseases more general than another of them (``most_specific``)."""
        out = []
        for p in predictions:
            family, probability = self.calibration.probability(p, rel_doc)
            if probability >= self.threshold(family):
                out.append((p, family, probability))
        if not self.most_specific:
            return out
        causes = [k for k, (_, family, _) in enumerate(out) if family == "cid"]
        pairs = [chemical_disease(rel_doc, out[k][0]) for k in causes]
        general = {causes[k] for k in more_general(pairs)}
        return [item for k, item in enumerate(out) if k not in general]

    def relations(self, doc: Document, rel_doc: RelDoc, predictions: list[PairPrediction],
                  analysis: TextAnalysis | None = None) -> list[Relation]:
        """The edges of the predictions that reach their threshold, each with its evidence sentence and flags."""
        if analysis is None:
            (analysis,) = self.text.analyze([doc])
        kept = self.scored(rel_doc, predictions)
        sentences = [rel_doc.sentences[p.sentence] if rel_doc.sentences else (0, len(rel_doc.text))
                     for p, _, _ in kept]
        typed = self.typer.refine(rel_doc, [p for p, _, _ in kept], sentences) if self.typer and kept else {}
        for k, (_, _, _, sentence) in typed.items():
            sentences[k] = sentence
        statements = [(sentence, rel_doc.entities[p.head].spans, rel_doc.entities[p.tail].spans)
                      for sentence, (p, _, _) in zip(sentences, kept, strict=True)]
        flags = self.cues.flags(analysis, statements) if kept else []
        out = []
        for k, ((p, _, probability), sentence, (negated, speculative)) in enumerate(
                zip(kept, sentences, flags, strict=True)):
            head, tail = rel_doc.entities[p.head], rel_doc.entities[p.tail]
            evidence = Evidence(
                pmid=doc.pmid, sentence=rel_doc.text[sentence[0]:sentence[1]], start=sentence[0], end=sentence[1],
                score=round(probability, 4), extractor=EXTRACTOR, extractor_version=self.version,
                negated=negated, speculative=speculative, year=doc.year)
            subject, predicate, object_ = typed[k][:3] if k in typed else (
                head.id, biolink_predicate(p.type, head.category, tail.category), tail.id)
            out.append(Relation(subject, predicate, object_, [evidence]))
        return out


def chemical_disease(rel_doc: RelDoc, prediction: PairPrediction) -> tuple[str, str]:
    """The ``(chemical, disease)`` identifiers of a ``cid``-family prediction, whichever order it names them in."""
    head, tail = rel_doc.entities[prediction.head], rel_doc.entities[prediction.tail]
    return (tail.id, head.id) if base_category(head.category) == Category.DISEASE else (head.id, tail.id)


def quantize_dynamic(model):
    """Dynamic int8 quantization of the linear layers (CPU inference)."""
    import torch

    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


@cache
def _file_digest(path: Path) -> str:
    """SHA-256 of a file, once per process and path (1.5 MB of weights; the ingester reads the version of every
    batch)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
