"""``PhenotypeStatements``: sentence-level disease–phenotype statements as ``has_phenotype`` edges with evidence.

A sentence states that a disease has a phenotype when a cue phrase links a Disease mention to PhenotypicFeature
mentions (the recognizer's, :mod:`extractors.phenotypes.recognizer`) in the order the cue reads:

- disease, cue, phenotypes: "NBCCS **is characterized by** jaw cysts and palmar pits", "a girl with Gorlin
  syndrome **presented with** blood stools", "the disease **manifests as** ataxia", "patients with X **developed** …";
- cue, disease, phenotypes: "**symptoms of** influenza **include** fever and cough", "**features of** BOR syndrome
  **are** hearing loss …";
- phenotypes, cue, disease: "fever is **a (common|cardinal) symptom of** malaria".

Every phenotype mention on the cue's side of the clause counts (coordinations: "jaw cysts, palmar pits and
calcification of the falx"). Whether the statement is negated ("did not present with fever", "presented without
fever") or speculative ("may present with") is decided by NegEx on the pipeline's shared tokens
(:class:`extractors.relations.negation.StatementCues`); such evidence is kept and flagged, as the relation
extractor's is.

Diseases are the normalized Disease mentions; one that is also a phenotype mention ("Crohn disease", which the HPO
names too; "fever", which MeSH files under diseases) takes only the defining cues, not "presented with",
"developed" or "including". A disease that is the predicate of another ("BOR syndrome is an autosomal dominant
disorder characterized by …") takes no cue: it is its subject's. Phenotypes are the HPO mentions that lie inside no
longer normalized Disease mention ("neurofibromatosis" in "neurofibromatosis type 2" is the disease's name, not its
phenotype), and a pair never joins overlapping spans.

The score is **not a calibrated probability**: there is no annotated disease–phenotype statement corpus here to
calibrate on. It is the cue's prior (:data:`CUE_PRIORS`, how directly the phrase asserts the relation) times the
phenotype mention's score, and is labelled so in :attr:`PhenotypeStatements.score_kind`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from extractors.settings import settings_digest
from kg.curie import LOCAL_PREFIX
from kg.schema import Category, Document, Evidence, Mention, MentionSource, Predicate, Relation

if TYPE_CHECKING:
    from extractors.analysis import TextAnalysis, TextAnalyzer
    from extractors.relations.negation import StatementCues

EXTRACTOR = "phenotype-statements"
RULES_VERSION = "2"

CUE_PRIORS: dict[str, float] = {"characterized": 0.9, "manifests": 0.9, "include": 0.85, "symptom-of": 0.85,
                                "presented": 0.75, "developed": 0.6}
"""Rule priors of each cue family: an asserted defining feature ("is characterized by") above a case report's
finding ("presented with") above a course ("developed"). Not measured on data (see the module docstring)."""

_WORD_GAP = r"(?:[\w\-(),']+\s+){0,3}?"
_DISEASE_FIRST = {
    "characterized": re.compile(r"\b(?:is|are|was|were|being)?\s*(?:clinically\s+|typically\s+|mainly\s+)?"
                                r"(?:characteri[sz]ed|marked|defined|typified)\s+by\b", re.I),
    "manifests": re.compile(r"\b(?:manifest(?:s|ed|ing)?|present(?:s|ed|ing)?)\s+(?:itself\s+|themselves\s+)?"
                            r"(?:clinically\s+)?as\b|\bmanifest(?:s|ed|ing)?\s+(?:itself\s+|themselves\s+)?with\b",
                            re.I),
    "presented": re.compile(r"\b(?:present(?:s|ed|ing)?|presentation)\s+with(?:out)?\b|"
                            r"\b(?:had|has|have|showed|shows|"
                            r"exhibit(?:s|ed)?|display(?:s|ed)?|suffer(?:s|ed)?\s+from|complain(?:s|ed)?\s+of)\b",
                            re.I),
    "developed": re.compile(r"\b(?:develop(?:s|ed)?|experienc(?:es|ed))\b", re.I),
    "include": re.compile(r"\b(?:include|includes|included|including|such\s+as|consist(?:s|ed)?\s+of)\b", re.I),
}
_FEATURE_WORDS = r"(?:symptoms?|signs?|features?|manifestations?|findings?|phenotypes?|characteristics?)"
_FEATURES_OF = re.compile(rf"\b{_FEATURE_WORDS}\s+(?:of|in)\b", re.I)
_FEATURES_ARE = re.compile(r"\b(?:include|includes|included|are|were|comprise|consist\s+of)\b", re.I)
_SYMPTOM_OF = re.compile(rf"\b(?:is|are|was|were)\s+(?:a|an|the)?\s*{_WORD_GAP}{_FEATURE_WORDS}\s+(?:of|in)\b",
                         re.I)
_PREDICATE_NOMINAL = re.compile(r"\b(?:is|are|was|were)\s+(?:a|an|the)\s+(?:[\w\-]+\s+){0,3}$", re.I)
_CASE_CUES = frozenset({"presented", "developed", "include"})
"""Cues that a symptom-like disease span ("fever", which MeSH files under diseases) cannot take as subject: "fever
developed with seizures" is no statement that fever has seizures as its phenotype, "ocular abnormalities, including
cataracts" names kinds, not phenotypes."""
_CLAUSE_END = re.compile(r";|\bbut\b|\bwhereas\b|\bwhile\b|\bhowever\b|\bin contrast\b", re.I)


