"""HTML views of real answers from a real (embedded) store: content, highlighting, offline assets, and rendering in a
real headless browser (Debian's chromium; that test is skipped where it is not installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kg.schema import Evidence, Relation
from kg.view import gene_drugs_page, symptoms_page
from queries.gene_drugs import GeneDrugFinder
from queries.symptoms import SymptomRanker
from tests import graph_fixture as g

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SENTENCE = "Codeine is activated by CYP2D6 to morphine, and poor metabolizers get little analgesia."


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    from kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path_factory.mktemp("view") / "graph.lbug") as store:
        g.build(store)
        g.build_clinical(store)
        store.upsert_relations([Relation(g.CODEINE, "affects", g.CYP2D6, [
            Evidence("106", SENTENCE, 0, len(SENTENCE), 0.93, "test-re", "1", year=2021)])])
        store.flush()
        yield store


@pytest.fixture(scope="module")
def gene_page(store) -> str:
    return gene_drugs_page(GeneDrugFinder(store).search("CYP2D6*10").as_dict())


def test_gene_page_shows_ranked_drugs_with_highlighted_linked_evidence(gene_page: str) -> None:
    assert "Drugs for CYP2D6" in gene_page and "genotype *10" in gene_page
    assert gene_page.index("Codeine") < gene_page.index("</ol>")
    marks = re.findall(r'<mark class="entity"[^>]*>\s*([^<]+?)\s*<span', gene_page)
    assert {"Codeine", "CYP2D6"} <= set(marks), marks  # both ends of the edge highlighted in its sentence
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/106/">PMID:106</a>' in gene_page
    assert "support 0.59 from 2 papers" in gene_page and "support 0.90, curated" in gene_page
    assert re.search(r"best extraction score 0\.\d\d; belief 0\.\d\d, (asserted|a literature candidate)", gene_page)


def test_pages_are_self_contained(gene_page: str) -> None:
    assert "<script src" not in gene_page and "<link" not in gene_page  # nothing fetched at view time
    assert "cytoscape" in gene_page and '"source": "MESH:D003061"' in gene_page


def test_unrecognised_gene_page_says_so(store) -> None:
    page = gene_drugs_page(GeneDrugFinder(store).search("CYP2D7").as_dict())
    assert "Gene not recognised: CYP2D7" in page and "CYP2D6" in page  # the close match


def test_symptoms_page(store) -> None:
    page = symptoms_page(SymptomRanker(store).search("fever, cough, no chest pain, blorptitis"))
    assert "Pneumonia" in page and "has_phenotype" in page
    assert "absent: Chest pain" in page and "not recognised: &#39;blorptitis&#39;" in page
    assert "Sentence 0 of 101." in page  # the text-mined Pneumonia–Fever edge shows its sentence


def test_text_is_escaped(store) -> None:
    page = symptoms_page(SymptomRanker(store).search("<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in page


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install chromium)")
def test_gene_page_renders_its_graph_and_sentences_in_a_headless_browser(gene_page: str, tmp_path: Path) -> None:
    page = tmp_path / "cyp2d6.html"
    page.write_text(gene_page, encoding="utf-8")
    artifacts = Path(os.environ.get("KG_TEST_ARTIFACTS", tmp_path))
    artifacts.mkdir(parents=True, exist_ok=True)
    browser = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
               f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--virtual-time-budget=10000", "--window-size=1200,1400"]
    dom = subprocess.run([*browser, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    nodes = re.search(r'data-graph-nodes="(\d+)"', dom.stdout)
    edges = re.search(r'data-graph-edges="(\d+)"', dom.stdout)
    assert nodes and int(nodes[1]) >= 4 and edges and int(edges[1]) >= 3  # Cytoscape.js ran and drew the paths
    assert "<canvas" in dom.stdout  # ... into canvases
    assert 'class="entity"' in dom.stdout and "Codeine" in dom.stdout
    shot = artifacts / "view-cyp2d6.png"
    subprocess.run([*browser, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000  # kept as the test's artifact


def test_query_commands_write_the_page_beside_their_answer(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from kg.cli import main
    from kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "graph.lbug") as store:
        g.build(store)
    db = ["--store", "embedded", "--db", str(tmp_path / "graph.lbug")]
    runner = CliRunner()
    page = tmp_path / "cyp2d6.html"
    result = runner.invoke(main, ["query", "drugs-for-gene", "CYP2D6", *db, "--json", "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gene"]["id"] == g.CYP2D6  # stdout stays JSON; the note goes to stderr
    assert "Drugs for CYP2D6" in page.read_text(encoding="utf-8")
    symptoms = tmp_path / "symptoms.html"
    result = runner.invoke(main, ["query", "symptoms", "fever, cough", *db, "--html", str(symptoms)])
    assert result.exit_code == 0, result.output
    assert "Pneumonia" in symptoms.read_text(encoding="utf-8")
    unwritable = runner.invoke(main, ["query", "drugs-for-gene", "CYP2D6", *db, "--html", str(tmp_path / "no/x.html")])
    assert unwritable.exit_code == 1 and "cannot write the HTML view" in unwritable.output
