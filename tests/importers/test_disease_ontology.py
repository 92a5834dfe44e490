"""kg import disease-ontology: the OBO parser and symptom normalization on an inline sample, the real DO, and the
common-disease vignettes of issue 17 on a graph holding HPO and DO."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.importers.disease_ontology import (
    DO_SOURCE,
    has_symptom_phrases,
    import_disease_ontology,
    parse_do_lines,
    read_disease_ontology,
)

SAMPLE = '''format-version: 1.2
data-version: releases/2024-01-31/doid.obo

[Term]
id: DOID:552
name: pneumonia
def: "A lung disease. The disease has_symptom fever, has_symptom cough and has_symptom non-productive cough." [url:x]
synonym: "lung inflammation" EXACT []
synonym: "pneumonitis" RELATED []
xref: MESH:D011014
is_a: DOID:850 ! lung disease

[Term]
id: DOID:9999999
name: made-up rare syndrome
def: "A syndrome that has_material_basis_in a variant, has_symptom arachnodactyly and has_symptom redness." []
xref: OMIM:154700

[Term]
id: DOID:1
name: obsolete thing
def: "has_symptom fever." []
is_obsolete: true

[Typedef]
id: has_symptom
'''


def _sample(tmp_path: Path) -> Path:
    path = tmp_path / "doid.obo"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_parser_reads_terms_definitions_xrefs():
    terms, version = parse_do_lines(SAMPLE.splitlines(keepends=True))
    assert version == "2024-01-31" and set(terms) == {"DOID:552", "DOID:9999999", "DOID:1"}
    pneumonia = terms["DOID:552"]
    assert pneumonia.synonyms == ("lung inflammation",) and pneumonia.xrefs == ("MESH:D011014",)
    assert pneumonia.parents == ("DOID:850",) and terms["DOID:1"].obsolete
    assert has_symptom_phrases(pneumonia.definition) == ["fever", "cough", "non-productive cough"]
    assert has_symptom_phrases("has_symptom eschar (usually single), has _symptom regional adenopathy, which is x") \
        == ["eschar (usually single)", "regional adenopathy"]


def test_sample_import_writes_curated_edges_on_crosswalked_nodes(store, tmp_path):
    summary = import_disease_ontology(store, tmp_path, obo=_sample(tmp_path))
    assert summary.diseases == 2  # the obsolete term is not a disease
    rows = store.read_cypher(
        "MATCH (a:Entity)-[r:has_phenotype]->(b:Entity) RETURN a.id AS d, b.id AS p, r.knowledge_sources AS s, "
        "r.knowledge_level AS level, r.agent_type AS agent")
    edges = {(r["d"], r["p"]) for r in rows}
    # pneumonia on its MeSH node, the rare syndrome on its OMIM node; "non-productive cough" is not read as
    # Productive cough, "redness" not as Fatigue (nearest names wider than the phrase are not written)
    assert edges == {("MESH:D011014", "HP:0001945"), ("MESH:D011014", "HP:0012735"),
                     ("OMIM:154700", "HP:0001166")}
    assert all(r["s"] == [DO_SOURCE] and r["level"] == "knowledge_assertion" and r["agent"] == "manual_agent"
               for r in rows)
    names = {r["id"]: r["name"] for r in store.query("entities_by_id", ids=["MESH:D011014", "OMIM:154700"])}
    assert names == {"MESH:D011014": "pneumonia", "OMIM:154700": "made-up rare syndrome"}
    again = import_disease_ontology(store, tmp_path, obo=_sample(tmp_path))
    assert again.store_delta == {"nodes": {}, "relationships": {}}


def test_missing_folder_says_what_to_pass(tmp_path):
    with pytest.raises(FileNotFoundError, match="pass the shared data folder"):
        read_disease_ontology(tmp_path)


# ---- real data -----------------------------------------------------------------------------------------------
def test_real_disease_ontology_symptoms(shared_data):
    tables = read_disease_ontology(shared_data)
    assert len(tables.terms) == 13_982 and len(tables.nodes) > 11_000
    assert len(tables.edges) > 2_000
    by_doid: dict[str, set[str]] = {}
    for st in tables.statements:
        if st.term_id:
            by_doid.setdefault(st.doid, set()).add(st.term_id)
    assert {"HP:0001945", "HP:0012735"} <= by_doid["DOID:8469"]  # influenza: fever, cough
    assert "HP:0000103" in by_doid["DOID:9351"]  # diabetes mellitus: polyuria (axiom)
    assert tables.nodes["DOID:8469"] == ["MESH:D007251"] and tables.nodes["DOID:9744"] == ["OMIM:222100"]


VIGNETTES = {
    "cough, much sputum, fever": ("pneumon", "bronch", "influenza", "tubercul"),
    "咳嗽，痰多，发热": ("pneumon", "bronch", "influenza", "tubercul"),
    "polyuria, polydipsia, weight loss, fatigue": ("diabetes mellitus", "maturity-onset diabetes"),  # not insipidus
    "fever, headache, muscle pain, sore throat, runny nose": ("influenza",),
    "fever, chills, cough, shortness of breath, chest pain": ("pneumon", "bronch", "influenza", "tubercul"),
}


@pytest.fixture(scope="module")
def hpo_do_store(shared_data, tmp_path_factory):
    from kg.importers.hpo import import_hpo
    from kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path_factory.mktemp("hpo_do") / "graph.lbug") as embedded:
        import_hpo(embedded)
        import_disease_ontology(embedded, shared_data)
        yield embedded


@pytest.mark.parametrize("question", list(VIGNETTES))
def test_common_disease_vignettes_have_a_fitting_disease_in_the_top_5(hpo_do_store, question):
    from queries.symptoms import SymptomRanker

    result = SymptomRanker(hpo_do_store).search(question, top=5)
    assert not result["unrecognized"]
    names = [a["disease_name"].lower() for a in result["answers"]]
    assert any(stem in name for name in names for stem in VIGNETTES[question]), names