@dataclass(frozen=True, slots=True)
class Statement:
    """One disease–phenotype pair stated in one sentence, and by which cue."""

    disease: Mention
    phenotype: Mention
    sentence: tuple[int, int]
    cue: str


class PhenotypeStatements:
    """Adds ``disease -has_phenotype-> phenotype`` relations with one evidence sentence each (module docstring)."""

    name = EXTRACTOR
    score_kind = "rule prior x mention score (not calibrated)"

    def __init__(self, text: TextAnalyzer | None = None) -> None:
        self._text = text

    @cached_property
    def version(self) -> str:
        from extractors.relations.negation import negation_terms, speculation_terms

        digest = settings_digest({"priors": CUE_PRIORS, "negation": negation_terms(),
                                  "speculation": speculation_terms()})
        return f"{RULES_VERSION}.{digest}"

    @property
    def text(self) -> TextAnalyzer:
        if self._text is None:
            from extractors.analysis import shared_analyzer

            self._text = shared_analyzer()
        return self._text

    @cached_property
    def cues(self) -> StatementCues:
        from extractors.relations.negation import StatementCues

        return StatementCues(self.text.nlp)

    def __call__(self, docs: list[Document]) -> list[Document]:
        wanted = [d for d in docs if _diseases(d) and _phenotypes(d)]
        if not wanted:
            return docs
        for doc, analysis in zip(wanted, self.text.analyze(wanted), strict=True):
            doc.relations.extend(self.relations(doc, analysis))
        return docs

    def relations(self, doc: Document, analysis: TextAnalysis) -> list[Relation]:
        statements = find_statements(doc.text, analysis.sentences, _diseases(doc), _phenotypes(doc))
        if not statements:
            return []
        flags = self.cues.flags(analysis, [(s.sentence, [(s.disease.start, s.disease.end)],
                                            [(s.phenotype.start, s.phenotype.end)]) for s in statements])
        out: list[Relation] = []
        for statement, (negated, speculative) in zip(statements, flags, strict=True):
            start, end = statement.sentence
            score = round(CUE_PRIORS[statement.cue] * statement.phenotype.score, 4)
            evidence = Evidence(pmid=doc.pmid, sentence=doc.text[start:end], start=start, end=end, score=score,
                                extractor=EXTRACTOR, extractor_version=self.version, negated=negated,
                                speculative=speculative, year=doc.year)
            assert statement.disease.entity_id and statement.phenotype.entity_id
            out.append(Relation(statement.disease.entity_id, Predicate.HAS_PHENOTYPE, statement.phenotype.entity_id,
                                [evidence]))
        return out


