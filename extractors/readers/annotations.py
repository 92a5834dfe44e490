"""Corpus entity types and identifiers → schema categories and CURIEs, shared by the corpus readers.

Corpora write identifiers without prefixes and rely on the entity type: BC5CDR and NCBI disease use MeSH
(``D003924``, ``C536528``) and ``OMIM:…``, BioRED adds NCBI Gene and NCBI Taxonomy numbers, dbSNP
``rs…``, Cellosaurus ``CVCL_…`` and tmVar variant keys (``c|SUB|C|643|T``, which contain ``|``).
Several identifiers for one mention are separated by ``|`` (BC5CDR, NCBI), ``,`` (BioRED) or ``+``
(NCBI); ``-1``/``-`` mean "no identifier".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from extractors.readers.records import GoldMention, GoldRelation
from kg.curie import normalize_curie
from kg.schema import Category, Mention

CATEGORY_BY_TYPE: dict[str, Category] = {
    # BC5CDR, BioRED, PubTator
    "Disease": Category.DISEASE,
    "DiseaseOrPhenotypicFeature": Category.DISEASE,
    "Chemical": Category.CHEMICAL,
    "ChemicalEntity": Category.CHEMICAL,
    "Gene": Category.GENE,
    "GeneOrGeneProduct": Category.GENE,
    "SequenceVariant": Category.VARIANT,
    "Mutation": Category.VARIANT,
    "DNAMutation": Category.VARIANT,
    "ProteinMutation": Category.VARIANT,
    "SNP": Category.VARIANT,
    "Species": Category.TAXON,
    "OrganismTaxon": Category.TAXON,
    "CellLine": Category.CELL_LINE,
    # NCBI disease corpus
    "SpecificDisease": Category.DISEASE,
    "DiseaseClass": Category.DISEASE,
    "CompositeMention": Category.DISEASE,
    "Modifier": Category.DISEASE,
    # GSC+ (HPO)
    "Phenotype": Category.PHENOTYPE,
    "PhenotypicFeature": Category.PHENOTYPE,
}
_CASEFOLDED = {k.casefold(): v for k, v in CATEGORY_BY_TYPE.items()}

NO_ID = frozenset({"", "-", "-1", "none", "null"})
_MESH = re.compile(r"[CDQ]\d{6,9}")
_PREFIXED = re.compile(r"[A-Za-z][\w.]*:\S+")
_MULTI_SEPARATORS = re.compile(r"[|,+;]")
_TMVAR = re.compile(r"(tmVar:)?[a-z]\|")  # c|SUB|C|643|T, p|DEL|439_443|, rs numbers aside


def category_for(corpus_type: str) -> Category:
    """Schema category of a corpus entity type; NAMED_THING when the type is unknown."""
    return _CASEFOLDED.get(corpus_type.strip().casefold(), Category.NAMED_THING)


def split_ids(raw: str, category: Category) -> list[str]:
    """The individual identifiers of an identifier column (variant keys keep their ``|``)."""
    raw = raw.strip()
    if raw.casefold() in NO_ID:
        return []
    parts = raw.split(",") if category is Category.VARIANT else _MULTI_SEPARATORS.split(raw)
    return [p.strip() for p in parts if p.strip().casefold() not in NO_ID]


def to_curie(raw: str, category: Category | None) -> str | None:
    """CURIE of one corpus identifier given the mention's category (None for an unknown category)."""
    raw = raw.strip()
    if raw.casefold() in NO_ID:
        return None
    if category is Category.VARIANT or (category is None and _TMVAR.match(raw)):
        return _variant_curie(raw)
    if raw.startswith("CVCL_"):
        return normalize_curie(f"CVCL:{raw[5:]}")
    if _PREFIXED.fullmatch(raw):
        return normalize_curie(raw)
    if _MESH.fullmatch(raw):
        return normalize_curie(f"MESH:{raw}")
    if raw.isdigit():
        if category is Category.GENE:
            return f"NCBIGene:{raw}"
        if category is Category.TAXON:
            return f"NCBITaxon:{raw}"
    if re.fullmatch(r"rs\d+", raw):
        return f"dbSNP:{raw}"
    return None


def _variant_curie(raw: str) -> str | None:
    """dbSNP for ``rs…``; otherwise the tmVar key, kept as a ``tmVar:`` CURIE (there is no registry for it).

    PubTator3 style ``tmVar:…;HGVS:…;RS#:123`` prefers the RS number.
    """
    fields = dict(part.split(":", 1) for part in raw.split(";") if ":" in part)
    if fields.get("RS#", "").isdigit():
        return f"dbSNP:rs{fields['RS#']}"
    key = raw.split(";", 1)[0].removeprefix("tmVar:")
    if re.fullmatch(r"rs\d+", key):
        return f"dbSNP:{key}"
    return f"tmVar:{key}" if key else None


def curies_for(raw: str, category: Category) -> tuple[str, ...]:
    """All CURIEs of an identifier column, in order, without duplicates; unmappable ones are dropped."""
    seen: dict[str, None] = {}
    for part in split_ids(raw, category):
        curie = to_curie(part, category)
        if curie:
            seen.setdefault(curie)
    return tuple(seen)


def gold_mention(
    start: int,
    end: int,
    text: str,
    corpus_type: str,
    raw_id: str,
    components: Iterable[str] = (),
    spans: Iterable[tuple[int, int]] = (),
) -> GoldMention:
    category = category_for(corpus_type)
    ids = curies_for(raw_id, category)
    mention = Mention(start=start, end=end, text=text, category=category, entity_id=ids[0] if ids else None)
    return GoldMention(mention, corpus_type, ids, raw_id.strip(), tuple(components), tuple(spans))


class RelationIds:
    """Resolves the identifiers of a document's gold relations to the CURIEs its mentions gave them.

    BioRED relation lines carry bare identifiers (``3175``, ``D003924``) whose vocabulary depends on the
    entity type, which only the mentions tell.
    """

    def __init__(self, mentions: Iterable[GoldMention]) -> None:
        self._by_raw: dict[str, str] = {}
        for gold in mentions:
            if gold.ids:  # a relation may name a composite mention by its whole column (BioRED "D1|D2")
                self._by_raw.setdefault(gold.raw_id, gold.ids[0])
            for part in split_ids(gold.raw_id, gold.mention.category):
                curie = to_curie(part, gold.mention.category)
                if curie:
                    self._by_raw.setdefault(part, curie)

    def resolve(self, raw: str, category: Category | None = None) -> str:
        """CURIE of a relation argument: as the document's mentions gave it, else guessed from its form
        (bare numbers are taken for genes); a composite argument resolves to its first identifier."""
        raw = raw.strip()
        if raw in self._by_raw:
            return self._by_raw[raw]
        curie = to_curie(raw, category)
        if curie is None and category is not Category.VARIANT:
            parts = split_ids(raw, Category.NAMED_THING)
            if len(parts) > 1:
                return self.resolve(parts[0], category)
        if curie is None and raw.isdigit():
            curie = f"NCBIGene:{raw}"
        return curie or raw

    def relation(self, pmid: str, type_: str, id1: str, id2: str, novelty: str | None = None,
                 categories: tuple[Category | None, Category | None] = (None, None)) -> GoldRelation:
        return GoldRelation(pmid, type_.strip(), self.resolve(id1, categories[0]),
                            self.resolve(id2, categories[1]), novelty.strip() if novelty else None)
