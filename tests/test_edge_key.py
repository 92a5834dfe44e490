"""Edge keys whose identifiers contain the separator (tmVar variant keys) split and store correctly."""

from __future__ import annotations

import pytest

from kg.schema import Category, Entity, Evidence, Relation, edge_key, split_edge_key

VARIANT = "tmVar:c|SUB|C|643|T"


def test_split_finds_the_predicate_between_identifiers_with_bars() -> None:
    assert split_edge_key(edge_key(VARIANT, "associated_with", "MESH:D003924")) == (
        VARIANT, "associated_with", "MESH:D003924")
    assert split_edge_key(f"MESH:D1|causes|{VARIANT}") == ("MESH:D1", "causes", VARIANT)
    with pytest.raises(ValueError):
        split_edge_key("MESH:D1|not_a_predicate|MESH:D2")


def test_an_edge_to_a_variant_is_stored_and_read_back(tmp_path) -> None:
    from kg.store.embedded import EmbeddedStore

    sentence = "The c.643C>T variant was associated with diabetes."
    with EmbeddedStore(tmp_path / "graph.lbug") as store:
        store.upsert_entities([Entity(VARIANT, Category.VARIANT, "c.643C>T"),
                               Entity("MESH:D003920", Category.DISEASE, "Diabetes Mellitus")])
        store.upsert_relations([Relation(VARIANT, "associated_with", "MESH:D003920", [
            Evidence("1", sentence, 0, len(sentence), 0.8, "test-re", "1")])])
        store.flush()
        rows = store.query("edge_summary", subject=VARIANT, predicate="associated_with", object="MESH:D003920")
        assert rows and rows[0]["n_pmids"] == 1
        assert store.delete_publications(["1"]) == 1  # recomputing the edge splits its key
