"""Lookup keys for names and mentions: the variants that should match each other map to one key.

``normal_form`` folds what never changes meaning for lookup: case, accents, Greek letters (``α`` and
``alpha``), dashes, brackets and other punctuation, runs of white space. ``loose_form`` also drops the
spaces that separate letters from digits, singularizes words and spells them the American way, so that
"IL-6" = "IL 6" = "il6", "seizures" = "seizure" and "tumours" = "tumor". ``sorted_form`` orders the words,
for MeSH's inverted entry terms ("Infarction, Myocardial"). Every name of the lexicon is indexed under all
three; a mention is looked up with the strictest form first.
"""

from __future__ import annotations

import re
import unicodedata

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "ο": "omicron",
    "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega", "µ": "mu",
}
_GREEK_RE = re.compile("|".join(GREEK))
_NON_WORD = re.compile(r"[\W_]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z]) (?=\d)|(?<=\d) (?=[a-z])")
# words left alone by the plural rule (Latin/Greek singulars and words whose "s" is not a plural)
_NOT_PLURAL = ("ss", "us", "is", "ics", "ous", "sis", "xis", "osis", "itis")
MAX_KEY_CHARS = 300
"""Longer texts are cut before normalization: no name in the vocabularies is this long, and it bounds time."""


def normal_form(text: str) -> str:
    """Lower case, accents stripped, Greek letters spelled out, every run of non-word characters one space."""
    text = _GREEK_RE.sub(lambda m: f" {GREEK[m.group()]} ", text[:MAX_KEY_CHARS].lower())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def singular(word: str) -> str:
    """English plural → singular for the common suffixes; anything unclear is left as it is."""
    if len(word) <= 3 or not word.isalpha() or word.endswith(_NOT_PLURAL):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def loose_form(text: str) -> str:
    """:func:`normal_form`, words singularized, no space between a letter and a digit ("il 6" → "il6")."""
    return _loosen(normal_form(text))


def sorted_form(text: str) -> str:
    """:func:`loose_form` with its words sorted (word-order variants share it)."""
    return " ".join(sorted(loose_form(text).split()))


def forms(text: str) -> tuple[str, str, str]:
    """(normal, loose, sorted) forms of ``text``, computed together."""
    norm = normal_form(text)
    loose = _loosen(norm)
    return norm, loose, " ".join(sorted(loose.split()))


def american(word: str) -> str:
    """British → American spelling of medical words: tumour, oedema, haemorrhage, anaemia, sulphate."""
    if len(word) <= 4:
        return word
    word = word.replace("ae", "e").replace("oe", "e").replace("sulph", "sulf")
    return word[:-3] + "or" if word.endswith("our") and len(word) > 5 else word


def _loosen(norm: str) -> str:
    return _LETTER_DIGIT.sub("", " ".join(american(singular(w)) for w in norm.split()))
