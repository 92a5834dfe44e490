"""Corpus loading for NER (needs ../shared/data): offsets of the BC2GM loader and of the readers."""

from __future__ import annotations

from pathlib import Path

from extractors.ner.corpora import load_corpus
from kg.schema import Category


def test_bc2gm_offsets(shared_data: Path) -> None:
    docs = load_corpus("bc2gm", "dev", shared_data)
    assert len(docs) > 1000
    gene_eval = (shared_data / "corpora/bc2gm/devel/GENE.eval").read_text(encoding="utf-8").splitlines()
    expected = {(line.split("|")[0], line.split("|")[2]) for line in gene_eval[:200]}
    got = {(d.document.pmid, m.text) for d in docs for m in d.gold}
    assert expected <= got
    alternatives = [(d, alt, g) for d in docs for alt, g in d.alternatives.items()]
    assert alternatives
    for _, alt, g in alternatives:
        assert alt[0] < g[1] and g[0] < alt[1]


def test_ncbi_dev_only_diseases(shared_data: Path) -> None:
    docs = load_corpus("ncbi_disease", "dev", shared_data)
    assert len(docs) == 100
    for d in docs:
        for m in d.gold:
            assert m.category is Category.DISEASE
            assert d.document.text[m.start:m.end] == m.text
        assert not d.document.mentions  # text only: gold is kept apart from what NER will add
