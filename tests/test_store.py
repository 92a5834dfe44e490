"""Store behaviour, run against both real backends (embedded LadybugDB and the in-process Neo4j)."""

from __future__ import annotations

import pytest

from kg.schema import Category, Entity, Evidence, Relation
from kg.store.base import Columns, evidence_columns
from kg.store.errors import WriteRefused
from tests import graph_fixture as g


def _edge(store, subject: str, predicate: str, object_: str) -> dict | None:
    rows = store.read_cypher(
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id = $s AND b.id = $o AND r.predicate = $p "
        "RETURN r.pmids AS pmids, r.n_pmids AS n_pmids, r.n_evidence AS n_evidence, r.best_score AS best, "
        "r.mean_score AS mean, r.first_year AS first_year, r.last_year AS last_year, "
        "r.knowledge_sources AS sources, r.primary_knowledge_source AS primary_source",
        {"s": subject, "p": predicate, "o": object_},
    )
    assert len(rows) <= 1
    return rows[0] if rows else None


def test_schema_is_idempotent(store):
    store.ensure_schema()
    store.ensure_schema()
    assert store.stats().nodes["Entity"] == 0


def test_aggregates_count_each_pmid_once_and_ignore_negated(store):
    g.build(store)
    fever = _edge(store, g.PNEUMONIA, "has_phenotype", g.FEVER)
    assert fever["pmids"] == ["101", "102"]
    assert fever["n_pmids"] == 2 and fever["n_evidence"] == 3
    assert fever["best"] == pytest.approx(0.9) and fever["mean"] == pytest.approx((0.9 + 0.7 + 0.8) / 3)
    assert (fever["first_year"], fever["last_year"]) == (2001, 2005)
    # Speculative evidence is stored but does not count as support.
    codeine = _edge(store, g.CODEINE, "affects", g.CYP2D6)
    assert codeine["pmids"] == ["103"] and codeine["n_evidence"] == 1
    # Negated-only evidence creates no edge at all.
    assert _edge(store, g.MIGRAINE, "has_phenotype", g.FEVER) is None
    curated = _edge(store, g.INFLUENZA, "has_phenotype", g.COUGH)
    assert curated["n_pmids"] == 0 and curated["primary_source"] == "infores:hpo-annotations"


def test_neighbours_tell_direction_and_keep_edges_both_ways_apart(store):
    g.build(store)
    store.upsert_relations([Relation(g.CYP2D6, "physically_interacts_with", g.EGFR, [g.ev(102, 0.8)]),
                            Relation(g.EGFR, "physically_interacts_with", g.CYP2D6, [g.ev(103, 0.6)])])
    rows = store.query("neighbours", ids=[g.CYP2D6], limit=50)
    seen = [(r["direction"], r["predicate"], r["neighbour_id"], r["pmids"]) for r in rows]
    assert ("out", "physically_interacts_with", g.EGFR, ["102"]) in seen
    assert ("in", "physically_interacts_with", g.EGFR, ["103"]) in seen
    assert ("in", "affects", g.CODEINE, ["103"]) in seen  # codeine affects CYP2D6
    directions = [r["direction"] for r in rows]
    assert directions == sorted(directions, key=["out", "in"].index)  # outgoing first, then incoming
    assert len(store.query("neighbours", ids=[g.CYP2D6], limit=1)) == 2  # each direction cut at the limit


def test_upserts_are_idempotent(store):
    g.build(store)
    before = store.stats().as_dict()
    g.build(store)
    assert store.stats().as_dict() == before
    assert before["nodes"]["Evidence"] == 17
    assert before["relationships"]["has_phenotype"] == 5
    assert before["relationships"]["mentions"] == 5


def test_new_evidence_updates_existing_edge(store):
    g.build(store)
    store.upsert_relations([Relation(g.PNEUMONIA, "has_phenotype", g.FEVER, [g.ev(105, 0.99)])])
    fever = _edge(store, g.PNEUMONIA, "has_phenotype", g.FEVER)
    assert fever["pmids"] == ["101", "102", "105"] and fever["best"] == pytest.approx(0.99)
    assert fever["last_year"] == 2020


