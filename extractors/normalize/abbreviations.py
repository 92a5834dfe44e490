"""Abbreviations defined in a document ("myocardial infarction (MI)"), found by scispaCy's AbbreviationDetector.

The detector (Schwartz & Hearst's algorithm) works offline on a blank English pipeline; the pipeline is built
once per process. A mention that is a short form defined in its document is looked up by its long form.
"""

from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

MAX_CHARS = 20_000
"""Longer texts are cut for abbreviation detection: definitions sit near their first use, and the detector's time
grows faster than linearly with the number of candidate definitions (a 1 MB text took minutes)."""

_nlp: Language | None = None
_lock = threading.Lock()


def _pipeline() -> Language:
    global _nlp
    with _lock:
        if _nlp is None:
            import spacy

            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=FutureWarning)
                from scispacy.abbreviation import AbbreviationDetector  # noqa: F401  (registers the factory)

            nlp = spacy.blank("en")
            nlp.add_pipe("abbreviation_detector")
            _nlp = nlp
        return _nlp


def abbreviations(text: str) -> dict[str, str]:
    """Short form → long form of every abbreviation ``text`` defines."""
    return abbreviations_many([text])[0]


def abbreviations_many(texts: list[str], batch_size: int = 64) -> list[dict[str, str]]:
    """Short form → long form of every abbreviation each text defines, batched through spaCy."""
    nlp = _pipeline()
    out: list[dict[str, str]] = []
    with warnings.catch_warnings():
        # W036: the detector's global matcher has no patterns in a text without definitions
        warnings.filterwarnings("ignore", message=r"\[W036\]")
        for doc in nlp.pipe((t[:MAX_CHARS] if "(" in t else "" for t in texts), batch_size=batch_size):
            found: dict[str, str] = {}
            for short in doc._.abbreviations:
                found.setdefault(short.text, short._.long_form.text)
            out.append(found)
    return out
