"""``kg ingest --engine`` options that are refused before anything starts, with what to do instead."""

from __future__ import annotations

import json
import sys

from click.testing import CliRunner

from kg.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, ["ingest", *args, "--no-progress"])


def test_ray_not_installed_says_how_to_install_it(tmp_path, monkeypatch):
    (tmp_path / "a.xml").write_text("<PubmedArticleSet/>", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError, as without the package
    result = invoke(str(tmp_path / "a.xml"), "--engine", "ray", "--db", str(tmp_path / "g.lbug"))
    assert result.exit_code == 1
    assert "pip install 'medkg[ray]'" in result.output
    assert not (tmp_path / "g.lbug").exists()


def test_ray_options_need_the_ray_engine(tmp_path):
    (tmp_path / "a.xml").write_text("<PubmedArticleSet/>", encoding="utf-8")
    result = invoke(str(tmp_path / "a.xml"), "--address", "auto", "--db", str(tmp_path / "g.lbug"))
    assert result.exit_code == 2 and "--engine ray" in result.output


def test_standard_input_is_for_the_local_engine(tmp_path):
    result = invoke("-", "--engine", "ray", "--db", str(tmp_path / "g.lbug"))
    assert result.exit_code == 2 and "--engine local" in result.output


def test_neo4j_import_needs_the_ray_engine(tmp_path):
    (tmp_path / "a.xml").write_text("<PubmedArticleSet/>", encoding="utf-8")
    result = invoke(str(tmp_path / "a.xml"), "--neo4j-import", str(tmp_path / "import"))
    assert result.exit_code == 2 and "--engine ray" in result.output
    assert not (tmp_path / "import").exists()


def test_neo4j_import_writes_the_files_and_no_store(ray_cluster, corpus, tmp_path):
    """The first load of the shared PubMed file as import files (the graph itself: tests/distributed/
    test_neo4j_import.py); no store is opened or created."""
    out = tmp_path / "import"
    result = CliRunner().invoke(main, ["ingest", str(corpus[0]), "--engine", "ray", "--workers", "1", "--neo4j-import",
                                       str(out), "--shards", str(tmp_path / "shards"), "--db",
                                       str(tmp_path / "g.lbug"), "--json", "--no-progress"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["stored"] > 0 and summary["files"]["mentions"] > 0
    assert {p.name for p in out.iterdir()} == {"entities.csv", "publications.csv", "evidence.csv", "mentions.csv",
                                               "edges.csv", "import.sh", "after-import.cypher"}
    assert not (tmp_path / "g.lbug").exists()
