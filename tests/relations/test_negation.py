"""Negation and speculation of relation statements (negspacy's NegEx on the shared analysis)."""

from __future__ import annotations

import pytest

from extractors.analysis import shared_analyzer
from extractors.relations.negation import StatementCues


@pytest.fixture(scope="module")
def cues() -> StatementCues:
    return StatementCues(shared_analyzer().nlp)


def _flags(cues: StatementCues, sentence: str, head: str, tail: str) -> tuple[bool, bool]:
    (analysis,) = shared_analyzer().analyze_texts([(sentence, 0)])
    h, t = sentence.index(head), sentence.rindex(tail)
    (found,) = cues.flags(analysis, [((0, len(sentence)), [(h, h + len(head))], [(t, t + len(tail))])])
    return found


def test_negated_statements(cues: StatementCues) -> None:
    assert _flags(cues, "Aspirin did not inhibit COX-2 in these cells.", "Aspirin", "COX-2") == (True, False)
    assert _flags(cues, "There was no association between APOE and stroke.", "APOE", "stroke") == (True, False)
    assert _flags(cues, "Lithium failed to prevent mania.", "Lithium", "mania") == (True, False)
    assert _flags(cues, "Seizures did not occur in patients given paroxetine.", "Seizures", "paroxetine")[0]


def test_speculative_statements(cues: StatementCues) -> None:
    assert _flags(cues, "Valproate may cause hepatotoxicity.", "Valproate", "hepatotoxicity") == (False, True)
    assert _flags(cues, "These data suggest that TNF contributes to sepsis.", "TNF", "sepsis") == (False, True)
    assert _flags(cues, "We examined whether BRCA1 is linked to ovarian cancer.", "BRCA1", "ovarian cancer")[1]


def test_pseudo_negation_and_termination_are_not_negation(cues: StatementCues) -> None:
    # issue 19's two misreadings of the hand-written cues
    assert _flags(cues, "Paroxetine not only inhibited CYP2D6 but also CYP3A4.", "Paroxetine", "CYP2D6") \
        == (False, False)
    assert _flags(cues, "No patient had seizures; paroxetine inhibited CYP2D6.", "paroxetine", "CYP2D6") \
        == (False, False)
    # the scope ends at "but": the statement after it is affirmed, the one before it negated
    sentence = "Aspirin did not reduce fever but increased bleeding."
    assert _flags(cues, sentence, "Aspirin", "bleeding") == (False, False)
    assert _flags(cues, sentence, "Aspirin", "fever") == (True, False)


def test_affirmed_statements_and_cues_inside_mentions(cues: StatementCues) -> None:
    assert _flags(cues, "Cisplatin induced nephrotoxicity in rats.", "Cisplatin", "nephrotoxicity") == (False, False)
    assert _flags(cues, "Gefitinib treats non-small cell lung cancer.", "Gefitinib",
                  "non-small cell lung cancer") == (False, False)
    assert _flags(cues, "Codeine versus placebo reduced cough.", "Codeine", "cough") == (False, False)


def test_quantifier_not_all_is_no_negation(cues: StatementCues) -> None:
    sentence = ("Although not all patients in the earlier registry were followed for the full ten years of the study, "
                "haloperidol induced tardive dyskinesia in 12 patients.")
    assert _flags(cues, sentence, "haloperidol", "tardive dyskinesia") == (False, False)


def test_a_statement_without_its_mentions_in_the_sentence_is_unflagged(cues: StatementCues) -> None:
    (analysis,) = shared_analyzer().analyze_texts([("No effect was seen. Aspirin helped.", 0)])
    assert cues.flags(analysis, [((0, 19), [(20, 27)], [(20, 27)])]) == [(False, False)]


def test_nitric_oxide_and_cues_inside_either_mention_are_no_cue(cues: StatementCues) -> None:
    # benchmarks/negation.py, tune half: "NO" (nitric oxide) was read as "no", also inside the other mention
    sentence = "We showed reduced excretion of NO metabolites in rats with lead-induced hypertension."
    assert _flags(cues, sentence, "lead", "hypertension") == (False, False)
    assert _flags(cues, "Inducible NO synthase participates in the pronociceptive activity of bradykinin.",
                  "Inducible NO synthase", "bradykinin") == (False, False)
    assert _flags(cues, "We suggest that NO is important in ADR-induced nephrosis.", "NO", "ADR") == (False, True)
    # a lowercase "no" is still a cue
    assert _flags(cues, "Tiapride had no effect on dystonia.", "Tiapride", "dystonia") == (True, False)


def test_compound_statements_take_only_the_cue_right_before_them(cues: StatementCues) -> None:
    # benchmarks/negation.py: "A-induced B" presupposes the relation; the clause's cue is about something else
    sentence = "Acute CBZ had no effect on cocaine-induced seizures."
    assert _flags(cues, sentence, "cocaine", "seizures") == (False, False)
    assert _flags(cues, sentence, "CBZ", "seizures") == (True, False)
    assert _flags(cues, "To examine whether paracetamol-induced liver failure increases mortality.", "paracetamol",
                  "liver failure") == (False, False)
    assert _flags(cues, "No lithium-induced tremor was seen.", "lithium", "tremor") == (True, False)
    assert _flags(cues, "Possible azithromycin-associated hiccups.", "azithromycin", "hiccups") == (False, True)
