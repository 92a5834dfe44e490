"""``kg evaluate normalization``: accuracy@1 of :class:`Normalizer` on the gold mentions of a corpus.

Each gold mention with at least one identifier is resolved from its text and gold category (with the
abbreviations its document defines); it counts as a hit when the predicted CURIE is one of the gold ones
(composite mentions carry several: BC5CDR ``D1|D2``, NCBI ``D1+D2``, BioRED ``1,2``). Which categories are
scored per corpus: BC5CDR chemicals and diseases (MeSH), NCBI-disease diseases (MeSH/OMIM), BioRED genes
(NCBI Gene; non-human genes count too, and the lexicon only has human ones), plus BioRED's diseases and
chemicals (MeSH) reported separately.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from extractors.ner.corpora import CORPORA, corpus_path
from extractors.normalize.abbreviations import abbreviations, document_abbreviations
from extractors.normalize.component import Normalizer
from extractors.readers import AnnotatedDocument, ReadError
from kg.schema import Category

log = logging.getLogger(__name__)

SCORED: dict[str, tuple[Category, ...]] = {
    "bc5cdr": (Category.CHEMICAL, Category.DISEASE),
    "ncbi_disease": (Category.DISEASE,),
    "biored": (Category.GENE, Category.DISEASE, Category.CHEMICAL),
}


@dataclass(slots=True)
class CategoryScore:
    mentions: int = 0
    correct: int = 0
    local: int = 0  # resolved to a medkg: local id (nothing matched)
    methods: Counter[str] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.correct / self.mentions if self.mentions else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"mentions": self.mentions, "correct": self.correct, "acc@1": round(100 * self.accuracy, 2),
                "local": self.local, "methods": dict(self.methods.most_common())}


@dataclass(slots=True)
class NormalizationReport:
    corpus: str
    source: str
    documents: int = 0
    skipped_without_id: int = 0
    by_category: dict[str, CategoryScore] = field(default_factory=lambda: defaultdict(CategoryScore))
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def micro(self) -> CategoryScore:
        total = CategoryScore()
        for score in self.by_category.values():
            total.mentions += score.mentions
            total.correct += score.correct
            total.local += score.local
            total.methods.update(score.methods)
        return total

    def as_dict(self, max_errors: int = 50) -> dict[str, object]:
        return {"corpus": self.corpus, "source": self.source, "documents": self.documents,
                "skipped_without_id": self.skipped_without_id,
                "by_category": {k: v.as_dict() for k, v in sorted(self.by_category.items())},
                "micro": self.micro.as_dict(), "errors": self.errors[:max_errors]}


def evaluate_normalization(corpus: str, split: str = "dev", *, data_root: str | Path | None = None,
                           file: str | Path | None = None, normalizer: Normalizer | None = None,
                           progress: bool = False) -> NormalizationReport:
    if corpus not in SCORED:
        raise ValueError(f"no normalization gold for {corpus!r} (choose from {', '.join(SCORED)})")
    reader = CORPORA[corpus].reader
    assert reader is not None
    path = Path(file) if file else corpus_path(corpus, split, data_root)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist (pass --data or --file)")
    normalizer = normalizer or Normalizer()
    report = NormalizationReport(corpus, str(path))
    scored = SCORED[corpus]
    for record in tqdm(reader(path), desc=f"normalize {corpus}", unit="doc", disable=not progress):
        if isinstance(record, ReadError):
            log.warning("%s", record)
            continue
        assert isinstance(record, AnnotatedDocument)
        report.documents += 1
        abbrevs: dict[str, str] = {}
        if normalizer.use_abbreviations:  # as the pipeline component finds them, with the gold mentions
            mentions = [(g.mention.text, g.mention.category) for g in record.gold_mentions]
            text = record.document.text
            abbrevs = document_abbreviations(text, mentions, abbreviations(text))
        for gold in record.gold_mentions:
            category = gold.mention.category
            if category not in scored:
                continue
            if not gold.ids:
                report.skipped_without_id += 1
                continue
            match = normalizer.resolve(gold.mention.text, category, abbrevs)
            score = report.by_category[str(category)]
            score.mentions += 1
            score.methods[match.method] += 1
            if match.is_local:
                score.local += 1
            if match.curie in gold.ids:
                score.correct += 1
            else:
                report.errors.append({"pmid": record.pmid, "text": gold.mention.text, "category": str(category),
                                      "gold": "|".join(gold.ids), "predicted": match.curie,
                                      "predicted_name": match.name, "method": match.method})
    return report
