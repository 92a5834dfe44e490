"""Symptom text → HPO terms: what a user typed, split, negated and looked up (the first half of a symptom question;
:mod:`queries.symptoms` ranks diseases by the terms).

The input is split into clauses at ``, ; . :``, new lines and contrast words (but, however, although…), and
clauses into items at and/or/with/plus unless the whole clause is itself a known term ("nausea and vomiting").
A negation cue at the start of a clause (``NEGATION_CUES``: "no", "without", "denies", "negative for"…)
negates every item of that clause, NegEx-style; a trailing cue ("fever absent", "cough: denied") negates its
item. Items are looked up in a lexicon of HPO names and EXACT/RELATED synonyms (phenotypic-abnormality branch
only): exact match on a normalised form, then the nearest lexicon entry by cosine similarity of character
n-gram TF-IDF vectors if it reaches ``fuzzy_threshold``. Anything else is reported as unrecognised, with the
closest entries. CURIEs (``HP:0001945``, ``-HP:0001945`` or ``no HP:0001945`` for absent) are taken as is.
Only the first ``MAX_ITEMS`` items are looked up and the first ``MAX_UNRECOGNIZED`` unrecognised ones listed;
the answer counts the others (``ignored``, ``unrecognized_omitted``), so that a pasted page costs what a long
list of symptoms does (issue 20: 16.5 s and megabytes of answer for 4 × 5000 characters of distinct words).

Unknown items are :class:`queries.resolve.Unrecognized`, the type every question answers unknown input with, here
with ``negated`` set and term matches as close matches. Text with Chinese in it goes to
:mod:`queries.symptom_text_zh`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from kg.ontology import HpoOntology
from kg.schema import Category
from queries.resolve import Unrecognized

NEGATION_CUES = (
    "no", "not", "without", "denies", "denied", "negative for", "absence of", "absent", "free of", "no sign of",
    "no signs of", "no evidence of", "no history of", "never had", "ruled out", "rules out", "nor",
)
"""Cues that negate the rest of their clause when they open it (longest first when matched)."""
POST_NEGATION_CUES = ("absent", "denied", "not present", "negative", "ruled out", "excluded", "none")
"""Cues that negate an item when they close it ("fever absent")."""
MAX_ITEMS = 100
"""Items looked up per field of a question (symptoms here; conditions, drugs, genotypes of a patient profile): a
real profile has tens, and each costs a lexicon lookup and a nearest-name search."""
MAX_UNRECOGNIZED = 10
"""Unrecognised items listed per field, each with its closest names; the others are only counted."""
NO_TERM = "no HPO phenotype matches"
"""Why a symptom is unrecognised when it is not a CURIE (it names no term, exactly or by near spelling)."""

_CLAUSE_BREAK = re.compile(r"[,;\n]|[.:](?!\d)|\b(?:but|however|although|though|except|whereas|yet)\b", re.IGNORECASE)
_ITEM_BREAK = re.compile(r"\b(?:and|or|with|plus|as well as|along with|nor)\b|&|/|\+", re.IGNORECASE)
_FILLER = re.compile(
    r"^(?:(?:the|a|an|this|our|my)\s+)?(?:patient|pt|he|she|they|child|boy|girl|man|woman|infant|baby|i)?\s*"
    r"(?:has|had|have|having|is|was|with|presents with|presenting with|presented with|complains of|"
    r"complaining of|complained of|reports|reported|reporting|shows|showing|suffers from|suffering from|"
    r"experiences|experiencing|developed|noted|also)?\s*(?:of\s+)?(?:a|an|the|some|any)?\s+",
    re.IGNORECASE,
)
_CURIE = re.compile(r"^(?P<neg>[-!~])?\s*(?P<id>hp:\d{7})$", re.IGNORECASE)
_PHENOTYPE = Category.PHENOTYPE


# ---- lexicon ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TermMatch:
    term_id: str
    label: str
    similarity: float
    method: str  # curie | exact | broad (a BROAD synonym) | fuzzy


class Lexicon:
    """HPO names and synonyms → terms: normalized lookup, then character n-gram TF-IDF nearest neighbour.

    Delegates to :class:`extractors.normalize.Lexicon` built from the phenotypic-abnormality terms of ``ontology``
    (the same matching as text-mention normalization: case, punctuation, Greek letters, plurals, word order,
    adjective endings), so that a symptom typed by a user and one found in an abstract resolve alike.
    """

    def __init__(self, ontology: HpoOntology, fuzzy_threshold: float = 0.7) -> None:
        from extractors.normalize.lexicon import Lexicon as TermLexicon
        from extractors.normalize.sources import Concept, read_hpo

        self.ontology = ontology
        self.fuzzy_threshold = fuzzy_threshold
        self._terms = TermLexicon.from_concepts(read_hpo(ontology), {"hp.obo": ontology.version})
        # Second tier: BROAD synonyms ("Rash" of Skin rash), which text mining must not use but users type.
        self._broad = TermLexicon.from_concepts(
            (Concept(term.id, (_PHENOTYPE,), synonym) for term in ontology.terms.values()
             if term.broad_synonyms and not term.obsolete and ontology.is_phenotype(term.id)
             for synonym in term.broad_synonyms),
            {"hp.obo": ontology.version})

    def label(self, term_id: str) -> str:
        return self.ontology.terms[term_id].name

    def exact(self, text: str) -> TermMatch | None:
        # partial=False: "ectopia lentis and aortic root aneurysm" is two symptoms, not the first conjunct
        match = self._terms.lookup(text, _PHENOTYPE, fuzzy=False, partial=False)
        if match:
            return TermMatch(match.curie, self.label(match.curie), 1.0, "exact")
        match = self._broad.lookup(text, _PHENOTYPE, fuzzy=False, partial=False)
        return TermMatch(match.curie, self.label(match.curie), 1.0, "broad") if match else None

    def nearest(self, text: str, k: int = 3) -> list[TermMatch]:
        """The k closest lexicon entries (one per term), best first."""
        return [TermMatch(m.curie, self.label(m.curie), round(m.score, 3), "fuzzy")
                for m in self._terms.nearest(text, _PHENOTYPE, k)]

    def lookup(self, text: str) -> tuple[TermMatch | None, list[TermMatch]]:
        """The term for ``text`` (or None) and, when there is none, the closest entries.

        An amount said in words ("much sputum", "phlegm much", "too little urine") is also looked up as HPO says
        it ("increased sputum", "decreased urine"), exactly and then by nearest name (the better of the two
        readings wins).
        """
        match = self.exact(text)
        if match:
            return match, []
        variants = quantity_variants(text)
        for variant in variants:
            match = self.exact(variant)
            if match:
                return match, []
        near = self.nearest(text)
        for variant in variants:
            near = sorted([*near, *self.nearest(variant)], key=lambda m: -m.similarity)
        near = list({m.term_id: m for m in reversed(near)}.values())[::-1][:3]
        if near and near[0].similarity >= self.fuzzy_threshold:
            return near[0], []
        return None, near


_MORE = r"much|many|lots of|a lot of|plenty of|copious|profuse|excessive|excess|too much|a great deal of|more"
_LESS = r"little|less|too little|scanty|scant|reduced|diminished"
_QUANTITY_BEFORE = re.compile(rf"^(?:(?P<more>{_MORE})|(?P<less>{_LESS}))\s+(?P<rest>.+)$", re.IGNORECASE)
_QUANTITY_AFTER = re.compile(rf"^(?P<rest>.+?)\s+(?:(?P<more>{_MORE}|increased|a lot)|(?P<less>{_LESS}|decreased))$",
                             re.IGNORECASE)


def quantity_variants(text: str) -> list[str]:
    """"much sputum" / "sputum much" → ["increased sputum"], "little urine" → ["decreased urine"] (else [])."""
    match = _QUANTITY_BEFORE.match(text.strip()) or _QUANTITY_AFTER.match(text.strip())
    if not match:
        return []
    return [f"{'increased' if match['more'] else 'decreased'} {match['rest']}"]


# ---- parsing ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class SymptomTerm:
    text: str
    term_id: str
    label: str
    method: str
    similarity: float
    negated: bool = False
    reading: str = ""  # the English it was read as, when ``text`` was not English (see queries.symptom_text_zh)


@dataclass(slots=True)
class ParsedSymptoms:
    present: list[SymptomTerm] = field(default_factory=list)
    absent: list[SymptomTerm] = field(default_factory=list)
    unrecognized: list[Unrecognized] = field(default_factory=list)
    ignored: int = 0  # items after the first max_items, not looked up (counted as split, before cleaning)
    unrecognized_omitted: int = 0  # unrecognised items after the first max_unrecognized, not listed


def _strip_cue(text: str, cues: tuple[str, ...], *, at_start: bool) -> tuple[str, bool]:
    low = text.lower()
    for cue in sorted(cues, key=len, reverse=True):
        if at_start and re.match(rf"{re.escape(cue)}\b", low):
            return text[len(cue):].strip(), True
        if not at_start and re.search(rf"\b{re.escape(cue)}$", low):
            return text[: len(text) - len(cue)].strip(" -:"), True
    return text, False


def _clean_item(text: str) -> str:
    text = text.strip(" \t()[]'\"")
    if not _CURIE.match(text):  # a leading "-" marks an absent CURIE
        text = text.strip(" -–—")
    previous = None
    while previous != text:
        previous, text = text, _FILLER.sub("", text + " ", count=1).strip()
    return text


def _count_items(clause: str) -> int:
    return sum(1 for item in _ITEM_BREAK.split(clause) if item and item.strip())


def parse_symptoms(text: str, lexicon: Lexicon, *, max_items: int = MAX_ITEMS,
                   max_unrecognized: int = MAX_UNRECOGNIZED) -> ParsedSymptoms:
    """Split, negate and normalise a symptom description (see the module docstring for the rules).

    Text with Chinese characters in it is read by :mod:`queries.symptom_text_zh` (segmented, translated through
    CC-CEDICT, grounded in this lexicon), each term keeping the English ``reading`` it was found by.
    """
    from queries.symptom_text_zh import has_chinese, parse_chinese_symptoms

    if has_chinese(text):
        return parse_chinese_symptoms(text, lexicon, max_items=max_items, max_unrecognized=max_unrecognized)
    parsed = ParsedSymptoms()
    seen: set[tuple[str, bool]] = set()

    def unrecognized(item: str, negated: bool, near: list[TermMatch], reason: str) -> None:
        if len(parsed.unrecognized) < max_unrecognized:
            parsed.unrecognized.append(Unrecognized(item, reason, [asdict(m) for m in near], negated=negated))
        else:
            parsed.unrecognized_omitted += 1

    def add(item: str, negated: bool) -> None:
        item, post = _strip_cue(item, POST_NEGATION_CUES, at_start=False)
        negated = negated or post
        curie = _CURIE.match(item.strip())
        if curie:
            term_id = lexicon.ontology.resolve(curie["id"].upper())
            negated = negated or bool(curie["neg"])
            if term_id is None:
                version = lexicon.ontology.version
                unrecognized(item, negated, [], f"{curie['id'].upper()} is not a term of HPO {version}")
                return
            match = TermMatch(term_id, lexicon.label(term_id), 1.0, "curie")
        else:
            item = _clean_item(item)
            if not item:
                return
            found, near = lexicon.lookup(item)
            if found is None:
                unrecognized(item, negated, near, NO_TERM)
                return
            match = found
        if (match.term_id, negated) in seen:
            return
        seen.add((match.term_id, negated))
        term = SymptomTerm(item.strip(), match.term_id, match.label, match.method, match.similarity, negated)
        (parsed.absent if negated else parsed.present).append(term)

    n_items = 0
    for clause in _CLAUSE_BREAK.split(text):
        if n_items >= max_items:
            parsed.ignored += _count_items(clause)
            continue
        clause = _clean_item(clause or "")
        clause, negated = _strip_cue(clause, NEGATION_CUES, at_start=True)
        clause = _clean_item(clause)
        if not clause:
            continue
        whole, _ = (lexicon.exact(clause), None) if not _CURIE.match(clause) else (None, None)
        items = [clause] if whole else [i for i in _ITEM_BREAK.split(clause) if i and i.strip()]
        for item in items:
            if n_items >= max_items:
                parsed.ignored += 1
                continue
            n_items += 1
            item, cue = _strip_cue(_clean_item(item), NEGATION_CUES, at_start=True)
            add(item, negated or cue)
    # A term both present and absent (contradictory input) is kept as present only.
    present = {t.term_id for t in parsed.present}
    parsed.absent = [t for t in parsed.absent if t.term_id not in present]
    return parsed


_LEXICONS: dict[int, Lexicon] = {}


def symptom_lexicon(ontology: HpoOntology) -> Lexicon:
    """One lexicon per ontology object per process (building the TF-IDF index takes a few seconds)."""
    if id(ontology) not in _LEXICONS:
        _LEXICONS[id(ontology)] = Lexicon(ontology)
    return _LEXICONS[id(ontology)]
