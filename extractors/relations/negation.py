"""Negated and speculative evidence: NegEx (negspacy) on the tokens and sentences of the pipeline's one pass.

negspacy's ``Negex`` (Chapman et al.'s NegEx with pseudo-negations and termination terms) decides whether an entity
span is in the scope of a cue: a *preceding* cue before it or a *following* cue after it, in the same part of its
sentence — parts end at termination terms ("but", "however", "which", and ";" here), and a pseudo-negation ("not
only", "not all") is no cue. It runs twice: with a negation termset and with a speculation one ("may", "suggest",
"whether"), both negspacy's English lists adapted to statements of abstracts (below).

A relation's statement is negated (speculative) when the later of its two mentions in the evidence sentence — the
one the predicate leads to: "A did not inhibit B", "no association between A and B", "seizures did not occur in
patients given A" — is in a negation (speculation) scope. So "No patient had seizures; paroxetine inhibited CYP2D6"
and "paroxetine not only inhibited CYP2D6" are affirmed, and a cue inside a mention of either entity ("non-small cell",
"inducible NO synthase") is no cue; nor is "NO" in capitals, nitric oxide in abstracts. A
compound statement, "A-induced B", presupposes its relation: only a cue right before it ("no", "without", "possible")
applies, so "CBZ had no effect on cocaine-induced seizures" affirms cocaine-induced seizures (:data:`COMPOUND`).

medspaCy's ConText would cover both with one rule set, but medspaCy 1.3.1 needs spaCy < 3.8 and the shipped NER
model needs 3.8; negspacy 1.1.0 runs on 3.8.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from extractors.settings import settings_digest

if TYPE_CHECKING:
    from spacy.language import Language

    from extractors.analysis import TextAnalysis

Span = tuple[int, int]

SPAN_KEY = "medkg_statement"
"""``doc.spans`` group that holds the mentions whose scope is asked for."""

RULES_VERSION = "3"
"""Changes with the scope rules of this module beyond the termsets (2: no cue inside a mention of either entity, nor
:data:`NOT_CUES`; 3: compound statements, :data:`COMPOUND`); part of the relation extractor's version."""

COMPOUND = re.compile(r"\s*-?\s*(?:induced|associated|related|evoked|provoked|elicited|triggered|caused|mediated|"
                      r"dependent)\s*", re.IGNORECASE)
"""What joins the two mentions of a compound statement, "A-induced B": the relation is presupposed by the noun phrase,
so a cue of the clause around it is about something else ("CBZ had no effect on cocaine-induced seizures", "whether
paracetamol-induced liver failure increases mortality"). Only a cue right before the compound applies to it."""
COMPOUND_NEGATED = re.compile(r"(?:\bno|\bwithout|\babsence of|\black of|\bfree of)\s*$", re.IGNORECASE)
COMPOUND_SPECULATIVE = re.compile(r"(?:\bpossible|\bpossibly|\bpotential|\bpotentially|\bputative|\bprobable|"
                                  r"\bprobably|\bsuspected|\bpresumed|\blikely)\s*$", re.IGNORECASE)

MENTIONS_KEY = "medkg_statement_mentions"
"""``doc.spans`` group that holds every mention of the statements' entities: no cue is inside one."""

NOT_CUES = frozenset({"NO"})
"""Tokens, case-sensitive, that are no cue: "NO" is nitric oxide ("NO-induced headache", "NO synthase")."""

TERMINATION_EXTRA = [";", "whereas", "while", "in contrast", "by contrast", "unlike"]

