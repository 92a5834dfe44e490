"""Lookup keys: the variants that must meet do, and texts that must stay apart do."""

from __future__ import annotations

import time

from extractors.normalize.text import forms, loose_form, normal_form, sorted_form


def test_case_punctuation_and_greek_letters_fold():
    assert normal_form("TNF-α") == normal_form("tnf alpha") == "tnf alpha"
    assert normal_form("  Crohn's   disease ") == "crohn s disease"
    assert normal_form("Sjögren syndrome") == "sjogren syndrome"


def test_loose_form_joins_letters_and_digits_and_singularizes():
    assert loose_form("IL-6") == loose_form("IL6") == loose_form("il 6") == "il6"
    assert loose_form("Seizures") == loose_form("seizure")
    assert loose_form("arrhythmias") == loose_form("arrhythmia")
    assert loose_form("diagnosis") == "diagnosis"  # a Latin singular stays as it is
    assert loose_form("hepatitis") == "hepatitis"


def test_word_order_variants_share_the_sorted_form():
    assert sorted_form("Infarction, Myocardial") == sorted_form("myocardial infarction")


def test_bad_input_is_bounded():
    assert forms("") == ("", "", "")
    assert forms("?!.,;:--") == ("", "", "")
    start = time.perf_counter()
    norm, _, _ = forms("lorem ipsum " * 100_000)
    assert time.perf_counter() - start < 1.0
    assert len(norm) <= 300
    assert normal_form("心肌梗死 myocardial") == "心肌梗死 myocardial"


def test_british_spellings_meet_american_ones():
    assert loose_form("tumours") == loose_form("tumor")
    assert loose_form("oedema") == loose_form("edema")
    assert loose_form("haemorrhage") == loose_form("hemorrhage")
    assert loose_form("sulphate") == loose_form("sulfate")
