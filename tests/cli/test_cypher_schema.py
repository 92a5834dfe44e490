"""``kg schema`` and ``kg cypher`` (-f FILE, stdin, --format, named examples, portability hints), on real stores:
an embedded graph and the Neo4j test server, each filled with the shared test graph (issue 19, item 4)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from kg.commands.cypher import _tsv_cell
from kg.store.cypher_help import EXAMPLES, hint_for
from kg.store.embedded import EmbeddedStore
from tests import graph_fixture as g
from tests.cli.test_failures import STORE_ENV, error_line

PREDICATE_COUNTS = {"has_phenotype": 5, "treats": 3, "affects": 1, "associated_with": 1, "decreases_activity_of": 1,
                    "gene_associated_with_condition": 1, "physically_interacts_with": 1}
DRUGS = "MATCH (d:Entity {category: 'Drug'}) RETURN d.id AS id, d.name AS name ORDER BY id"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in STORE_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def embedded_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cypher") / "graph.lbug"
    with EmbeddedStore(path) as store:
        g.build(store)
    return path


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store_args(request: pytest.FixtureRequest, embedded_graph: Path) -> Iterator[list[str]]:
    """The options that point ``kg`` at a store holding the shared test graph, for each backend."""
    if request.param == "embedded":
        yield ["--db", str(embedded_graph)]
        return
    from kg.store.neo4j_store import Neo4jStore

    uri = request.getfixturevalue("neo4j_uri")
    with Neo4jStore(uri, user=None) as neo:
        neo.clear()
        g.build(neo)
        yield ["--neo4j", uri, "--neo4j-user", ""]
        neo.clear()


def kg(*args: str | Path, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"kg {' '.join(map(str, args))} raised {result.exception!r}:\n{result.output}")
    assert "Traceback" not in result.output
    return result


def ok(*args: str | Path, input: str | None = None) -> str:
    result = kg(*args, input=input)
    assert result.exit_code == 0, result.output
    return result.output


# ---- kg schema ----------------------------------------------------------------------------------------------------

def test_schema_json_is_read_from_the_store(store_args: list[str]) -> None:
    schema = json.loads(ok("schema", "--json", *store_args))
    labels = {entry["label"]: entry for entry in schema["labels"]}
    assert {name: entry["count"] for name, entry in labels.items()} == {"Entity": 14, "Publication": 5, "Evidence": 17}
    assert {"id", "category", "name", "synonyms"} <= set(labels["Entity"]["properties"])
    assert {"pmid", "title", "year"} <= set(labels["Publication"]["properties"])
    assert {"pmid", "sentence", "score", "negated", "edge_key"} <= set(labels["Evidence"]["properties"])
    assert schema["predicates"] == PREDICATE_COUNTS
    assert list(schema["predicates"])[0] == "has_phenotype"  # the most frequent first
    assert schema["categories"] == {"Disease": 5, "Drug": 4, "PhenotypicFeature": 3, "Gene": 2}
    edges, mentions = schema["relationships"]["edges"], schema["relationships"]["mentions"]
    assert edges["count"] == sum(PREDICATE_COUNTS.values()) and edges["type"] == "r.predicate"
    assert {"predicate", "n_pmids", "pmids", "evidence_ids", "knowledge_sources"} <= set(edges["properties"])
    assert "source" not in edges["properties"]  # a mentions property: not an edge's
    assert mentions["count"] == 5 and {"source", "count"} <= set(mentions["properties"])
    assert any("r.predicate" in rule and "type(r)" in rule for rule in schema["rules"])
    assert any("(d:Entity {category: 'Disease'})" in rule for rule in schema["rules"])
    assert schema["examples"] == [e.name for e in EXAMPLES]


def test_schema_text(store_args: list[str]) -> None:
    out = ok("schema", *store_args)
    lines = out.splitlines()
    assert lines[0].startswith("store: ")
    assert any(line.split() == ["has_phenotype", "5"] for line in lines)
    assert any(line.split() == ["Evidence", "17"] for line in lines)
    assert "properties: " in out and "evidence_ids" in out
    assert "portable Cypher" in out and "r.predicate" in out and "(d:Entity {category: 'Disease'})" in out
    assert "kg cypher --examples" in out


def test_the_portable_category_match_is_the_same_on_both_stores(store_args: list[str]) -> None:
    rows = json.loads(ok("cypher", DRUGS, "--json", *store_args))
    assert [r["id"] for r in rows] == sorted([g.CODEINE, g.TAMOXIFEN, g.GEFITINIB, g.OSELTAMIVIR])
    predicates = json.loads(ok("cypher", "--example", "predicate-counts", "--json", *store_args))
    assert {r["predicate"]: r["edges"] for r in predicates} == PREDICATE_COUNTS


# ---- kg cypher: where the query comes from --------------------------------------------------------------------------

def test_query_from_a_file(store_args: list[str], tmp_path: Path) -> None:
    query = tmp_path / "drugs.cypher"
    query.write_text("// the drugs\n" + DRUGS + "\n", encoding="utf-8")
    assert ok("cypher", "-f", query, "--json", *store_args) == ok("cypher", DRUGS, "--json", *store_args)
    assert ok("cypher", "--file", query, *store_args) == ok("cypher", DRUGS, *store_args)


def test_query_from_stdin(store_args: list[str]) -> None:
    query = "MATCH (e:Entity) WHERE e.id = $id RETURN e.name AS name"
    out = ok("cypher", "-f", "-", "-p", f"id={g.CYP2D6}", "--format", "tsv", *store_args, input=query)
    assert out == "name\nCYP2D6\n"


def test_query_from_a_file_still_needs_its_parameters(embedded_graph: Path, tmp_path: Path) -> None:
    query = tmp_path / "q.cypher"
    query.write_text("MATCH (e:Entity {id: $id}) RETURN e.name AS name", encoding="utf-8")
    result = kg("cypher", "-f", query, "--db", embedded_graph)
    assert result.exit_code == 2 and "-p id=VALUE" in result.output


@pytest.mark.parametrize("args", [[], ["MATCH (n) RETURN n.id AS id", "-f", "-"],
                                  ["MATCH (n) RETURN n.id AS id", "--example", "predicate-counts"]])
def test_exactly_one_query_source(embedded_graph: Path, args: list[str]) -> None:
    result = kg("cypher", *args, "--db", embedded_graph, input="")
    assert result.exit_code == 2
    assert "-f FILE" in result.output and "--example NAME" in result.output


def test_an_empty_query_file_is_a_usage_error(embedded_graph: Path) -> None:
    result = kg("cypher", "-f", "-", "--db", embedded_graph, input="  \n")
    assert result.exit_code == 2 and "empty" in result.output


def test_a_missing_query_file_is_a_usage_error(embedded_graph: Path, tmp_path: Path) -> None:
    result = kg("cypher", "-f", tmp_path / "nope.cypher", "--db", embedded_graph)
    assert result.exit_code == 2 and "nope.cypher" in result.output


# ---- kg cypher --format -----------------------------------------------------------------------------------------

def test_table_is_the_default_format(store_args: list[str]) -> None:
    out = ok("cypher", DRUGS, *store_args)
    assert out == ok("cypher", DRUGS, "--format", "table", *store_args)
    header, *rows = out.splitlines()
    assert header.split() == ["id", "name"] and len(rows) == 4
    assert rows[0].startswith(g.GEFITINIB if g.GEFITINIB < g.CODEINE else g.CODEINE)
    assert ok("cypher", "MATCH (e:Entity) WHERE e.id = 'none' RETURN e.id AS id", *store_args) == "(no rows)\n"


def test_tsv_format(store_args: list[str]) -> None:
    query = ("MATCH (e:Entity) WHERE e.id IN $ids RETURN e.id AS id, e.name AS name, e.synonyms AS synonyms, "
             "e.category = 'Disease' AS disease ORDER BY id")
    out = ok("cypher", query, "-p", f"ids={json.dumps([g.FEVER, g.INFLUENZA])}",
             "--format", "tsv", *store_args)
    assert out.splitlines() == ["id\tname\tsynonyms\tdisease",
                                f"{g.FEVER}\tFever\t[\"Pyrexia\"]\tfalse",
                                f"{g.INFLUENZA}\tInfluenza, Human\t[\"Flu\", \"Grippe\"]\ttrue"]
    assert ok("cypher", "MATCH (e:Entity) WHERE e.id = 'none' RETURN e.id AS id", "--format", "tsv",
              *store_args) == ""


def test_tsv_cells_stay_on_one_line() -> None:
    assert _tsv_cell("a\tb\nc\\d") == "a\\tb\\nc\\\\d"
    assert _tsv_cell(None) == "" and _tsv_cell(True) == "true" and _tsv_cell(3) == "3"
    assert _tsv_cell(["x", None]) == '["x", null]'


def test_json_format_and_the_json_flag_agree(store_args: list[str]) -> None:
    by_format = ok("cypher", DRUGS, "--format", "json", *store_args)
    assert by_format == ok("cypher", DRUGS, "--json", *store_args)
    assert len(json.loads(by_format)) == 4
    assert ok("cypher", DRUGS, "--json", "--format", "json", *store_args) == by_format


def test_json_flag_and_another_format_disagree(embedded_graph: Path) -> None:
    result = kg("cypher", DRUGS, "--json", "--format", "tsv", "--db", embedded_graph)
    assert result.exit_code == 2 and "--json" in result.output


# ---- kg cypher --examples / --example -------------------------------------------------------------------------------

def test_examples_are_listed_with_their_parameters() -> None:
    out = ok("cypher", "--examples")
    for example in EXAMPLES:
        assert f"{example.name}: {example.description}" in out
        assert example.cypher in out
    assert '-p id="NCBIGene:1565"' in out
    listed = json.loads(ok("cypher", "--examples", "--json"))
    assert [e["name"] for e in listed] == [e.name for e in EXAMPLES]
    assert listed[2]["parameters"] == {"subject": g.CODEINE, "predicate": "affects", "object": g.CYP2D6}
    tsv = ok("cypher", "--examples", "--format", "tsv").splitlines()
    assert tsv[0] == "name\tparameters\tdescription\tcypher" and len(tsv) == len(EXAMPLES) + 1


def test_examples_are_read_only_and_run_on_both_stores(store_args: list[str]) -> None:
    for example in EXAMPLES:
        assert json.loads(ok("cypher", "--example", example.name, "--json", *store_args)), example.name


def test_example_answers(store_args: list[str]) -> None:
    diseases = json.loads(ok("cypher", "--example", "symptoms-to-diseases", "--json", *store_args))
    assert diseases[0]["disease_id"] in (g.PNEUMONIA, g.INFLUENZA) and diseases[0]["matched"] == 2
    drugs = json.loads(ok("cypher", "--example", "gene-to-drugs", "--json", *store_args))
    assert {(r["drug_id"], r["predicate"]) for r in drugs} == {(g.CODEINE, "affects"),
                                                               (g.TAMOXIFEN, "physically_interacts_with")}
    evidence = json.loads(ok("cypher", "--example", "edge-evidence", "--json", *store_args))
    assert [(r["pmid"], r["score"], r["speculative"]) for r in evidence] == [("103", 0.88, False),
                                                                            ("104", 0.77, True)]
    assert all(r["sentence"] for r in evidence)


def test_example_parameters_can_be_replaced(store_args: list[str]) -> None:
    out = ok("cypher", "--example", "gene-to-drugs", "-p", f"id={g.EGFR}", "--format", "tsv", *store_args)
    assert out.splitlines() == ["drug_id\tdrug\tpredicate\tn_pmids",
                                f"{g.GEFITINIB}\tGefitinib\tdecreases_activity_of\t1"]
    rows = json.loads(ok("cypher", "--example", "entities-of-category", "-p", "category=Gene", "-p", "limit=1",
                         "--json", *store_args))
    assert rows == [{"id": g.CYP2D6, "name": "CYP2D6"}]


def test_an_unknown_example_names_the_known_ones(embedded_graph: Path) -> None:
    result = kg("cypher", "--example", "nope", "--db", embedded_graph)
    assert result.exit_code == 2 and "edge-evidence" in result.output


# ---- hints on the common portability errors ---------------------------------------------------------------------

@pytest.mark.parametrize(("query", "hint"), [
    ("MATCH (a:Entity)-[r]->(b:Entity) RETURN type(r) AS t", "read an edge's type from r.predicate"),
    ("MATCH (d:Drug) RETURN d.name AS name", "write (n:Entity {category: 'Drug'})"),
    ("MATCH (d:Disease)<-[r:treats]-(c:Entity) RETURN c.id AS id", "write (n:Entity {category: 'Disease'})"),
    ("MATCH (d:Thing) RETURN d.name AS name", "labels are Entity, Publication, Evidence"),
    ("MATCH (a:Entity)-[r:cures]->(b:Entity) RETURN a.id AS id", "kg schema lists them"),
    ("MATCH (a:Entity) RETURN a.label AS x", "kg schema lists each label's properties"),
    ("MATCH (a:Entity)-[r]->(b:Entity) RETURN startNode(r) AS s", "give the direction in the pattern"),
    ("MATCH (a:Entity) RETURN a {.id, .name} AS x", "no map projections"),
])
def test_portability_errors_on_the_embedded_store_carry_a_hint(embedded_graph: Path, query: str, hint: str) -> None:
    result = kg("cypher", query, "--db", embedded_graph)
    assert result.exit_code == 1
    line = error_line(result)
    assert "hint: " in line and hint in line, line
    assert len(result.output.strip().splitlines()) == 1  # one line, even for the parser's multi-line message


@pytest.mark.neo4j
def test_the_neo4j_only_forms_work_on_neo4j(store_args: list[str]) -> None:
    """What the hints replace: on Neo4j type(r) and the category labels work (and agree with the portable forms)."""
    if "--neo4j" not in store_args:
        pytest.skip("Neo4j only")
    labelled = json.loads(ok("cypher", "MATCH (d:Drug) RETURN d.id AS id ORDER BY id", "--json", *store_args))
    assert [r["id"] for r in labelled] == [r["id"] for r in json.loads(ok("cypher", DRUGS, "--json", *store_args))]
    typed = json.loads(ok("cypher", "MATCH (:Entity)-[r]->(:Entity) RETURN type(r) AS t, count(*) AS n ORDER BY t",
                          "--json", *store_args))
    assert {r["t"]: r["n"] for r in typed} == PREDICATE_COUNTS


def test_neo4j_messages_get_hints_too() -> None:
    assert hint_for("Unknown function 'apoc.coll.sum' (line 1)") is not None
    assert hint_for("something unrelated") is None
