"""The kernel ontology: OBO parsing, the is_a closure and information content, on a small hand-written OBO file."""

from __future__ import annotations

import math

import pytest

from kg.ontology import InformationContent, load_ontology, parse_obo

OBO = """format-version: 1.2
data-version: hp/releases/2025-01-16

[Term]
id: HP:0000001
name: All

[Term]
id: HP:0000118
name: Phenotypic abnormality
is_a: HP:0000001 ! All

[Term]
id: HP:0000707
name: Abnormality of the nervous system
is_a: HP:0000118 ! Phenotypic abnormality

[Term]
id: HP:0001250
name: Seizure
alt_id: HP:0002279
synonym: "Seizures" EXACT []
synonym: "Fits" RELATED layperson []
synonym: "Fit" BROAD []
synonym: "Epileptic fit" NARROW []
synonym: "Convulsions" EXACT obsolete_synonym []
is_a: HP:0000707 ! Abnormality of the nervous system

[Term]
id: HP:0002373
name: Febrile seizure
is_a: HP:0001250 ! Seizure

[Term]
id: HP:0000005
name: Mode of inheritance
is_a: HP:0000001 ! All

[Term]
id: HP:0000999
name: obsolete Fits
is_obsolete: true
replaced_by: HP:0001250

[Typedef]
id: part_of
name: part of
"""


@pytest.fixture(scope="module")
def ontology(tmp_path_factory):
    path = tmp_path_factory.mktemp("obo") / "mini.obo"
    path.write_text(OBO, encoding="utf-8")
    return parse_obo(path)


def test_terms_keep_the_tags_medkg_uses(ontology):
    assert ontology.version == "2025-01-16"
    assert "part_of" not in ontology  # [Typedef] stanzas are not terms
    seizure = ontology.terms["HP:0001250"]
    assert seizure.synonyms == ("Seizures", "Fits")  # EXACT and RELATED; obsolete synonyms dropped
    assert seizure.broad_synonyms == ("Fit",)  # NARROW ones are not kept at all
    assert seizure.parents == ("HP:0000707",)


def test_alternative_and_obsolete_ids_resolve_to_the_current_term(ontology):
    assert ontology.resolve("HP:0002279") == "HP:0001250"
    assert ontology.resolve("HP:0000999") == "HP:0001250"
    assert ontology.resolve("HP:9999999") is None


def test_closure_and_the_phenotype_branch(ontology):
    assert ontology.ancestors("HP:0002373") == {"HP:0002373", "HP:0001250", "HP:0000707", "HP:0000118",
                                                "HP:0000001"}
    assert ontology.descendants("HP:0000707") == {"HP:0000707", "HP:0001250", "HP:0002373"}
    assert ontology.is_phenotype("HP:0001250")
    assert not ontology.is_phenotype("HP:0000118") and not ontology.is_phenotype("HP:0000005")


def test_information_content_counts_items_annotated_with_a_term_or_a_descendant(ontology):
    info = InformationContent(ontology, {
        "OMIM:1": {"HP:0002373"}, "OMIM:2": {"HP:0001250"}, "OMIM:3": {"HP:0000707"}, "OMIM:4": {"HP:0004444"},
    })
    assert info.annotated == {"HP:0002373", "HP:0001250", "HP:0000707"}  # HP:0004444 is not in the ontology
    assert info.ic("HP:0000707") == pytest.approx(math.log(4 / 3))
    assert info.ic("HP:0001250") == pytest.approx(math.log(4 / 2))
    assert info.ic("HP:0002373") == pytest.approx(math.log(4))
    assert info.ic("HP:0000005") == info.max_ic == pytest.approx(math.log(4))  # no annotation: the most


def test_the_shipped_hpo_loads_once_per_process():
    hpo = load_ontology()
    assert hpo is load_ontology() and len(hpo.terms) > 15_000 and hpo.is_phenotype("HP:0001250")
