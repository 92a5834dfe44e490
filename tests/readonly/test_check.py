"""The read-only check on its own: the tokenizer, each reproduction of the hardening issue, parameter bounds."""

from __future__ import annotations

import pytest

from kg.store.errors import QueryTooLarge, WriteRefused
from kg.store.readonly import MAX_PARAMETER_VALUES, MAX_QUERY_CHARS, check_parameters, check_read_only, tokenize

READS = [
    "MATCH (n:Entity) RETURN n.id LIMIT 3",
    "MATCH (e:Entity) WHERE e.name <> 'CREATE or DELETE' RETURN count(*) AS n",
    "match (n) return n.`set` AS s;",
    "MATCH (a)-[*1..3]->(b) RETURN count(*) // a trailing comment\n",
    "RETURN 'it\\'s' AS x, \"a\\\"b\" AS y /* CREATE */",
    "CALL db.labels() YIELD label RETURN label",
    "CALL `show_tables`() RETURN *",
    "CALL table_info('Entity') RETURN *",
    "RETURN point.distance(point({x: 1, y: 1}), point({x: 2, y: 2})) AS d",
    "OPTIONAL MATCH (n:Entity {id: $id}) RETURN n.name AS name, '咳嗽' AS text, `名字` AS q",
    "UNWIND $ids AS id MATCH (e:Entity {id: id}) RETURN e.id UNION MATCH (e:Entity) RETURN e.id",
]

REFUSED = [
    # 1. a `//` comment ends at \r for Neo4j: what follows is code
    "//x\rLOAD CSV FROM 'file:///etc/passwd' AS l RETURN l LIMIT 3",
    "MATCH (n) RETURN n //x\r LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    # 2. backtick-quoted procedures, settings and several statements on the embedded engine
    "CALL `read_csv_serial`('/etc/passwd') RETURN *",
    "CALL `read_npy`('/etc/passwd') RETURN *",
    "CALL `read_parquet`('/etc/passwd') RETURN *",
    "CALL `current_setting`('home_directory') RETURN *",
    "CALL `threads`=1",
    "CALL threads=1",
    "CALL `project_graph`('g', ['Entity'], ['has_phenotype'])",
    "CALL db.`createLabel`('X')",
    "CALL `db`.`createLabel`('X')",
    "RETURN 1; RETURN 2",
    "UNINSTALL json",
    "COMMENT ON TABLE Entity IS 'x'",
    # the rest of the refusal list
    "CREATE (n:Entity {id: 'x'})",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n) CALL { WITH n DELETE n }",
    "MATCH (n) WITH n SET n.name = 'x' RETURN n",
    "LOAD FROM '/etc/passwd' RETURN *",
    "COPY Entity FROM '/etc/passwd'",
    "SHOW DATABASES",
    "USE system MATCH (n) RETURN n",
    "RETURN apoc.util.sleep(100)",
    # text the lexer cannot read safely
    "MATCH (n) RETURN n /* never closed",
    "RETURN 'never closed",
    "RETURN `never closed",
    "MATCH (n)\u2028CREATE (m)",
    "MATCH (n) RETURN n // \u2028 CREATE (m)",
    "ＣＲＥＡＴＥ (n)",
    "MATCH (n)\u00a0DELETE n",
    "",
    "  ;",
]


@pytest.mark.parametrize("cypher", READS)
def test_reads_pass(cypher):
    check_read_only(cypher)


@pytest.mark.parametrize("cypher", REFUSED)
def test_refused(cypher):
    with pytest.raises(WriteRefused):
        check_read_only(cypher)


def test_tokens_undo_backticks_and_skip_comments():
    tokens = tokenize("MATCH (n) // x\r RETURN n.`a``b` /* y */ AS `CREATE`")
    assert [(t.kind, t.text) for t in tokens] == [
        ("word", "MATCH"), ("symbol", "("), ("word", "n"), ("symbol", ")"), ("word", "RETURN"), ("word", "n"),
        ("symbol", "."), ("quoted", "a`b"), ("word", "AS"), ("quoted", "CREATE")]


def test_refusal_says_how_to_name_a_property_like_a_clause():
    with pytest.raises(WriteRefused, match=r"n\.`name`"):
        check_read_only("MATCH (n) RETURN n.set")


def test_the_check_is_linear_on_unclosed_comment_openers():
    # 60k characters of '/*a': the old pattern rescanned the rest at each opener (6.4 s); now one pass
    with pytest.raises(WriteRefused, match="unterminated comment"):
        check_read_only("/*a" * 6000)
    check_read_only("MATCH (n) RETURN n" + " /*a*/" * 3000)


def test_query_length_is_bounded():
    with pytest.raises(QueryTooLarge):
        check_read_only("MATCH (n) RETURN n" + " " * MAX_QUERY_CHARS)


def test_parameters_are_bounded_before_they_are_walked():
    check_parameters({"ids": ["HP:0001945"] * 100, "m": {"k": "v"}})
    with pytest.raises(QueryTooLarge):
        check_parameters({"x": list(range(26_000_000))})
    with pytest.raises(QueryTooLarge):
        check_parameters({"x": [[1] * 100] * (MAX_PARAMETER_VALUES // 100)})
    with pytest.raises(QueryTooLarge):
        check_parameters({"s": "a" * 2_000_000})
