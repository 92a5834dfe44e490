"""``kg evaluate concepts``: what the graph receives from a corpus, scored three ways per entity type.

For each document of a corpus that gives identifiers, the default pipeline (no relations) runs on the bare
title and abstract, as ``kg ingest`` would, and is scored on:

- **mention F1**: strict (start, end, type) matches, as ``kg evaluate ner`` scores the recognizer;
- **concept F1**, document level: the set of (type, CURIE) pairs a document's text mentions resolve to against
  the set of the gold mentions' identifiers (every identifier of a composite mention counts). Each concept is
  counted once per document however often it is mentioned, and a mention left on a local ``medkg:`` id (no
  vocabulary match) asserts no concept. This is the number that matters for the graph: an entity node and its
  ``mentions`` link exist exactly for these pairs;
- **acc@1**: normalization alone on the gold mentions (``kg evaluate normalization``), where the corpus is one
  that measure covers — the share of concept errors that normalization, not recognition, causes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.ner.corpora import CORPORA, GoldDoc, corpus_path
from extractors.ner.evaluate import CATEGORY_MAPS, Counts, score
from extractors.readers import AnnotatedDocument, ReadError
from kg.curie import LOCAL_PREFIX
from kg.schema import Category, Document, Mention, MentionSource

log = logging.getLogger(__name__)

CONCEPT_CORPORA = ("bc5cdr", "ncbi_disease", "biored", "gsc_plus")
"""The corpora whose gold mentions carry identifiers (BC2GM marks spans only)."""

Concept = tuple[Category, str]


@dataclass(slots=True)
class ConceptDoc:
    """A corpus document as text only, with its gold mentions and the gold concepts they identify."""

    gold: GoldDoc
    concepts: set[Concept] = field(default_factory=set)


def load_concept_docs(corpus: str, path: Path) -> list[ConceptDoc]:
    """The corpus's documents with gold mentions (contiguous ones, as NER is scored) and gold concepts."""
    spec = CORPORA[corpus]
    if spec.reader is None or corpus not in CONCEPT_CORPORA:
        raise ValueError(f"{corpus} gives no identifiers to score concepts against "
                         f"(choose from {', '.join(CONCEPT_CORPORA)})")
    docs: list[ConceptDoc] = []
    for record in spec.reader(path):
        if isinstance(record, ReadError):
            log.warning("%s", record)
            continue
        assert isinstance(record, AnnotatedDocument)
        source = record.document
        text_only = Document(pmid=source.pmid, title=source.title, abstract=source.abstract)
        scored = [g for g in record.gold_mentions if g.mention.category in spec.categories]
        mentions = [g.mention for g in scored if len(g.spans) <= 1]
        concepts = {(g.mention.category, curie) for g in scored for curie in g.ids}
        docs.append(ConceptDoc(GoldDoc(text_only, mentions), concepts))
    return docs


def predicted_concepts(mentions: Iterable[Mention], categories: Iterable[Category]) -> set[Concept]:
    """The (type, CURIE) pairs a document's text mentions assert: normalized, not local, of a scored type."""
    wanted = set(categories)
    return {(m.category, m.entity_id) for m in mentions
            if m.source == MentionSource.TEXT and m.entity_id and not m.entity_id.startswith(f"{LOCAL_PREFIX}:")
            and m.category in wanted}


def score_concepts(gold: Iterable[set[Concept]], predicted: Iterable[set[Concept]],
                   categories: Iterable[Category]) -> dict[str, Counts]:
    """Per-type document-level concept counts plus ``"micro"``, over aligned documents."""
    counts = {str(c): Counts() for c in sorted(set(categories))}
    for gold_set, predicted_set in zip(gold, predicted, strict=True):
        for category, _ in predicted_set & gold_set:
            counts[str(category)].tp += 1
        for category, _ in predicted_set - gold_set:
            counts[str(category)].fp += 1
        for category, _ in gold_set - predicted_set:
            counts[str(category)].fn += 1
    micro = Counts()
    for c in counts.values():
        micro.tp, micro.fp, micro.fn = micro.tp + c.tp, micro.fp + c.fp, micro.fn + c.fn
    counts["micro"] = micro
    return counts