def find_statements(text: str, sentences: list[tuple[int, int]], diseases: list[Mention],
                    phenotypes: list[Mention]) -> list[Statement]:
    """The (disease, phenotype, sentence, cue) statements of a text, one per pair and sentence."""
    found: dict[tuple[str, str, tuple[int, int]], Statement] = {}
    for sentence in sentences or [(0, len(text))]:
        s, e = sentence
        ds = [m for m in diseases if s <= m.start and m.end <= e]
        ps = [m for m in phenotypes if s <= m.start and m.end <= e]
        if not ds or not ps:
            continue
        for disease, phenotype, cue in _pairs(text, ds, ps, e):
            key = (str(disease.entity_id), str(phenotype.entity_id), sentence)
            if key not in found:
                found[key] = Statement(disease, phenotype, sentence, cue)
    return list(found.values())


def _pairs(text: str, diseases: list[Mention], phenotypes: list[Mention], sentence_end: int
           ) -> list[tuple[Mention, Mention, str]]:
    found: list[tuple[Mention, Mention, str]] = []
    blocking = [d for d in diseases if not _PREDICATE_NOMINAL.search(text, max(0, d.start - 60), d.start)]
    for disease in diseases:
        symptom_like = any(p.start <= disease.start and disease.end <= p.end for p in phenotypes)
        # "BOR syndrome is an autosomal dominant disorder characterized by": the cue is BOR's
        predicate = bool(_PREDICATE_NOMINAL.search(text, max(0, disease.start - 60), disease.start))
        clause_end = _clause_end(text, disease.end, sentence_end)
        after = text[disease.end:clause_end]
        # disease … cue … phenotypes: the first cue after the disease, then the phenotypes after the cue
        best: tuple[int, str] | None = None
        for cue, pattern in _DISEASE_FIRST.items():
            if predicate or (symptom_like and cue in _CASE_CUES):
                continue
            match = pattern.search(after)
            if match and not _other_mention_between(blocking, disease.end, disease.end + match.start()) and \
                    (best is None or match.end() < best[0]):
                best = (match.end(), cue)
        if best is not None:
            cue_end = disease.end + best[0]
            found += [(disease, p, best[1]) for p in phenotypes if cue_end <= p.start and p.end <= clause_end]
        # "symptoms of D include P"
        before = text[max(0, disease.start - 40):disease.start]
        if _FEATURES_OF.search(before) and (m := _FEATURES_ARE.search(after)):
            cue_end = disease.end + m.end()
            found += [(disease, p, "include") for p in phenotypes if cue_end <= p.start and p.end <= clause_end]
        # "P is a cardinal symptom of D"
        for phenotype in phenotypes:
            between = text[phenotype.end:disease.start]
            if phenotype.end <= disease.start and len(between) < 80 and _SYMPTOM_OF.search(between) and \
                    not _CLAUSE_END.search(between):
                found.append((disease, phenotype, "symptom-of"))
    # a span never has itself (or the phenotype inside its own name) as phenotype
    return [(d, p, cue) for d, p, cue in found if p.end <= d.start or d.end <= p.start]


def _clause_end(text: str, start: int, sentence_end: int) -> int:
    match = _CLAUSE_END.search(text, start, sentence_end)
    return match.start() if match else sentence_end


def _other_mention_between(diseases: list[Mention], start: int, end: int) -> bool:
    """Another disease between a disease and its cue: the cue is then that one's (the nearest disease before a cue
    takes it: "A, unlike B, presents with P" is said of B)."""
    return any(start <= d.start and d.end <= end for d in diseases)


def _diseases(doc: Document) -> list[Mention]:
    return [m for m in doc.mentions if m.category == Category.DISEASE and m.source == MentionSource.TEXT
            and m.entity_id and not m.entity_id.startswith(f"{LOCAL_PREFIX}:") and m.end > m.start]


def _phenotypes(doc: Document) -> list[Mention]:
    # only a disease that normalization identified names its words; an unidentified span is often the NER's run
    # over a coordination ("palmar pits and short stature"), which must not hide the phenotypes in it
    disease_spans = [(m.start, m.end) for m in _diseases(doc)]
    return [m for m in doc.mentions if m.category == Category.PHENOTYPE and m.source == MentionSource.TEXT
            and m.entity_id and m.entity_id.startswith("HP:")
            and not any(s <= m.start and m.end <= e and (s, e) != (m.start, m.end) for s, e in disease_spans)]
