"""Odd input through the public entry point ``default_pipeline``: odd Unicode, empty parts, a very long abstract.

Nothing may crash, every text mention's offsets must slice ``Document.text`` to the mention's text, and what a
reader would recognize through the oddity is still normalized.
"""

from __future__ import annotations

import pytest

from extractors.pipeline import default_pipeline
from kg.schema import Document, MentionSource


@pytest.fixture(scope="module")
def processed() -> dict[str, Document]:
    docs = [
        Document("greek", "", "TNF\u2011\u03b1 and IL\u20106 levels rose in aspirin\u00a0users with x\u00b2 scores."),
        Document("fullwidth", "Only a title naming \uff23\uff39\uff30\uff12\uff24\uff16.", ""),
        Document("empty", "", ""),
        Document("invisible", "\u200b\u200bzero width\ufeff", "emoji \U0001f600 and \U0001f912 only"),
        Document("long", "Long", "Tamoxifen induced hepatotoxicity in patients with breast cancer. " * 500),
    ]
    return {doc.pmid: doc for doc in default_pipeline()(docs)}


def test_offsets_slice_the_text_whatever_the_characters(processed: dict[str, Document]) -> None:
    for doc in processed.values():
        for mention in doc.mentions:
            if mention.source == MentionSource.TEXT:
                assert doc.text[mention.start:mention.end] == mention.text, (doc.pmid, mention)


def test_entities_are_found_through_odd_characters(processed: dict[str, Document]) -> None:
    ids = {pmid: {m.entity_id for m in doc.mentions} for pmid, doc in processed.items()}
    assert "MESH:D001241" in ids["greek"]  # aspirin between non-breaking spaces
    assert "NCBIGene:3569" in ids["greek"]  # IL-6 with a Unicode hyphen
    assert "NCBIGene:1565" in ids["fullwidth"]  # full-width CYP2D6
    assert processed["empty"].mentions == [] and processed["invisible"].mentions == []


def test_a_long_abstract_is_processed_whole(processed: dict[str, Document]) -> None:
    long = processed["long"]
    last_sentence_start = len(long.text) - len("Tamoxifen induced hepatotoxicity in patients with breast cancer. ")
    assert any(m.start >= last_sentence_start for m in long.mentions)  # the end of the text is reached
    assert {m.entity_id for m in long.mentions} >= {"MESH:D013629", "MESH:D001943", "NCBITaxon:9606"}
