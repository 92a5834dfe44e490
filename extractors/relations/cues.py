"""NegEx-style negation and speculation cues for the evidence sentence of a relation.

A small, documented cue list rather than a parser: a cue counts when it occurs in the part of the
sentence that states the relation, i.e. from ``WINDOW`` characters before the first mention of the two
entities to the last one (or the whole sentence when the two are not both mentioned in it). This is the
scope rule of NegEx (Chapman et al. 2001) with a character window instead of a five-token window, which
suits "no association between A and B", "A did not inhibit B", "A may cause B".
"""

from __future__ import annotations

import re

WINDOW = 60

NEGATION_CUES: tuple[str, ...] = (
    r"not", r"no", r"neither", r"nor", r"without", r"absence of", r"absent", r"lack of", r"lacks?",
    r"fail(?:s|ed)? to", r"unable to", r"did not", r"does not", r"do not", r"was not", r"were not", r"is not",
    r"are not", r"cannot", r"ruled out", r"rule out", r"none of", r"no evidence", r"non-significant",
    r"not significant(?:ly)?", r"unaffected", r"unrelated", r"independent of",
)
SPECULATION_CUES: tuple[str, ...] = (
    r"may", r"might", r"could", r"possibl[ey]", r"potential(?:ly)?", r"putative", r"suggests?", r"suggesting",
    r"hypothes[ie]s", r"hypothesi[sz]ed?", r"whether", r"unclear", r"unknown", r"likely", r"presumabl[ey]",
    r"appears? to", r"seems? to", r"speculate[ds]?", r"to investigate", r"to determine", r"to examine",
    r"to evaluate", r"we tested", r"remains? to be",
)


def _compile(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(cues) + r")(?![\w-])", re.IGNORECASE)


_NEGATION = _compile(NEGATION_CUES)
_SPECULATION = _compile(SPECULATION_CUES)


def scope(sentence: tuple[int, int], spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The part of ``sentence`` (document offsets) where a cue applies to a relation between ``spans``."""
    start, end = sentence
    inside = [s for s in spans if start <= s[0] and s[1] <= end]
    if len(inside) < 2:
        return sentence
    return max(start, min(s[0] for s in inside) - WINDOW), max(s[1] for s in inside)


def flags(text: str, sentence: tuple[int, int], head_spans: list[tuple[int, int]],
          tail_spans: list[tuple[int, int]]) -> tuple[bool, bool]:
    """``(negated, speculative)`` for a relation between the two entities stated in ``sentence``.

    Only the closest head/tail mentions in the sentence bound the scope; cue words inside a mention
    ("non-small cell", "no-reflow") do not count.
    """
    start, end = sentence
    heads = [s for s in head_spans if start <= s[0] and s[1] <= end]
    tails = [s for s in tail_spans if start <= s[0] and s[1] <= end]
    if heads and tails:
        h, t = min(((h, t) for h in heads for t in tails), key=lambda ht: abs(ht[0][0] - ht[1][0]))
        lo, hi = scope(sentence, [h, t])
    else:
        lo, hi = sentence
    mentions = [*head_spans, *tail_spans]

    def found(pattern: re.Pattern[str]) -> bool:
        return any(not any(s <= m.start() + lo < e for s, e in mentions) for m in pattern.finditer(text[lo:hi]))

    return found(_NEGATION), found(_SPECULATION)
