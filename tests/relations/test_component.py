"""RelationExtractor output → Relation/Evidence objects that both stores accept."""

from __future__ import annotations

import pytest

from extractors.relations.component import EXTRACTOR
from kg.schema import Document, Mention, Predicate


@pytest.fixture(scope="module")
def extracted(extractor, biored_dev) -> Document:
    docs, records = biored_dev
    record = max(records, key=lambda r: len(r.gold_relations))
    source = record.document
    doc = Document(pmid=source.pmid, title=source.title, abstract=source.abstract, year=2020,
                   mentions=[Mention(g.mention.start, g.mention.end, g.mention.text, g.mention.category,
                                     g.mention.entity_id) for g in record.gold_mentions])
    return extractor([doc])[0]


def test_component_turns_mentions_into_relations_with_evidence(extracted, extractor):
    assert extracted.relations
    for rel in extracted.relations:
        assert isinstance(rel.predicate, Predicate) and rel.subject != rel.object
        (ev,) = rel.evidence
        assert ev.pmid == extracted.pmid and ev.extractor == EXTRACTOR and ev.extractor_version == extractor.version
        assert extracted.text[ev.start:ev.end] == ev.sentence and ev.sentence
        assert 0 < ev.score <= 1 and ev.year == 2020
        assert isinstance(ev.negated, bool) and isinstance(ev.speculative, bool)


def test_relations_are_stored_with_predicate_score_and_evidence(store, extracted):
    relations = extracted.relations
    supported = [rel for rel in relations if rel.evidence[0].supports]
    assert supported
    assert store.upsert_relations(relations) == len(supported)
    for rel in relations:
        rows = store.read_cypher(
            "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id = $s AND b.id = $o AND r.predicate = $p "
            "RETURN r.pmids AS pmids, r.best_score AS best",
            {"s": rel.subject, "p": str(rel.predicate), "o": rel.object})
        if rel.evidence[0].supports:
            assert len(rows) == 1 and rows[0]["pmids"] == [extracted.pmid]
            assert rows[0]["best"] == pytest.approx(rel.evidence[0].score, abs=1e-4)
        else:  # negated or speculative evidence is kept but makes no edge
            assert rows == []
    assert store.upsert_relations(relations) == len(supported)  # re-writing the same batch adds nothing
    evidence = store.read_cypher("MATCH (ev:Evidence) RETURN count(ev) AS n")[0]["n"]
    assert evidence == len(relations)
