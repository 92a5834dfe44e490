"""A first load as ``neo4j-admin database import full`` files: the Ray engine's writer assembles the graph
(:class:`GraphImage`), the files are imported by the real import tool of Neo4j 5.26 (``org.neo4j:neo4j-import-tool``
from Maven Central, on the test server's class path), and the imported database is the graph the local engine
writes through the batched loader — publications, entities, mentions, edges and evidence, exactly, including a
citation deleted, revised and repeated in file order."""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import tempfile
from pathlib import Path

import neo4j
import pytest

from kg.distributed.graph_image import GraphImage
from kg.distributed.neo4j_import import ImportFiles, write_import_files
from kg.distributed.ray_engine import RayIngester
from kg.ingest import Ingester
from kg.store.embedded import EmbeddedStore
from kg.store.neo4j_store import Neo4jStore
from tests.distributed import pipelines
from tests.distributed.conftest import snapshot
from tests.neo4j_server import (
    DEFAULT_JVM_OPTS,
    LAUNCHER_JAR,
    LIB_DIR,
    MAIN_CLASS,
    Neo4jTestServer,
    build_launcher,
    free_port,
    java_toolchain_missing,
)

VICTIM = "41576697"  # the second citation of pubmed26n1334
ADMIN_TOOL = "org.neo4j.cli.AdminTool"  # neo4j-admin's entry point (neo4j-command-line; import: neo4j-import-tool)


class ImportedNeo4jServer(Neo4jTestServer):
    """A test server whose database is first written by ``neo4j-admin database import full`` from ``files``."""

    def __init__(self, files: ImportFiles) -> None:
        super().__init__()
        self.files = files
        self.import_log = ""

    def start(self) -> ImportedNeo4jServer:
        build_launcher()
        self.home = Path(tempfile.mkdtemp(prefix="medkg-neo4j-import-"))
        self.log_path = self.home / "launcher.log"
        neo4j_home = self.home / "neo4j"
        neo4j_home.mkdir()
        admin = ["java", "-Xmx512m", "-cp", str(LIB_DIR / "*"), ADMIN_TOOL,
                 *self.files.command(options=["--max-off-heap-memory=256m", "--threads=2"])]
        done = subprocess.run(admin, env={**os.environ, "NEO4J_HOME": str(neo4j_home)}, capture_output=True,
                              text=True, timeout=300, check=False)
        self.import_log = done.stdout + done.stderr
        if done.returncode != 0:
            raise RuntimeError(f"neo4j-admin import exited {done.returncode}:\n{self.import_log[-3000:]}")
        self.port = free_port()
        classpath = f"{LAUNCHER_JAR}{os.pathsep}{LIB_DIR / '*'}"
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(["java", *DEFAULT_JVM_OPTS, "-cp", classpath, MAIN_CLASS, str(neo4j_home),
                                           str(self.port)], stdin=subprocess.PIPE, stdout=log,
                                          stderr=subprocess.STDOUT)
        try:
            self.uri = self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self


@pytest.fixture
def inputs(corpus, tmp_path) -> list[Path]:
    """A citation stored, deleted by a later file, then revised by a third; the rest repeated unchanged."""
    data = gzip.decompress(corpus[0].read_bytes())
    deletion = tmp_path / "delete.xml"
    deletion.write_text("<?xml version='1.0'?><PubmedArticleSet><DeleteCitation>"
                        f"<PMID Version='1'>{VICTIM}</PMID></DeleteCitation></PubmedArticleSet>", encoding="utf-8")
    title = data.index(b"<ArticleTitle>", data.index(f">{VICTIM}</PMID>".encode())) + len(b"<ArticleTitle>")
    revised = tmp_path / "revised.xml"
    revised.write_bytes(data[:title] + b"Revised: " + data[title:])
    return [corpus[0], deletion, revised, corpus[1], deletion, revised]


def test_import_files_of_the_ray_engine_are_the_batched_loaders_graph(ray_cluster, inputs, tmp_path):
    reason = java_toolchain_missing()
    if reason:
        if os.environ.get("KG_REQUIRE_NEO4J") == "1":
            pytest.fail(f"Neo4j tests are required here (KG_REQUIRE_NEO4J=1) but: {reason}")
        pytest.skip(f"the import tool needs Java 17 and Maven: {reason}")
    options = {"batch_size": 16, "progress": False, "pipeline_factory": pipelines.with_relations}
    with EmbeddedStore(tmp_path / "local.lbug") as local:
        expected_summary = Ingester(local, **options).run([str(p) for p in inputs]).as_dict()
        expected = snapshot(local)
    assert expected_summary["deleted"] == 2 and expected_summary["duplicates"] == 60
    assert expected["evidence"] and expected["edges"], "the corpus must give relations"

    image = GraphImage()
    summary = RayIngester(None, image=image, shard_dir=tmp_path / "shards", workers=2, records_per_task=16,
                          **options).run([str(p) for p in inputs]).as_dict()
    assert summary == expected_summary
    files = write_import_files(image, tmp_path / "import")
    assert files.counts["publications"] == len(expected["publications"])
    assert files.counts["edges"] == len(expected["edges"]) and files.counts["evidence"] == len(expected["evidence"])
    with open(files.directory / "edges.csv", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[:3] == [":START_ID(Entity)", ":END_ID(Entity)", "predicate"] and "pmids:string[]" in header
    assert "belief:double" in header and "n_pmids:long" in header  # typed from the edge model's kinds
    assert "neo4j-admin" in (files.directory / "import.sh").read_text(encoding="utf-8")

    with ImportedNeo4jServer(files) as server, neo4j.GraphDatabase.driver(server.uri, auth=None) as driver:
        assert "IMPORT DONE" in server.import_log
        with driver.session() as session:  # as cypher-shell -f after-import.cypher runs it
            for statement in (files.directory / "after-import.cypher").read_text(encoding="utf-8").split(";\n"):
                if statement.strip():
                    session.run(statement).consume()
        with Neo4jStore(server.uri, user=None, read_only=True) as store:  # a read-only open creates nothing
            assert snapshot(store) == expected
        with driver.session() as session:
            constraints = {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name RETURN name")}
            assert {"entity_id", "publication_pmid", "evidence_id"} <= constraints