def test_rerun_after_a_crash_between_evidence_and_edge_completes_the_edge(store):
    """The evidence of a batch is written before its edges; a re-run after a crash in between finds the evidence
    stored but not yet named by the edge, and must count it once."""
    g.build(store)
    relation = Relation(g.PNEUMONIA, "has_phenotype", g.FEVER, [g.ev(105, 0.99)])
    evidence_id = relation.evidence[0].key(relation.subject, "has_phenotype", relation.object)
    store._write_evidence(evidence_columns([(relation.edge_key, relation.subject, "has_phenotype", relation.object,
                                             {evidence_id: relation.evidence[0]})]))  # the crash: no edge update
    before = _edge(store, g.PNEUMONIA, "has_phenotype", g.FEVER)
    assert before["pmids"] == ["101", "102"]
    store.upsert_relations([relation])
    fever = _edge(store, g.PNEUMONIA, "has_phenotype", g.FEVER)
    assert fever["pmids"] == ["101", "102", "105"] and fever["n_evidence"] == before["n_evidence"] + 1
    ids = store.read_cypher("MATCH (a:Entity)-[r:has_phenotype]->(b:Entity) WHERE a.id = $s AND b.id = $o "
                            "RETURN r.evidence_ids AS ids", {"s": g.PNEUMONIA, "o": g.FEVER})[0]["ids"]
    assert evidence_id in ids and len(ids) == len(set(ids)) == before["n_evidence"] + 1


def test_columns_without_and_slices_keep_rows_together():
    columns = Columns(("id", "score"), {"id": ["a", "b", "c"], "score": [1, 2, 3]})
    assert len(columns) == 3 and len(Columns(("id",))) == 0
    assert columns.without("id", {"b"}).data == {"id": ["a", "c"], "score": [1, 3]}
    assert columns.without("id", {"x"}) is columns
    assert [piece.data for piece in columns.slices(2)] == [{"id": ["a", "b"], "score": [1, 2]},
                                                           {"id": ["c"], "score": [3]}]


def test_text_mined_support_merges_with_curated_source(store):
    g.build(store)
    store.upsert_relations([Relation(g.INFLUENZA, "has_phenotype", g.COUGH, [g.ev(103, 0.8)])])
    edge = _edge(store, g.INFLUENZA, "has_phenotype", g.COUGH)
    assert edge["sources"] == ["infores:hpo-annotations", "infores:medkg"]
    assert edge["primary_source"] == "infores:hpo-annotations" and edge["pmids"] == ["103"]


def test_delete_publication_recomputes_and_drops_unsupported_edges(store):
    g.build(store)
    store.delete_publications(["101"])
    fever = _edge(store, g.PNEUMONIA, "has_phenotype", g.FEVER)
    assert fever["pmids"] == ["102"] and fever["n_evidence"] == 2
    assert _edge(store, g.PNEUMONIA, "has_phenotype", g.COUGH) is None
    assert _edge(store, g.OSELTAMIVIR, "treats", g.INFLUENZA) is None
    stats = store.stats().as_dict()
    assert stats["nodes"]["Publication"] == 4
    assert stats["relationships"]["mentions"] == 2
    assert not store.query("publication_state", pmids=["101"])
    # Curated edges survive the loss of all text-mined support.
    store.upsert_relations([Relation(g.INFLUENZA, "has_phenotype", g.COUGH, [g.ev(103, 0.8)])])
    store.delete_publications(["103"])
    assert _edge(store, g.INFLUENZA, "has_phenotype", g.COUGH)["sources"] == ["infores:hpo-annotations"]


