"""User Cypher in killable reader processes on a real embedded store: bounded time and memory, fresh reads."""

from __future__ import annotations

import pytest

from kg.schema import Category, Entity
from kg.store.embedded import EmbeddedStore
from kg.store.embedded_readers import EmbeddedReaderPool, ReaderLimits
from kg.store.errors import QueryTimeout, QueryTooLarge, StoreError, WriteRefused


@pytest.fixture
def pool(tmp_path):
    path = tmp_path / "graph.lbug"
    with EmbeddedStore(path) as store:
        store.upsert_entities([Entity("HP:0001945", Category.PHENOTYPE, "Fever")])
    readers = EmbeddedReaderPool(path, ReaderLimits(timeout_s=2, max_memory_bytes=1 << 30))
    yield readers
    readers.close()


def test_reads_and_refuses(pool):
    assert pool.read_cypher("MATCH (n:Entity) RETURN n.id AS id") == [{"id": "HP:0001945"}]
    with pytest.raises(WriteRefused):
        pool.read_cypher("CALL `read_csv_serial`('/etc/passwd') RETURN *")
    with pytest.raises(StoreError):
        pool.read_cypher("MATCH (n:Entity) RETURN n.nope")


def test_a_huge_unwind_is_stopped_and_the_next_query_is_served(pool):
    # the engine alone builds the whole 300M list before it looks at its timeout (27 s, 4.3 GB)
    with pytest.raises((QueryTimeout, QueryTooLarge)):
        pool.read_cypher("UNWIND range(1, 300000000) AS x RETURN sum(x) AS s", timeout_s=1)
    assert pool.read_cypher("RETURN 1 AS one") == [{"one": 1}]


def test_readers_see_committed_writes(pool):
    with EmbeddedStore(pool.path) as writer:
        writer.upsert_entities([Entity("HP:0000001", Category.PHENOTYPE, "All")])
    assert pool.read_cypher("MATCH (n:Entity) RETURN count(*) AS n") == [{"n": 2}]
