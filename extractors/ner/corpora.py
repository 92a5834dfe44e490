"""The annotated corpora of ``shared/data`` as NER train/dev material: which file, which entity types.

Every corpus annotates only some types (BC5CDR chemicals and diseases, NCBI diseases, BC2GM genes, GSC+
phenotypes; BioRED all six of its types). :data:`CORPORA` records that, so that training knows which
unannotated tokens really are "outside" for a label group and evaluation scores only the types a corpus
annotates. The corpus files are read with :mod:`extractors.readers`; BC2GM has no reader there (its
offsets count non-whitespace characters), so a small loader for it lives here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractors.readers import AnnotatedDocument, ReadError, read_gsc_plus, read_ncbi_disease, read_pubtator
from kg.schema import Category, Document, Mention

log = logging.getLogger(__name__)

Span = tuple[int, int]

# Every category the shipped model predicts, in the order the components are built.
CHEM_DIS = (Category.CHEMICAL, Category.DISEASE)
BIO = (Category.GENE, Category.VARIANT, Category.TAXON, Category.CELL_LINE)
MODEL_CATEGORIES = CHEM_DIS + BIO


@dataclass(slots=True)
class GoldDoc:
    """A document (text only, no mentions) with its gold mentions of the corpus's annotated types.

    ``alternatives`` maps an acceptable alternative span (BC2GM ALTGENE) to the gold span it stands for.
    """

    document: Document
    gold: list[Mention]
    alternatives: dict[Span, Span] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    name: str
    files: dict[str, str]  # split -> path under the shared data root
    categories: frozenset[Category]  # the types this corpus annotates exhaustively
    reader: Callable[[Path], Iterator[AnnotatedDocument | ReadError]] | None  # None: BC2GM loader


CORPORA: dict[str, CorpusSpec] = {
    "bc5cdr": CorpusSpec(
        "bc5cdr",
        {"train": "corpora/bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt",
         "dev": "corpora/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"},
        frozenset(CHEM_DIS), read_pubtator),
    "ncbi_disease": CorpusSpec(
        "ncbi_disease",
        {"train": "corpora/ncbi_disease/NCBItrainset_corpus.txt",
         "dev": "corpora/ncbi_disease/NCBIdevelopset_corpus.txt"},
        frozenset({Category.DISEASE}), read_ncbi_disease),
    "biored": CorpusSpec(
        "biored",
        {"train": "corpora/biored/pubtator/Train.PubTator", "dev": "corpora/biored/pubtator/Dev.PubTator"},
        frozenset(MODEL_CATEGORIES), read_pubtator),
    "bc2gm": CorpusSpec(
        "bc2gm", {"train": "corpora/bc2gm/train", "dev": "corpora/bc2gm/devel"},
        frozenset({Category.GENE}), None),
    "gsc_plus": CorpusSpec(
        "gsc_plus", {"dev": "corpora/gsc_plus_hpo/GSCplus_dev_gold.tsv"},
        frozenset({Category.PHENOTYPE}), read_gsc_plus),
}


def shared_data_root(explicit: str | Path | None = None) -> Path:
    """``explicit``, else ``$KG_SHARED_DATA``, else ``<repo>/../shared/data``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("KG_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def corpus_path(name: str, split: str, data_root: str | Path | None = None) -> Path:
    spec = CORPORA[name]
    if split not in spec.files:
        raise ValueError(f"{name} has no {split!r} split here (available: {', '.join(spec.files)})")
    return shared_data_root(data_root) / spec.files[split]


def load_corpus(name: str, split: str = "dev", data_root: str | Path | None = None,
                file: str | Path | None = None) -> list[GoldDoc]:
    """Gold documents of one split of a corpus (``file`` overrides the standard location)."""
    spec = CORPORA[name]
    path = Path(file) if file else corpus_path(name, split, data_root)
    if spec.reader is None:
        return load_bc2gm(path)
    docs: list[GoldDoc] = []
    for record in spec.reader(path):
        if isinstance(record, ReadError):
            log.warning("%s", record)
            continue
        source = record.document
        text_only = Document(pmid=source.pmid, title=source.title, abstract=source.abstract)
        gold = [g.mention for g in record.gold_mentions
                if g.mention.category in spec.categories and len(g.spans) <= 1]
        docs.append(GoldDoc(text_only, gold))
    return docs


def load_bc2gm(directory: Path) -> list[GoldDoc]:
    """BC2GM sentences (``*.in``) with GENE.eval gold and ALTGENE.eval alternatives, as char offsets.

    The ``.eval`` offsets count non-whitespace characters (README.GM); each sentence becomes a Document
    whose title is the sentence.
    """
    (infile,) = sorted(directory.glob("*.in"))
    sentences: dict[str, str] = {}
    with infile.open(encoding="utf-8") as stream:
        for line in stream:
            sid, _, text = line.rstrip("\n").partition(" ")
            if sid:
                sentences[sid] = text
    char_maps = {sid: [i for i, ch in enumerate(text) if not ch.isspace()] for sid, text in sentences.items()}

    def spans(path: Path) -> Iterator[tuple[str, Span]]:
        with path.open(encoding="utf-8") as stream:
            for line in stream:
                parts = line.rstrip("\n").split("|")
                if len(parts) < 2 or parts[0] not in char_maps:
                    continue
                start, end = (int(x) for x in parts[1].split())
                chars = char_maps[parts[0]]
                yield parts[0], (chars[start], chars[end] + 1)

    gold: dict[str, list[Span]] = {sid: [] for sid in sentences}
    for sid, span in spans(directory / "GENE.eval"):
        gold[sid].append(span)
    alternatives: dict[str, dict[Span, Span]] = {sid: {} for sid in sentences}
    alt_file = directory / "ALTGENE.eval"
    if alt_file.exists():
        for sid, alt in spans(alt_file):
            # an alternative stands for the gold mention it overlaps (README.GM: alternatives of one gene)
            for g in gold[sid]:
                if alt[0] < g[1] and g[0] < alt[1] and alt != g:
                    alternatives[sid].setdefault(alt, g)
                    break
    return [
        GoldDoc(Document(pmid=sid, title=text),
                [Mention(s, e, text[s:e], Category.GENE) for s, e in gold[sid]], alternatives[sid])
        for sid, text in sentences.items()
    ]