NEGATION_ADD = {
    "pseudo_negations": ["not all", "not always", "not limited to", "not to be confused", "whether or not",
                         "not yet been", "no longer required"],
    "preceding_negations": ["neither", "nor", "none of", "no evidence", "no association", "no relationship",
                            "no correlation", "no effect", "no effects", "lack of", "lacked", "lacks", "lacking",
                            "fail to", "fails to", "failed to", "unable to", "did not", "does not", "do not",
                            "was not", "were not", "is not", "are not", "has not", "have not", "had not",
                            "not significantly", "non-significant", "nonsignificant", "independent of",
                            "unrelated to", "rather than", "instead of"],
    "following_negations": ["was not observed", "were not observed", "was not found", "were not found",
                            "was not detected", "were not detected", "was unaffected", "were unaffected",
                            "remained unchanged", "was absent", "were absent", "not affected"],
    "termination": TERMINATION_EXTRA,
}
NEGATION_REMOVE = {
    # statements of effect, not of stability: "caused no increase in B", "did not cause B" are negated relations
    "pseudo_negations": ["no increase", "no significant change", "no change", "no definite change", "not cause",
                         "not extend"],
    # "drug versus placebo", "IL-6 declined" are no negation in an abstract; "unlikely" is a speculation cue here
    "preceding_negations": ["versus", "declined", "doubt"],
    "following_negations": ["declined", "unlikely"],
}

SPECULATION = {
    "pseudo_negations": ["no doubt", "without doubt", "may not", "might not", "could not", "not likely"],
    "preceding_negations": [
        "may", "might", "could", "possibly", "possible", "potential", "potentially", "putative", "putatively",
        "suggest", "suggests", "suggested", "suggesting", "suggestive of", "hypothesis", "hypothesize",
        "hypothesized", "hypothesise", "hypothesised", "whether", "if", "unclear", "unknown", "likely", "unlikely",
        "probably", "probable", "presumably", "perhaps", "appear to", "appears to", "seem to", "seems to",
        "speculate", "speculated", "to investigate", "to determine", "to examine", "to evaluate", "to assess",
        "to explore", "to test", "we tested", "remains to be", "remain to be", "is thought to", "are thought to",
        "may be"],
    "following_negations": ["remains unclear", "remain unclear", "remains unknown", "remain unknown", "is unclear",
                            "is unknown", "was hypothesized", "were hypothesized", "is suggested", "was suggested",
                            "remains to be determined", "remains to be elucidated", "is possible", "is proposed",
                            "was proposed"],
    "termination": [],
}


def negation_terms() -> dict[str, list[str]]:
    """negspacy's English termset with :data:`NEGATION_ADD` added and :data:`NEGATION_REMOVE` removed."""
    from negspacy.termsets import termset

    base = termset("en").get_patterns()
    return {key: sorted({*base[key], *NEGATION_ADD.get(key, [])} - set(NEGATION_REMOVE.get(key, [])))
            for key in base}


def speculation_terms() -> dict[str, list[str]]:
    """:data:`SPECULATION` with negspacy's English termination terms (and ours) as the scope's ends."""
    from negspacy.termsets import termset

    termination = termset("en").get_patterns()["termination"]
    return {**SPECULATION, "termination": sorted({*termination, *TERMINATION_EXTRA})}


