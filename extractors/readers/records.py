"""Records that readers yield besides :class:`kg.schema.Document`.

Readers never raise on bad input: a problem with one record (or with the rest of a file) becomes a
:class:`ReadError` in the stream, so that one corrupt citation cannot stop the ingestion of a baseline.
Annotated corpora (BC5CDR, BioRED, NCBI disease, GSC+) yield :class:`AnnotatedDocument`: the document
with its gold mentions attached, plus what ``Mention`` cannot hold (every identifier of a composite
mention, the corpus's own entity type) and the gold relations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.schema import Document, Mention


@dataclass(frozen=True, slots=True)
class Deletion:
    """A ``<DeleteCitation>`` entry: the citation must be removed from the store."""

    pmid: str
    source: str


@dataclass(frozen=True, slots=True)
class ReadError:
    """Something in ``source`` could not be read; the reader went on with the rest where it could.

    ``offset`` is the byte offset in the (decompressed) input where the problem was detected, when known.
    """

    source: str
    message: str
    pmid: str | None = None
    offset: int | None = None

    def __str__(self) -> str:
        where = [self.source]
        if self.pmid:
            where.append(f"PMID {self.pmid}")
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True, slots=True)
class GoldMention:
    """A gold-standard mention as the corpus gives it.

    ``mention.entity_id`` is the first of ``ids``; composite mentions ("ovarian and breast cancer",
    BC5CDR ``D1|D2``, BioRED ``1,2``, NCBI ``D1+D2``) carry every identifier in ``ids``. Identifiers
    the reader cannot turn into a CURIE are left out of ``ids`` but stay visible in ``raw_id``.
    """

    mention: Mention
    corpus_type: str  # the corpus's entity type, e.g. "SpecificDisease", "GeneOrGeneProduct"
    ids: tuple[str, ...] = ()
    raw_id: str = ""
    components: tuple[str, ...] = ()  # BC5CDR 7th column: texts of the individual mentions
    spans: tuple[tuple[int, int], ...] = ()  # BioC discontinuous annotations: every (start, end) piece


@dataclass(frozen=True, slots=True)
class GoldRelation:
    """A gold relation between two entities of one document, with the corpus's own relation type.

    ``id1``/``id2`` are CURIEs resolved like the mention identifiers of the same document (BioRED's bare
    numbers can be genes or taxa; the document's mentions tell which), ``novelty`` is BioRED's
    ``Novel``/``No`` and None elsewhere. Mapping types to Biolink predicates is left to relation extraction.
    """

    pmid: str
    type: str
    id1: str
    id2: str
    novelty: str | None = None


@dataclass(slots=True)
class AnnotatedDocument:
    """A document of an annotated corpus; ``document.mentions`` are the mentions of ``gold_mentions``."""

    document: Document
    gold_mentions: list[GoldMention] = field(default_factory=list)
    gold_relations: list[GoldRelation] = field(default_factory=list)
    source: str = ""

    @property
    def pmid(self) -> str:
        return self.document.pmid

    def offset_mismatches(self) -> list[GoldMention]:
        """Contiguous gold mentions whose text is not ``document.text[start:end]``."""
        text = self.document.text
        return [
            g for g in self.gold_mentions
            if len(g.spans) <= 1 and text[g.mention.start:g.mention.end] != g.mention.text
        ]