def test_placeholder_never_overwrites_a_known_entity(store):
    store.upsert_entities([Entity("mesh:D011014", Category.DISEASE, "Pneumonia", ("Lung inflammation",))])
    store.upsert_relations([Relation("MESH:D011014", "has_phenotype", "HP:0001945",
                                     [Evidence("1", "s", 0, 1, 0.5, "x", "1")])])
    store.upsert_entities([Entity("MESH:D011014", Category.NAMED_THING, "")])
    rows = store.query("entities_by_id", ids=["MESH:D011014", "HP:0001945"])
    assert rows == [
        {"id": "HP:0001945", "category": "NamedThing", "name": "", "synonyms": []},
        {"id": "MESH:D011014", "category": "Disease", "name": "Pneumonia", "synonyms": ["Lung inflammation"]},
    ]
    store.upsert_entities([Entity("HP:0001945", Category.PHENOTYPE, "Fever")])
    assert store.query("entities_by_id", ids=["HP:0001945"])[0]["category"] == "PhenotypicFeature"


@pytest.mark.parametrize("cypher", [
    "CREATE (n:Entity {id: 'x'})",
    "MATCH (n:Entity) SET n.name = 'x'",
    "MATCH (n) DETACH DELETE n",
    "merge (n:Entity {id: 'x'}) return n",
    "MATCH (n:Entity) REMOVE n.name",
    "CALL db.createLabel('X')",
    "MATCH (n) CALL { WITH n DELETE n }",
    "DROP TABLE Entity",
])
def test_read_path_refuses_writes(store, cypher):
    with pytest.raises(WriteRefused):
        store.read_cypher(cypher)
    assert store.stats().nodes["Entity"] == 0


def test_read_path_allows_write_words_inside_strings(store):
    g.build(store)
    rows = store.read_cypher("MATCH (e:Entity) WHERE e.name <> 'CREATE or DELETE' RETURN count(*) AS n")
    assert rows == [{"n": len(g.ENTITIES)}]


def test_clear_empties_the_store(store):
    g.build(store)
    store.clear()
    stats = store.stats().as_dict()
    assert stats["nodes"] == {"Entity": 0, "Evidence": 0, "Publication": 0} and stats["relationships"] == {}
    g.build(store)  # usable again after clear
    assert store.stats().nodes["Entity"] == len(g.ENTITIES)


def _dump(store) -> tuple[list[dict], list[dict], dict]:
    edges = store.read_cypher(
        "MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id AS s, r.predicate AS p, b.id AS o, r.pmids AS pmids, "
        "r.n_pmids AS n_pmids, r.n_evidence AS n_evidence, r.best_score AS best, r.mean_score AS mean, "
        "r.first_year AS first_year, r.last_year AS last_year, r.extractors AS extractors, "
        "r.knowledge_sources AS sources, r.primary_knowledge_source AS primary_source, "
        "r.evidence_ids AS evidence_ids, r.belief AS belief ORDER BY s, p, o")
    evidence = store.read_cypher(
        "MATCH (ev:Evidence) RETURN ev.id AS id, ev.edge_key AS edge_key, ev.pmid AS pmid, ev.score AS score, "
        "ev.negated AS negated ORDER BY id")
    return edges, evidence, store.stats().as_dict()


def _evidence_by_edge(store) -> dict[str, list[dict]]:
    """Every edge's sentences as ``edge_evidence`` finds them (through the edge's evidence ids)."""
    edges = store.read_cypher("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id AS s, r.predicate AS p, b.id AS o")
    return {f"{e['s']}|{e['p']}|{e['o']}": store.query("edge_evidence", subject=e["s"], predicate=e["p"],
                                                         object=e["o"], limit=100) for e in edges}


def _evidence_by_key(store, keys) -> dict[str, list[dict]]:
    """The same, found by scanning Evidence.edge_key (what edge_evidence did before edges carried the ids)."""
    return {k: store.read_cypher(
        "MATCH (ev:Evidence) WHERE ev.edge_key = $k RETURN ev.pmid AS pmid, ev.sentence AS sentence, "
        "ev.start_offset AS start_offset, ev.end_offset AS end_offset, ev.score AS score, ev.negated AS negated, "
        "ev.speculative AS speculative, ev.extractor AS extractor, ev.extractor_version AS extractor_version, "
        "ev.year AS year ORDER BY score DESC, pmid, start_offset", {"k": k}) for k in keys}


