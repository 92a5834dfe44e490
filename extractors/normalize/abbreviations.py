"""Abbreviations defined in a document ("myocardial infarction (MI)"), found by scispaCy's AbbreviationDetector.

The detector (Schwartz & Hearst's algorithm) runs on the tokens of the pipeline's one spaCy pass
(:class:`extractors.analysis.TextAnalysis` publishes what it finds). A mention that is a short form defined in its
document is looked up by its long form. :func:`defined_by_mentions` adds the definitions whose two sides are both
mentions of the document.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MAX_CHARS = 20_000
"""Longer texts are cut for abbreviation detection: definitions sit near their first use, and the detector's time
grows faster than linearly with the number of candidate definitions (a 1 MB text took minutes)."""


def detector(nlp: Language) -> Callable[[Doc], dict[str, str]]:
    """Short form → long form of every abbreviation a ``Doc`` of ``nlp`` defines (its first :data:`MAX_CHARS`)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning)
        from scispacy.abbreviation import AbbreviationDetector

    detect = AbbreviationDetector(nlp)

    def defined(doc: Doc) -> dict[str, str]:
        if "(" not in doc.text:
            return {}
        if len(doc.text) > MAX_CHARS:
            doc = doc.char_span(0, MAX_CHARS, alignment_mode="contract").as_doc()
        with warnings.catch_warnings():
            # W036: the detector's global matcher has no patterns in a text without definitions
            warnings.filterwarnings("ignore", message=r"\[W036\]")
            doc = detect(doc)
        found: dict[str, str] = {}
        for short in doc._.abbreviations:
            found.setdefault(short.text, short._.long_form.text)
        return found

    return defined


def abbreviations(text: str) -> dict[str, str]:
    """Short form → long form of every abbreviation ``text`` defines (through the process's shared analyzer)."""
    from extractors.analysis import shared_analyzer

    (analysis,) = shared_analyzer().analyze_texts([(text, 0)])
    return analysis.abbreviations


_PARENTHESIS = re.compile(r"[(\[]\s*([^\s()\[\],;]{1,15})\s*[)\],;]")


def defined_by_mentions(text: str, mentions: Iterable[tuple[str, Hashable]]) -> dict[str, str]:
    """Short form → long form where a mention is written right before a parenthesis that holds another mention
    of the same category, the short form, or ends with it after a hyphen or starts with it before a slash
    ("doxorubicin (DOX)-induced", "puromycin aminonucleoside (PAN, 7.5 mg/kg)", "acute liver failure (ATT-ALF)",
    "benzodiazepines (BZDs/RDs)").

    Catches what Schwartz & Hearst's letter matching leaves (its long form must contain the short form's letters
    in order from word starts: "myotonic dystrophy (DM)" fails) while the mentions vouch for both sides; the short
    form's letters must still all occur in the long form, the first one at a word start.
    """
    by_text: dict[str, set[Hashable]] = {}
    for mention, category in mentions:
        if mention:
            by_text.setdefault(mention, set()).add(category)
    longs = sorted(by_text, key=len, reverse=True)
    window = len(longs[0]) + 10 if longs else 0
    found: dict[str, str] = {}
    for paren in _PARENTHESIS.finditer(text[:MAX_CHARS]):
        inside = paren.group(1)
        before = text[max(0, paren.start() - window): paren.start()].rstrip()
        for short in dict.fromkeys((inside, inside.rpartition("-")[2], inside.partition("/")[0])):
            categories = by_text.get(short)
            if not categories or short in found:
                continue
            for long in longs:
                if len(long) > len(short) and before.endswith(long) and by_text[long] & categories \
                        and _letters_agree(short, long):
                    found[short] = long
                    break
    return found


def document_abbreviations(text: str, mentions: Iterable[tuple[str, Hashable]], detected: dict[str, str]
                           ) -> dict[str, str]:
    """All short forms a document defines: ``detected`` (scispaCy's, which win) and :func:`defined_by_mentions`.
    One rule for the pipeline component and the evaluation, so that both resolve short forms alike."""
    if "(" not in text and "[" not in text:
        return detected
    return {**defined_by_mentions(text, mentions), **detected}


def _letters_agree(short: str, long: str) -> bool:
    letters = [c for c in short.lower() if c.isalpha()]
    lowered = long.lower()
    words = {w[0] for w in re.split(r"[\W_]+", lowered) if w}
    return bool(letters) and letters[0] in words and all(c in lowered for c in letters)
