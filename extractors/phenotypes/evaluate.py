"""``kg evaluate phenotypes``: HPO phenotype recognition on GSC+, scored as the graph receives it.

The default pipeline runs on each document's bare text, as ``kg ingest`` would run it; only its
``PhenotypicFeature`` text mentions with an ``HP:`` identifier count. Two measures:

- **concept F1**, document level: the set of HPO terms a document's mentions assert against the set of its gold
  mentions' terms (each term once per document) — the ``mentions`` links the graph gets;
- **mention F1**, strict: (start, end, HPO id) must all agree; and span-only (start, end) beside it, which separates
  recognition errors from normalization errors.

Gold identifiers are read as they are (GSC+'s are current HPO ids; an alternative id would count as a miss).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.ner.corpora import corpus_path
from extractors.ner.evaluate import Counts
from extractors.pipeline import Pipeline
from extractors.readers import AnnotatedDocument, ReadError, read_gsc_plus
from kg.schema import Category, Document, Mention, MentionSource


@dataclass(slots=True)
class _Doc:
    document: Document
    gold: list[Mention]


def predicted_phenotypes(mentions: list[Mention]) -> list[Mention]:
    """The mentions that count: text mentions typed PhenotypicFeature with an HPO identifier."""
    return [m for m in mentions if m.source == MentionSource.TEXT and m.category == Category.PHENOTYPE
            and m.entity_id and m.entity_id.startswith("HP:")]


def _load(path: Path) -> list[_Doc]:
    docs: list[_Doc] = []
    for record in read_gsc_plus(path):
        if isinstance(record, ReadError):
            raise ValueError(f"{path}: {record}")
        assert isinstance(record, AnnotatedDocument)
        source = record.document
        docs.append(_Doc(Document(pmid=source.pmid, title=source.title, abstract=source.abstract),
                         [g.mention for g in record.gold_mentions]))
    return docs


def evaluate_phenotypes(split: str = "dev", data_root: str | Path | None = None, file: str | Path | None = None,
                        pipeline: Pipeline | None = None, errors: int = 0) -> dict[str, Any]:
    """Concept and mention P/R/F1 of ``pipeline`` (default: :func:`~extractors.pipeline.default_pipeline`) on GSC+.

    ``errors``: how many of the most frequent missed and spurious concepts to list (by name) in the report.
    """
    from extractors.pipeline import default_pipeline

    path = Path(file) if file else corpus_path("gsc_plus", split, data_root)
    if not path.is_file():
        raise FileNotFoundError(f"GSC+ {split} not found at {path} (pass --data or --file)")
    docs = _load(path)
    if not docs:
        raise ValueError(f"no documents could be read from {path} (is it GSC+ in PhenoTagger's format?)")
    pipeline = pipeline or default_pipeline()
    pipeline([d.document for d in docs])
    concepts, strict, spans = Counts(), Counts(), Counts()
    missed: Counter[str] = Counter()
    spurious: Counter[str] = Counter()
    for doc in docs:
        predicted = predicted_phenotypes(doc.document.mentions)
        gold_concepts = {m.entity_id for m in doc.gold}
        predicted_concepts = {m.entity_id for m in predicted}
        _add(concepts, gold_concepts, predicted_concepts)
        _add(strict, {(m.start, m.end, m.entity_id) for m in doc.gold},
             {(m.start, m.end, m.entity_id) for m in predicted})
        _add(spans, {(m.start, m.end) for m in doc.gold}, {(m.start, m.end) for m in predicted})
        names = {m.entity_id: m.text for m in [*doc.gold, *predicted]}
        missed.update(f"{c} {names[c]!r}" for c in gold_concepts - predicted_concepts if c)
        spurious.update(f"{c} {names[c]!r}" for c in predicted_concepts - gold_concepts if c)
    report: dict[str, Any] = {
        "corpus": "gsc_plus", "split": split, "source": str(path), "pipeline": pipeline.version,
        "documents": len(docs), "gold_concepts": sum(len({m.entity_id for m in d.gold}) for d in docs),
        "gold_mentions": sum(len(d.gold) for d in docs),
        "concepts": concepts.as_dict(), "mentions": strict.as_dict(), "spans": spans.as_dict(),
    }
    if errors:
        report["missed"] = [k for k, _ in missed.most_common(errors)]
        report["spurious"] = [k for k, _ in spurious.most_common(errors)]
    return report


def _add(counts: Counts, gold: set, predicted: set) -> None:
    counts.tp += len(gold & predicted)
    counts.fp += len(predicted - gold)
    counts.fn += len(gold - predicted)


def format_report(report: dict[str, Any]) -> str:
    lines = [f"GSC+ {report['split']}: {report['documents']} documents, {report['gold_concepts']} gold concepts "
             f"(document level), {report['gold_mentions']} gold mentions",
             f"{'':<26}{'P':>7}{'R':>7}{'F1':>7}"]
    for label, key in (("HPO concepts (document)", "concepts"), ("mentions (span + HPO id)", "mentions"),
                       ("mention spans only", "spans")):
        c = report[key]
        lines.append(f"{label:<26}{c['precision']:>7.2f}{c['recall']:>7.2f}{c['f1']:>7.2f}")
    for key in ("missed", "spurious"):
        if report.get(key):
            lines.append(f"most often {key}: " + "; ".join(report[key]))
    return "\n".join(lines)