def test_edge_evidence_follows_writes_updates_and_deletes(store):
    g.build(store)
    found = _evidence_by_edge(store)
    assert len(found[f"{g.PNEUMONIA}|has_phenotype|{g.FEVER}"]) == 3
    assert found == _evidence_by_key(store, found)
    store.upsert_relations([Relation(g.PNEUMONIA, "has_phenotype", g.FEVER, [g.ev(105, 0.99)])])
    found = _evidence_by_edge(store)
    assert [r["pmid"] for r in found[f"{g.PNEUMONIA}|has_phenotype|{g.FEVER}"]] == ["105", "101", "102", "102"]
    assert found == _evidence_by_key(store, found)
    store.delete_publications(["101"])
    found = _evidence_by_edge(store)
    assert [r["pmid"] for r in found[f"{g.PNEUMONIA}|has_phenotype|{g.FEVER}"]] == ["105", "102", "102"]
    assert found == _evidence_by_key(store, found)


def test_stores_written_before_evidence_ids_are_upgraded(store):
    from kg.store.embedded import EmbeddedStore
    from kg.store.errors import StoreUnavailable
    from kg.store.neo4j_store import Neo4jStore

    g.build(store)
    expected = _evidence_by_edge(store)
    if isinstance(store, EmbeddedStore):  # the tables of an older store have no evidence_ids column
        for table in {k.split("|")[1] for k in expected}:
            store._execute(f"ALTER TABLE {table} DROP evidence_ids")
        store.close()
        def reopen(read_only):
            return EmbeddedStore(store.location, read_only=read_only)
    else:
        store._write("MATCH (:Entity)-[r]->(:Entity) REMOVE r.evidence_ids")
        def reopen(read_only):
            return Neo4jStore(store.location, user=None, read_only=read_only)
    with pytest.raises(StoreUnavailable, match="kg init"):
        reopen(True)
    with reopen(False):  # what `kg init` does
        pass
    with reopen(True) as upgraded:
        assert _evidence_by_edge(upgraded) == expected


def test_bulk_load_writes_the_same_graph(store):
    g.build(store)
    expected = _dump(store)
    store.clear()
    with store.bulk_load():
        store.upsert_publications(g.PUBLICATIONS)
        store.upsert_entities(g.ENTITIES)
        store.upsert_mentions(g.MENTIONS)
        store.upsert_relations(g.RELATIONS[:7])
        store.upsert_relations(g.RELATIONS[7:])
        # An edge and evidence written earlier in the same block: merged, not duplicated.
        store.upsert_relations([Relation(g.PNEUMONIA, "has_phenotype", g.FEVER, [g.ev(101, 0.9)])])
    store.flush()
    assert _dump(store) == expected


def test_reads_inside_bulk_load_see_its_writes(store):
    with store.bulk_load():
        store.upsert_entities(g.ENTITIES)
        store.upsert_relations(g.RELATIONS[:3])
        assert _edge(store, g.PNEUMONIA, "has_phenotype", g.FEVER)["n_evidence"] == 3
        store.upsert_relations(g.RELATIONS)
    store.upsert_publications(g.PUBLICATIONS)
    store.upsert_mentions(g.MENTIONS)
    store.flush()
    got = _dump(store)
    store.clear()
    g.build(store)
    assert got == _dump(store)


