"""Negation and speculation flags of evidence sentences."""

from __future__ import annotations

from extractors.relations.cues import flags


def _flags(sentence: str, head: str, tail: str) -> tuple[bool, bool]:
    h = sentence.index(head)
    t = sentence.index(tail)
    return flags(sentence, (0, len(sentence)), [(h, h + len(head))], [(t, t + len(tail))])


def test_negated_statements():
    assert _flags("Aspirin did not inhibit COX-2 in these cells.", "Aspirin", "COX-2") == (True, False)
    assert _flags("There was no association between APOE and stroke.", "APOE", "stroke") == (True, False)
    assert _flags("Lithium failed to prevent mania.", "Lithium", "mania") == (True, False)


def test_speculative_statements():
    assert _flags("Valproate may cause hepatotoxicity.", "Valproate", "hepatotoxicity") == (False, True)
    assert _flags("These data suggest that TNF contributes to sepsis.", "TNF", "sepsis") == (False, True)
    assert _flags("We examined whether BRCA1 is linked to ovarian cancer.", "BRCA1", "ovarian cancer")[1]


def test_affirmed_statements_and_cues_inside_mentions():
    assert _flags("Cisplatin induced nephrotoxicity in rats.", "Cisplatin", "nephrotoxicity") == (False, False)
    assert _flags("Gefitinib treats non-small cell lung cancer.", "Gefitinib",
                  "non-small cell lung cancer") == (False, False)


def test_cue_far_before_the_pair_is_out_of_scope():
    sentence = ("Although not all patients in the earlier registry were followed for the full ten years of the study, "
                "haloperidol induced tardive dyskinesia in 12 patients.")
    assert _flags(sentence, "haloperidol", "tardive dyskinesia") == (False, False)