class StatementCues:
    """``(negated, speculative)`` of relation statements, on the analysis ``Doc`` of the pipeline's one pass."""

    def __init__(self, nlp: Language) -> None:
        negex = _mention_aware_negex()
        self.terms = {"negated": negation_terms(), "speculative": speculation_terms()}
        self._negex = [negex(nlp, f"medkg_{name}", terms, extension_name=f"medkg_{name}", span_keys=[SPAN_KEY])
                       for name, terms in self.terms.items()]

    @property
    def version(self) -> str:
        return settings_digest({"rules": RULES_VERSION, **self.terms})

    def flags(self, analysis: TextAnalysis, statements: Sequence[tuple[Span, list[Span], list[Span]]]
              ) -> list[tuple[bool, bool]]:
        """For each ``(sentence, head spans, tail spans)`` (document offsets): whether the statement of a relation
        between the two entities in that sentence is negated, and whether it is speculative."""
        doc = analysis.doc
        targets = [_later_mention(sentence, heads, tails) for sentence, heads, tails in statements]
        spans = {t: doc.char_span(t[0], t[1], alignment_mode="expand") for t in set(targets) if t is not None}
        group = [s for s in spans.values() if s is not None]
        for span in group:
            for negex in self._negex:
                span._.set(negex.extension_name, False)
        doc.spans[SPAN_KEY] = group
        mentions = {m for sentence, heads, tails in statements for m in (*heads, *tails)}
        doc.spans[MENTIONS_KEY] = [s for s in (doc.char_span(a, b, alignment_mode="expand") for a, b in mentions)
                                   if s is not None]
        for negex in self._negex:
            negex(doc)
        out = []
        for target, statement in zip(targets, statements, strict=True):
            scoped = spans.get(target) if target else None
            compound = _compound(analysis.text, *statement)
            if compound is not None:
                out.append(compound)
            elif scoped is None:
                out.append((False, False))
            else:
                negated, speculative = (bool(scoped._.get(n.extension_name)) for n in self._negex)
                out.append((negated, speculative))
        del doc.spans[SPAN_KEY]
        del doc.spans[MENTIONS_KEY]
        return out


def _mention_aware_negex() -> type:
    """negspacy's ``Negex`` whose cues (preceding and following) exclude those inside a span of
    :data:`MENTIONS_KEY` and the tokens of :data:`NOT_CUES`."""
    from negspacy.negation import Negex

    class MentionAwareNegex(Negex):  # type: ignore[misc,valid-type]
        def process_negations(self, doc):  # type: ignore[no-untyped-def]
            preceding, following, terminating = super().process_negations(doc)
            inside = {i for span in doc.spans.get(MENTIONS_KEY, []) for i in range(span.start, span.end)}

            def cue(match: tuple[int, int, int]) -> bool:
                _, start, end = match
                return not any(i in inside or doc[i].text in NOT_CUES for i in range(start, end))

            return [m for m in preceding if cue(m)], [m for m in following if cue(m)], terminating

    return MentionAwareNegex


def _closest(sentence: Span, heads: list[Span], tails: list[Span]) -> tuple[Span, Span] | None:
    """The closest head/tail mentions inside ``sentence``, in text order; None unless both entities are in it."""
    start, end = sentence
    inside_heads = [s for s in heads if start <= s[0] and s[1] <= end]
    inside_tails = [s for s in tails if start <= s[0] and s[1] <= end]
    if not inside_heads or not inside_tails:
        return None
    h, t = min(((h, t) for h in inside_heads for t in inside_tails), key=lambda ht: abs(ht[0][0] - ht[1][0]))
    return (h, t) if h <= t else (t, h)


def _compound(text: str, sentence: Span, heads: list[Span], tails: list[Span]) -> tuple[bool, bool] | None:
    """``(negated, speculative)`` of a compound statement (:data:`COMPOUND`) from the words right before it; None when
    the closest mentions are no compound."""
    closest = _closest(sentence, heads, tails)
    if closest is None:
        return None
    first, second = closest
    if first[1] > second[0] or not COMPOUND.fullmatch(text, first[1], second[0]):
        return None
    before = text[sentence[0]:first[0]]
    return bool(COMPOUND_NEGATED.search(before)), bool(COMPOUND_SPECULATIVE.search(before))


def _later_mention(sentence: Span, heads: list[Span], tails: list[Span]) -> Span | None:
    """Of the closest head/tail mentions inside ``sentence``, the later one; the one entity's mention when only one
    is in the sentence; None when neither is."""
    start, end = sentence
    inside_heads = [s for s in heads if start <= s[0] and s[1] <= end]
    inside_tails = [s for s in tails if start <= s[0] and s[1] <= end]
    if inside_heads and inside_tails:
        h, t = min(((h, t) for h in inside_heads for t in inside_tails), key=lambda ht: abs(ht[0][0] - ht[1][0]))
        return max(h, t)
    inside = inside_heads or inside_tails
    return inside[0] if inside else None