_BULK_CHILD = """
import os, signal, sys
from kg.store.embedded import EmbeddedStore
from tests import graph_fixture as g

store = EmbeddedStore(sys.argv[1])
store.upsert_publications(g.PUBLICATIONS)
store.upsert_entities(g.ENTITIES)
store.upsert_mentions(g.MENTIONS)
with store.bulk_load():
    store.upsert_relations(g.RELATIONS)
    if sys.argv[2] == "inside":
        os.kill(os.getpid(), signal.SIGKILL)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("where", ["inside", "after"])
def test_embedded_bulk_load_survives_kill_9(tmp_path, where):
    """``kill -9`` inside the block loses its relations (a re-run restores them); after it, nothing is lost."""
    import subprocess
    import sys
    from pathlib import Path

    from kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "clean.lbug") as clean:
        g.build(clean)
        expected = _dump(clean)
    path = tmp_path / "killed.lbug"
    child = subprocess.run([sys.executable, "-c", _BULK_CHILD, str(path), where], capture_output=True,
                           cwd=Path(__file__).resolve().parent.parent, timeout=300)
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    with EmbeddedStore(path) as killed:
        stats = killed.stats().as_dict()
        assert stats["nodes"]["Entity"] == len(g.ENTITIES)
        assert stats["nodes"]["Evidence"] == (0 if where == "inside" else expected[2]["nodes"]["Evidence"])
        g.build(killed)
        assert _dump(killed) == expected


def test_edges_read_back_as_the_aggregate_written(store):
    """One edge model: what ``aggregate_evidence`` computes is what the store keeps and the exports read."""
    from kg.interop.source import iter_graph
    from kg.schema import aggregate_evidence

    g.build(store)
    read = {edge.key: edge for _, edges in iter_graph(store, page_size=4) for edge in edges}
    fever = next(r for r in g.RELATIONS if (r.subject, r.object) == (g.PNEUMONIA, g.FEVER))
    assert read[fever.edge_key] == aggregate_evidence(fever.subject, fever.predicate, fever.object, fever.evidence)
    curated = read[f"{g.INFLUENZA}|has_phenotype|{g.COUGH}"]
    assert (curated.primary_knowledge_source, curated.knowledge_level, curated.agent_type) == (
        "infores:hpo-annotations", "knowledge_assertion", "manual_agent")


def test_a_typed_named_query_takes_only_known_predicates(store):
    g.build(store)
    rows = store.query("edges_with_source", predicate="has_phenotype", source="infores:hpo-annotations")
    assert rows == [{"subject": g.INFLUENZA, "object": g.COUGH}]
    with pytest.raises(ValueError, match="is not one of medkg's"):
        store.query("edges_with_source", predicate="treats]->() DETACH DELETE (x) //", source="s")


# ---- belief (kg.belief), stored on every edge ------------------------------------------------------------------------
def _belief(store, subject: str, predicate: str, object_: str) -> float | None:
    rows = store.query("edge_summary", subject=subject, predicate=predicate, object=object_)
    return rows[0]["belief"] if rows else None


def test_belief_is_stored_and_follows_the_evidence(store):
    """What kg.belief makes of an edge's evidence is what the store keeps, through every re-aggregation: a second
    paper raises it, a paper that negates it lowers it, deleting a publication recomputes it."""
    from kg.belief import belief

    drug, disease = "MESH:D000001", "MESH:D000002"
    first, second, against = g.ev(101, 0.7), g.ev(102, 0.6), g.ev(103, 0.9, negated=True)
    store.upsert_relations([Relation(drug, "treats", disease, [first])])
    one = _belief(store, drug, "treats", disease)
    assert one == belief([first]) and 0 < one < 0.7
    store.upsert_relations([Relation(drug, "treats", disease, [second])])
    two = _belief(store, drug, "treats", disease)
    assert two == belief([first, second]) and two > one
    store.upsert_relations([Relation(drug, "treats", disease, [against])])
    negated = _belief(store, drug, "treats", disease)
    assert negated == belief([first, second, against]) and negated < two
    store.delete_publications(["102"])
    assert _belief(store, drug, "treats", disease) == belief([first, against])
    store.delete_publications(["103"])
    assert _belief(store, drug, "treats", disease) == one
    # Curated support counts too, and outlives the text-mined support.
    store.upsert_relations([Relation(drug, "treats", disease, [], primary_knowledge_source="infores:drugcentral")])
    assert _belief(store, drug, "treats", disease) == belief([first], ["infores:drugcentral"]) > one
    store.delete_publications(["101"])
    assert _belief(store, drug, "treats", disease) == belief([], ["infores:drugcentral"])


def _drop_beliefs(store):
    """Make the store one written before edges had a belief; returns a function that opens it again."""
    from kg.store.embedded import EmbeddedStore
    from kg.store.neo4j_store import Neo4jStore

    if isinstance(store, EmbeddedStore):
        from kg.schema import Predicate

        for p in Predicate:  # an older store's tables have no belief column (a writable open adds it, last)
            store._execute(f"ALTER TABLE {p.value} DROP belief")
        store.close()
        return lambda read_only: EmbeddedStore(store.location, read_only=read_only)
    store._write("MATCH (:Entity)-[r]->(:Entity) REMOVE r.belief")
    return lambda read_only: Neo4jStore(store.location, user=None, read_only=read_only)


def test_stores_written_before_beliefs_are_migrated(store, monkeypatch):
    """A read-only open of an older store reads the missing belief as 0.0; a writable open (what `kg init` does)
    recomputes those edges through aggregate_evidence, in steps."""
    from kg.interop.source import iter_graph

    def edges(s):
        return {edge.key: edge for _, page in iter_graph(s, page_size=4) for edge in page}

    from kg.store.embedded import EmbeddedStore
    from kg.store.errors import StoreUnavailable

    g.build(store)
    expected = edges(store)
    assert store.query("edges_lacking_properties", limit=100) == []  # a store written today needs nothing
    embedded = isinstance(store, EmbeddedStore)
    reopen = _drop_beliefs(store)
    if embedded:  # its queries could not even bind r.belief: refused, as for evidence_ids
        with pytest.raises(StoreUnavailable, match="lack belief.*kg init"):
            reopen(True)
        # A writable open that adds the column but stops before the migration: the edges read the missing value.
        with reopen(False) as interrupted:
            interrupted._execute("MATCH ()-[r]->() SET r.belief = NULL")
    with reopen(True) as old:
        lacking = old.query("edges_lacking_properties", limit=100)
        assert len(lacking) == len(expected)
        assert {edge.belief for edge in edges(old).values()} == {0.0}  # EdgeProperty.missing
        assert old.query("edge_summary", subject=g.PNEUMONIA, predicate="has_phenotype",
                         object=g.FEVER)[0]["belief"] is None
    monkeypatch.setattr(type(store), "MIGRATION_BATCH", 3)  # several steps
    with reopen(False) as migrated:
        assert migrated.query("edges_lacking_properties", limit=100) == []
        assert migrated.migrate() == 0  # idempotent
    with reopen(True) as upgraded:
        assert edges(upgraded) == expected


def test_embedded_bulk_load_into_an_upgraded_table(tmp_path):
    """COPY fills columns by position: a bulk load into the tables of an upgraded store (belief added last, after
    evidence_ids) must still write every property into its own column."""
    from kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "fresh.lbug") as fresh:
        g.build(fresh)
        expected = _dump(fresh)
    with EmbeddedStore(tmp_path / "old.lbug") as old:
        reopen = _drop_beliefs(old)
    with reopen(False) as upgraded:
        assert upgraded._column_order("treats")[-2:] == ["evidence_ids", "belief"]
        with upgraded.bulk_load():
            upgraded.upsert_publications(g.PUBLICATIONS)
            upgraded.upsert_entities(g.ENTITIES)
            upgraded.upsert_mentions(g.MENTIONS)
            upgraded.upsert_relations(g.RELATIONS)
        upgraded.flush()
        assert _dump(upgraded) == expected
        assert upgraded.query("edges_lacking_properties", limit=10) == []