def evaluate_concepts(corpus: str, split: str = "dev", data_root: str | Path | None = None,
                      file: str | Path | None = None, *, with_accuracy: bool = True,
                      progress: bool = False) -> dict[str, Any]:
    """Run the default pipeline over a corpus split; mention F1, concept F1 and acc@1 per type."""
    from extractors.pipeline import default_pipeline

    path = Path(file) if file else corpus_path(corpus, split, data_root)
    if not path.exists():
        raise FileNotFoundError(f"{corpus} {split} corpus not found at {path} (pass --data or --file)")
    docs = load_concept_docs(corpus, path)
    if not docs:
        raise ValueError(f"no documents could be read from {path} (is it the {corpus} corpus in its format?)")
    pipeline = default_pipeline()
    documents = [d.gold.document for d in docs]
    pipeline(documents[:1])  # load the models outside the timed region (this document is re-run below)
    documents[0].mentions.clear()
    documents[0].entities.clear()
    started, cpu_started = time.perf_counter(), time.process_time()
    batch = 32
    for first in _progress(range(0, len(documents), batch), len(documents), batch, corpus, progress):
        pipeline(documents[first:first + batch])
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started

    categories = CORPORA[corpus].categories
    mention_counts = score([d.gold for d in docs], [d.mentions for d in documents], categories,
                           CATEGORY_MAPS.get(corpus))
    concept_counts = score_concepts([d.concepts for d in docs],
                                    [predicted_concepts(d.mentions, categories) for d in documents], categories)
    report: dict[str, Any] = {
        "corpus": corpus, "split": split, "source": str(path), "pipeline": pipeline.version,
        "documents": len(docs), "gold_concepts": sum(len(d.concepts) for d in docs),
        "docs_per_cpu_second": round(len(docs) / cpu_seconds, 1) if cpu_seconds else None,
        "seconds": round(seconds, 2),
        "mentions": {k: v.as_dict() for k, v in mention_counts.items()},
        "concepts": {k: v.as_dict() for k, v in concept_counts.items()},
    }
    if with_accuracy:
        report["accuracy"] = _normalization_accuracy(corpus, split, data_root, file, progress)
    return report


def _progress(steps: range, total: int, batch: int, corpus: str, enabled: bool) -> Iterable[int]:
    from tqdm import tqdm

    with tqdm(total=total, desc=f"pipeline {corpus}", unit="doc", disable=not enabled) as bar:
        for first in steps:
            yield first
            bar.update(min(batch, total - first))


def _normalization_accuracy(corpus: str, split: str, data_root: str | Path | None, file: str | Path | None,
                            progress: bool) -> dict[str, float] | None:
    from extractors.normalize.evaluate import SCORED, evaluate_normalization

    if corpus not in SCORED:
        return None
    normalization = evaluate_normalization(corpus, split, data_root=data_root, file=file, progress=progress)
    accuracy: dict[str, float] = {k: round(100 * v.accuracy, 2) for k, v in normalization.by_category.items()}
    accuracy["micro"] = round(100 * normalization.micro.accuracy, 2)
    return accuracy


def format_concept_report(report: dict[str, Any]) -> str:
    lines = [f"{report['corpus']} {report['split']}: {report['documents']} documents, {report['gold_concepts']} "
             f"gold concepts, {report['docs_per_cpu_second']} docs per CPU-second (NER + normalization)",
             f"{'type':<20}{'mention P':>10}{'R':>7}{'F1':>7}   {'concept P':>10}{'R':>7}{'F1':>7}   {'acc@1':>6}"]
    accuracy = report.get("accuracy") or {}
    for name, concept in report["concepts"].items():
        mention = report["mentions"].get(name, {})
        acc = accuracy.get(name)
        lines.append(f"{name:<20}{mention.get('precision', 0):>10.2f}{mention.get('recall', 0):>7.2f}"
                     f"{mention.get('f1', 0):>7.2f}   {concept['precision']:>10.2f}{concept['recall']:>7.2f}"
                     f"{concept['f1']:>7.2f}   {acc if acc is not None else '-':>6}")
    return "\n".join(lines)
