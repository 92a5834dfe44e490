"""The shipped model: loads without network and finds obvious entities; the component's offsets."""

from __future__ import annotations

import socket

import pytest

from extractors.ner.component import DEFAULT_MODEL, NerComponent, load_model
from kg.schema import Category, Document, MentionSource

SENTENCE = ("Cisplatin-induced nephrotoxicity was studied in 40 women with breast cancer "
            "carrying BRCA1 mutations.")


def test_model_ships_small() -> None:
    size = sum(p.stat().st_size for p in DEFAULT_MODEL.rglob("*") if p.is_file())
    assert 0 < size <= 50_000_000


def test_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    nlp = load_model(DEFAULT_MODEL)
    assert {"ner_chemdis", "ner_bio"} <= set(nlp.pipe_names)
    assert len(list(nlp("Aspirin was given. Pain decreased.").sents)) == 2


def test_finds_obvious_entities(ner: NerComponent) -> None:
    (mentions,) = ner.mentions([SENTENCE])
    found = {(m.text, m.category) for m in mentions}
    assert ("Cisplatin", Category.CHEMICAL) in found
    assert ("breast cancer", Category.DISEASE) in found
    assert ("BRCA1", Category.GENE) in found


def test_component_offsets_slice_document_text(ner: NerComponent) -> None:
    docs = [
        Document("1", title="Lithium-induced diabetes insipidus.",
                 abstract="Polyuria developed in rats given lithium chloride; TP53 was unaffected."),
        Document("2", title="Haloperidol and tardive dyskinesia in HeLa cells and mice."),
        Document("3", title=""),
    ]
    out = ner(docs)
    assert out is docs
    assert docs[0].mentions and docs[1].mentions and not docs[2].mentions
    for doc in docs:
        for mention in doc.mentions:
            assert doc.text[mention.start:mention.end] == mention.text
            assert mention.entity_id is None and mention.source == MentionSource.TEXT
            assert isinstance(mention.category, Category)
    assert ner.version.startswith("medkg_ner-")
