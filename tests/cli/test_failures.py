"""Every ``kg`` failure ends with a non-zero status and one message saying what to fix, never a traceback.

Each test reproduces a failure measured on the CLI (issue 19, item 1) against real stores: an embedded graph in a
temporary directory, and the Neo4j test server where the case is about Neo4j.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from kg.config import DEFAULT_NEO4J_URI, StoreConfig
from kg.store.embedded import EmbeddedStore
from tests import graph_fixture as g
from tests.conftest import REPO_ROOT

STORE_ENV = ("KG_STORE", "KG_DB", "NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "KG_SHARED_DATA")
UNREACHABLE = "bolt://127.0.0.1:1"  # nothing listens on port 1: a command that goes there fails


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No store variables from the developer's shell; each test sets the ones it is about."""
    for name in STORE_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real embedded graph: the shared test graph plus its clinical edges."""
    path = tmp_path_factory.mktemp("cli") / "graph.lbug"
    with EmbeddedStore(path) as store:
        g.build(store)
        g.build_clinical(store)
    return path


def kg(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"kg {' '.join(map(str, args))} raised {result.exception!r}:\n{result.output}")
    assert "Traceback" not in result.output
    return result


def error_line(result: Result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    return lines[0]


# ---- Neo4j URIs -------------------------------------------------------------------------------------------------

def test_default_neo4j_uri_is_a_string() -> None:
    """`kg stats --store neo4j` read the default URI from a slots=True dataclass: a member descriptor."""
    assert StoreConfig().neo4j_uri == DEFAULT_NEO4J_URI == "bolt://localhost:7687"
    os.environ["KG_STORE"] = "neo4j"  # clean_env removes it again
    assert StoreConfig.from_env().neo4j_uri == DEFAULT_NEO4J_URI


def test_store_neo4j_without_uri_uses_the_default_uri() -> None:
    result = kg("stats", "--store", "neo4j")
    # a Neo4j may or may not listen on localhost:7687 here; either way the default URI is the one used
    assert "bolt://localhost:7687" in result.output
    if result.exit_code:
        assert result.exit_code == 1
        assert "cannot reach Neo4j at bolt://localhost:7687" in error_line(result)


@pytest.mark.parametrize("how", ["option", "env"])
def test_neo4j_uri_without_scheme_is_refused_with_the_fix(how: str) -> None:
    args, env = (["--neo4j", "localhost:7687"], None) if how == "option" else ([], {"NEO4J_URI": "localhost:7687"})
    result = kg("stats", *args, env=env)
    assert result.exit_code == 2
    message = error_line(result)
    assert ("--neo4j" if how == "option" else "NEO4J_URI") in message
    assert "bolt://localhost:7687" in message and "neo4j://localhost:7687" in message


def test_uri_the_driver_refuses_is_one_message() -> None:
    result = kg("stats", "--neo4j", "bolt://localhost:7687?region=eu")  # routing context on a direct URI
    assert result.exit_code == 1
    assert "cannot use the Neo4j URI" in error_line(result)


# ---- explicit options win over the environment ------------------------------------------------------------------

def test_explicit_db_wins_over_neo4j_uri_in_the_environment(graph: Path) -> None:
    result = kg("stats", "--db", graph, "--json", env={"NEO4J_URI": UNREACHABLE})
    assert result.exit_code == 0, result.output
    assert '"Entity": 16' in result.output


def test_explicit_db_wins_over_kg_store_in_the_environment(graph: Path) -> None:
    result = kg("stats", "--db", graph, env={"KG_STORE": "neo4j", "NEO4J_URI": UNREACHABLE})
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"store: embedded {graph}")


def test_environment_still_chooses_when_no_option_is_given(graph: Path) -> None:
    assert kg("stats", env={"KG_DB": str(graph)}).output.startswith(f"store: embedded {graph}")
    result = kg("stats", env={"KG_DB": str(graph), "NEO4J_URI": UNREACHABLE})
    assert result.exit_code == 1 and UNREACHABLE in error_line(result)


def test_db_and_neo4j_together_are_a_usage_error(graph: Path) -> None:
    result = kg("stats", "--db", graph, "--neo4j", UNREACHABLE)
    assert result.exit_code == 2
    assert "either --db" in error_line(result)
    assert kg("stats", "--store", "embedded", "--neo4j", UNREACHABLE).exit_code == 2


@pytest.mark.neo4j
def test_explicit_neo4j_wins_over_the_environment(neo4j_uri: str, tmp_path: Path) -> None:
    missing = tmp_path / "absent.lbug"
    result = kg("stats", "--neo4j", neo4j_uri, "--neo4j-user", "", env={"KG_STORE": "embedded", "KG_DB": str(missing)})
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"store: neo4j {neo4j_uri}")
    assert not missing.exists()


# ---- a failing command leaves no store behind --------------------------------------------------------------------

def test_ingest_of_a_missing_file_creates_no_store(tmp_path: Path) -> None:
    db = tmp_path / "new" / "graph.lbug"
    result = kg("ingest", tmp_path / "missing.xml", "--db", db)
    assert result.exit_code == 2
    assert "no such file or directory" in error_line(result) and "missing.xml" in error_line(result)
    assert not db.exists() and not db.parent.exists()
    assert kg("ingest", tmp_path / "*.nothing", "--db", db).exit_code == 2  # a glob that matches nothing
    assert not db.parent.exists()


def test_ingest_that_stores_nothing_removes_the_store_it_created(tmp_path: Path) -> None:
    bad = tmp_path / "notes.xml"
    bad.write_text("not literature\n")
    db = tmp_path / "new" / "deeper" / "graph.lbug"
    result = kg("ingest", bad, "--db", db)
    assert result.exit_code == 1
    assert "unrecognized format" in result.output
    assert not (tmp_path / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.xml"]


def test_failing_import_keeps_an_existing_store(tmp_path: Path, graph: Path) -> None:
    empty_data = tmp_path / "data"
    empty_data.mkdir()
    new_db = tmp_path / "new.lbug"
    result = kg("import", "drugcentral", "--data", empty_data, "--db", new_db)
    assert result.exit_code == 1 and error_line(result)
    assert not new_db.exists()
    existing = tmp_path / "existing.lbug"
    with EmbeddedStore(existing):
        pass  # an empty graph the user made: it is theirs, and stays
    assert kg("import", "drugcentral", "--data", empty_data, "--db", existing).exit_code == 1
    assert existing.exists()


def test_import_of_a_file_that_is_not_kgx_fails_and_creates_no_store(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("just some text\n")
    db = tmp_path / "new.lbug"
    result = kg("import", "kgx", notes, "--db", db)
    assert result.exit_code == 1
    assert "no KGX nodes or edges read" in error_line(result)
    assert not db.exists()


def test_clear_of_a_missing_store_creates_none(tmp_path: Path) -> None:
    db = tmp_path / "absent.lbug"
    result = kg("clear", "--yes", "--db", db)
    assert result.exit_code == 1
    assert "nothing to clear" in error_line(result)
    assert not db.exists()


# ---- answers that looked like success -----------------------------------------------------------------------------

def test_cypher_with_a_missing_parameter_is_an_error(graph: Path) -> None:
    query = "MATCH (n:Entity) WHERE n.id = $id AND n.category = $category RETURN n.name AS name"
    result = kg("cypher", query, "-p", "id=NCBIGene:1565", "--db", graph)
    assert result.exit_code == 2
    message = error_line(result)
    assert "$category" in message and "-p category=VALUE" in message and "$id" not in message
    result = kg("cypher", query, "-p", "id=NCBIGene:1565", "-p", "category=Gene", "--db", graph)
    assert result.exit_code == 0 and "CYP2D6" in result.output


@pytest.mark.neo4j
def test_cypher_with_a_missing_parameter_is_an_error_on_neo4j(neo4j_uri: str) -> None:
    result = kg("cypher", "MATCH (n:Entity {id: $id}) RETURN n.name AS name", "--neo4j", neo4j_uri,
                "--neo4j-user", "")
    assert result.exit_code == 2
    assert "-p id=VALUE" in error_line(result)


def test_evaluate_ner_without_its_corpus_fails(tmp_path: Path) -> None:
    result = kg("evaluate", "ner", "--corpus", "bc5cdr", "--data", tmp_path)
    assert result.exit_code == 1
    message = error_line(result)
    assert "corpus not found" in message and str(tmp_path) in message and "--data" in message
    assert "0.00" not in result.output


def test_evaluate_ner_on_a_file_without_documents_fails(tmp_path: Path) -> None:
    empty = tmp_path / "empty.PubTator.txt"
    empty.write_text("")
    result = kg("evaluate", "ner", "--corpus", "bc5cdr", "--file", empty)
    assert result.exit_code == 1
    assert "no documents could be read" in error_line(result)


# ---- --strict: "no answer" as a failure, for scripts ---------------------------------------------------------------

def test_unknown_gene_is_an_answer_unless_strict(graph: Path) -> None:
    result = kg("query", "drugs-for-gene", "NOSUCHGENE", "--db", graph)
    assert result.exit_code == 0 and "not recognised: 'NOSUCHGENE'" in result.output
    result = kg("query", "drugs-for-gene", "NOSUCHGENE", "--db", graph, "--strict", "--json")
    assert result.exit_code == 1
    assert '"unrecognized"' in result.output  # the answer is still printed
    assert "--strict: gene 'NOSUCHGENE' not recognised" in error_line(result)
    assert kg("query", "drugs-for-gene", "CYP2D6", "--db", graph, "--strict", "--evidence", "0").exit_code == 0


def test_unknown_symptom_fails_only_with_strict(graph: Path) -> None:
    assert kg("query", "symptoms", "fever, blorptitis", "--db", graph).exit_code == 0
    result = kg("query", "symptoms", "fever, blorptitis", "--db", graph, "--strict")
    assert result.exit_code == 1
    assert "not recognised: 'blorptitis'" in error_line(result)
    assert kg("query", "symptoms", "fever, cough", "--db", graph, "--strict").exit_code == 0


def test_patient_with_an_unknown_item_fails_only_with_strict(graph: Path) -> None:
    args = ("query", "patient", "--drugs", "codeine, nosuchdrug", "--db", graph)
    assert kg(*args).exit_code == 0
    result = kg(*args, "--strict")
    assert result.exit_code == 1
    assert "nosuchdrug" in error_line(result)
    assert kg("query", "patient", "--drugs", "codeine", "--genotype", "CYP2D6*10", "--db", graph,
              "--strict").exit_code == 0


# ---- kg … | head -----------------------------------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE on this platform")
def test_output_cut_by_its_reader_ends_silently_as_sigpipe(graph: Path) -> None:
    """Like `kg cypher … | head -1`: the reader goes away; kg ends as cat/grep do, killed by SIGPIPE (141)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "cypher", "UNWIND range(1, 300000) AS i RETURN i", "--db", str(graph)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k not in STORE_ENV})
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().strip() == b"i"
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == -signal.SIGPIPE, stderr
    assert stderr == ""  # no traceback, no "Exception ignored", no "Error:"


def test_lexicon_lookup_with_a_table_that_is_not_one_fails(tmp_path: Path) -> None:
    table = tmp_path / "table.tsv.gz"
    table.write_text("not gzip\n")
    result = kg("lexicon", "lookup", "CYP2D6", "--table", table)
    assert result.exit_code == 1
    assert f"cannot read the lexicon table {table}" in error_line(result)
