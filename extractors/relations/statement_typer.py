"""``StatementTyper``: the typed, directed predicate of a chemical–gene edge, read off its evidence sentence.

The relation extractor (:mod:`extractors.relations.component`) finds that a chemical and a gene of an abstract are
related, with one of BioRED's coarse types (an association, a correlation, binding). When the edge's evidence
sentence names both, the statement typer (:mod:`extractors.relations.statement_model`, trained on ChemProt) says
how: the chemical inhibits, activates, induces or is a substrate of the gene's product. Its label becomes the
edge's predicate and direction (:data:`extractors.relations.labels.CHEMPROT_PREDICATES`) when the typer's
probability reaches the confidence chosen on ChemProt dev (``TyperConfig.min_confidence``); otherwise the
document-level predicate stands. The edge's score is unchanged: it is the calibrated probability that the pair
is related, which the typer does not judge.
"""

from __future__ import annotations

import hashlib
import threading
from functools import cached_property
from pathlib import Path

from extractors.relations.candidates import RelDoc
from extractors.relations.labels import CHEMPROT_PREDICATES
from extractors.relations.predict import PairPrediction
from extractors.relations.statement_corpora import CHEMPROT, NONE, Statement, chemical_gene, sentence_statement
from kg.schema import Predicate

MAX_SENTENCES = 4
"""Sentences read per chemical–gene edge (the evidence sentence first): bounds the typer's cost on long abstracts."""


class StatementTyper:
    """Loads the typer from ``path`` on first use (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._loaded: tuple | None = None
        self._lock = threading.Lock()

    @cached_property
    def version(self) -> str:
        from extractors.relations.statement_model import CONFIG, WEIGHTS

        digest = hashlib.sha256((self.path / WEIGHTS).read_bytes())
        digest.update((self.path / CONFIG).read_bytes())
        return digest.hexdigest()[:10]

    @property
    def model(self):
        with self._lock:
            if self._loaded is None:
                from extractors.relations.statement_model import load_typer

                self._loaded = load_typer(self.path)
            return self._loaded

    def refine(self, doc: RelDoc, predictions: list[PairPrediction], sentences: list[tuple[int, int]]
               ) -> dict[int, tuple[str, Predicate, str, tuple[int, int]]]:
        """``{index: (subject, predicate, object, sentence)}`` for the chemical–gene predictions that a sentence
        naming both states confidently. ``sentences[k]`` is the evidence sentence of ``predictions[k]``; the other
        sentences that name both (up to :data:`MAX_SENTENCES` in all) are read too, and the most confident one
        becomes the evidence: the document-level model's sentence is the one its attention weighs most, not
        necessarily the one that says how the two are related ("codeine is converted to morphine by CYP2D6"
        rather than "poor metabolizers had lower plasma morphine")."""
        from extractors.relations.statement_model import CHEMPROT_LABELS, type_statements

        todo: list[tuple[int, str, str, tuple[int, int], Statement]] = []
        for k, (p, chosen) in enumerate(zip(predictions, sentences, strict=True)):
            pair = chemical_gene(doc, p.head, p.tail)
            if pair is None:
                continue
            chemical, gene = pair
            candidates = [chosen, *(s for s in doc.sentences if s != chosen)] if doc.sentences else [chosen]
            read = 0
            for sentence in candidates:
                statement = sentence_statement(doc, sentence, chemical, gene)
                if statement is not None and read < MAX_SENTENCES:
                    todo.append((k, doc.entities[chemical].id, doc.entities[gene].id, sentence, statement))
                    read += 1
        if not todo:
            return {}
        model, tokenizer = self.model
        threshold = model.config.min_confidence.get(CHEMPROT, 1.0)
        best: dict[int, tuple[float, tuple[str, Predicate, str, tuple[int, int]]]] = {}
        for (k, chemical_id, gene_id, sentence, _), probs in zip(
                todo, type_statements(model, tokenizer, CHEMPROT, [t[4] for t in todo]), strict=True):
            confidence, label = (float(x) for x in probs.max(-1))
            if confidence < threshold or (k in best and best[k][0] >= confidence):
                continue
            if CHEMPROT_LABELS[int(label)] == NONE:
                continue
            predicate, gene_first = CHEMPROT_PREDICATES[CHEMPROT_LABELS[int(label)]]
            subject, object_ = (gene_id, chemical_id) if gene_first else (chemical_id, gene_id)
            best[k] = (confidence, (subject, predicate, object_, sentence))
        return {k: typed for k, (_, typed) in best.items()}
