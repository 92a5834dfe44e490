"""The HPO phenotype dictionary: names, synonyms and spelling variants resolve to the right term, and nothing that is
not a current phenotypic abnormality (obsolete terms, inheritance modes, abbreviations, generic words) is a key."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.phenotypes.dictionary import (
    CROSSWALK,
    NAME,
    SYNONYM,
    VARIANT,
    PhenotypeDictionary,
    name_key,
    name_variants,
    usable,
)
from extractors.phenotypes.recognizer import shared_dictionary
from kg.ontology import HpoOntology


def curie(dictionary: PhenotypeDictionary, name: str) -> str | None:
    entry = dictionary.get(name_key(name))
    return entry.curie if entry else None


@pytest.mark.parametrize(("name", "expected"), [
    ("Short stature", "HP:0004322"),
    ("Seizure", "HP:0001250"),
    ("Atrial septal defect", "HP:0001631"),
    ("Intellectual disability", "HP:0001249"),
    ("Palmar pits", "HP:0010610"),
    ("Arachnodactyly", "HP:0001166"),
])
def test_term_names_resolve_to_their_term(dictionary: PhenotypeDictionary, name: str, expected: str) -> None:
    entry = dictionary.get(name_key(name))
    assert entry is not None and entry.curie == expected and entry.kind == NAME
    assert dictionary.names[expected] == name


@pytest.mark.parametrize(("synonym", "expected"), [
    ("Mental retardation", "HP:0001249"),  # EXACT synonym of Intellectual disability
    ("Pyrexia", "HP:0001945"),  # Fever
    ("Shortness of breath", "HP:0002094"),  # layperson synonym of Dyspnea
    ("Tiredness", "HP:0012378"),  # layperson synonym of Fatigue
    ("Nosebleed", "HP:0000421"),  # layperson synonym of Epistaxis
])
def test_synonyms_resolve_to_their_term(dictionary: PhenotypeDictionary, synonym: str, expected: str) -> None:
    entry = dictionary.get(name_key(synonym))
    assert entry is not None and entry.curie == expected and entry.kind == SYNONYM


@pytest.mark.parametrize(("variant", "expected"), [
    ("SHORT STATURE", "HP:0004322"),
    ("short stature", "HP:0004322"),
    ("seizures", "HP:0001250"),  # plural
    ("Cleft palates", "HP:0000175"),
    ("papules", "HP:0200034"),
    ("headaches", "HP:0002315"),
    ("retinal haemorrhage", "HP:0000573"),  # British and American spelling, singular and plural
    ("retinal hemorrhage", "HP:0000573"),
    ("Retinal haemorrhages", "HP:0000573"),
    ("anaemia", "HP:0001903"),
    ("oedema", "HP:0000969"),
    ("diarrhoea", "HP:0002014"),
    ("oesophagitis", "HP:0100633"),
    ("tumours", "HP:0002664"),  # Neoplasm's synonym "Tumor"
])
def test_case_plural_and_british_spelling_variants(dictionary: PhenotypeDictionary, variant: str,
                                                    expected: str) -> None:
    assert curie(dictionary, variant) == expected


def test_british_and_american_spellings_share_one_key() -> None:
    assert name_key("Subdural haemorrhage") == name_key("subdural hemorrhages") == ("subdural", "hemorrhage")


def test_rewritten_names() -> None:
    assert name_variants("Abnormality of the ear") == ["ear abnormality", "ear anomaly", "abnormal ear"]
    assert [name_key(v) for v in name_variants("Hyperplasia of the coronoid process")] == \
        [("coronoid", "process", "hyperplasia")]
    assert name_variants("Short stature") == []


def test_a_rewritten_name_never_takes_a_key_from_a_term_s_own_name_or_synonym(dictionary: PhenotypeDictionary
                                                                             ) -> None:
    # "ear anomalies" is an HPO synonym of Abnormality of the outer ear and a rewrite of Abnormality of the ear
    entry = dictionary.get(name_key("ear anomalies"))
    assert entry is not None and entry.curie == "HP:0000356" and entry.kind == SYNONYM
    entry = dictionary.get(name_key("abnormal ear"))
    assert entry is not None and entry.curie == "HP:0000598" and entry.kind == VARIANT


def test_every_usable_term_name_is_its_own_term_s_key(hpo: HpoOntology, dictionary: PhenotypeDictionary) -> None:
    """Ambiguity never moves a term's own name to another term (a synonym or a rewrite of another term loses)."""
    wrong = []
    for term_id, term in hpo.terms.items():
        if term.obsolete or not hpo.is_phenotype(term_id) or not usable(term.name, name_key(term.name)):
            continue
        entry = dictionary.get(name_key(term.name))
        if entry is None or entry.curie != term_id:
            wrong.append((term_id, term.name, entry))
    assert wrong == []


def test_only_current_phenotypic_abnormalities_are_keys(hpo: HpoOntology, dictionary: PhenotypeDictionary) -> None:
    targets = {entry.curie for entry in dictionary.entries.values()}
    assert all(not hpo.terms[t].obsolete and hpo.is_phenotype(t) for t in targets)
    assert set(dictionary.names) <= {t for t in hpo.terms if hpo.is_phenotype(t)}
    # inheritance, onset and the root are not phenotypes
    for name in ("Autosomal dominant inheritance", "Childhood onset", "Phenotypic abnormality"):
        assert dictionary.get(name_key(name)) is None, name


def test_obsolete_terms_are_not_mapped(hpo: HpoOntology, dictionary: PhenotypeDictionary) -> None:
    obsolete = [t for t in hpo.terms.values() if t.obsolete]
    assert len(obsolete) > 100
    assert not any(curie(dictionary, t.name) == t.id for t in obsolete)
    # an obsolete term's name without its "obsolete" prefix names the current term, never the obsolete one
    clitoromegaly = hpo.terms["HP:0000057"]
    assert clitoromegaly.obsolete
    found = curie(dictionary, clitoromegaly.name.removeprefix("obsolete "))
    assert found != "HP:0000057" and (found is None or not hpo.terms[found].obsolete)


@pytest.mark.parametrize("name", ["ASD", "HbA1c", "ear", "Abnormality", "Anomaly", "Syndrome", "Disease",
                                  "Phenotype", "ab"])
def test_abbreviations_short_and_generic_words_are_not_keys(dictionary: PhenotypeDictionary, name: str) -> None:
    assert curie(dictionary, name) is None


def test_unusable_names() -> None:
    assert not usable("ASD", name_key("ASD"))
    assert not usable("Abnormality", name_key("Abnormality"))
    assert not usable("", name_key(""))
    assert not usable(" ".join(["long"] * 13), name_key(" ".join(["long"] * 13)))
    assert usable("Fever", name_key("Fever"))


def test_the_digest_follows_the_content(dictionary: PhenotypeDictionary) -> None:
    assert dictionary.digest == dictionary.digest and len(dictionary.digest) == 10
    other = PhenotypeDictionary()
    other.add("HP:0001945", "Fever", NAME)
    assert other.digest != dictionary.digest and len(other) == 1 and other.max_tokens == 1


def test_the_more_trusted_kind_keeps_a_shared_key() -> None:
    d = PhenotypeDictionary()
    d.add("HP:0000002", "Odd stature", VARIANT)
    d.add("HP:0000001", "Odd stature", SYNONYM)
    d.add("HP:0000003", "Odd stature", SYNONYM)  # an equal kind does not take the key
    assert d.get(("odd", "stature")) == d.entries[("odd", "stature")]
    assert d.entries[("odd", "stature")].curie == "HP:0000001"


@pytest.fixture(scope="module")
def kb_dictionary(shared_data: Path) -> PhenotypeDictionary:
    kb = shared_data / "kb"
    if not (kb / "mesh" / "mesh2015-symptoms.tsv").is_file():
        pytest.skip(f"MeSH signs and symptoms not found under {kb}")
    return shared_dictionary(kb)


@pytest.mark.parametrize(("name", "expected"), [
    ("stenocardia", "HP:0001681"),  # MeSH Angina Pectoris (C23) entry terms → its one HPO term
    ("angor pectoris", "HP:0001681"),
    ("dysnomia", "HP:0030784"),  # Anomic aphasia
])
def test_crosswalk_names_of_one_hpo_term(kb_dictionary: PhenotypeDictionary, name: str, expected: str) -> None:
    entry = kb_dictionary.get(name_key(name))
    assert entry is not None and entry.curie == expected and entry.kind == CROSSWALK


@pytest.mark.parametrize("name", [
    "Spinning sensation",  # MeSH Vertigo → two HPO terms
    "Weight reduction",  # MeSH Weight Loss → two HPO terms
    "Habit spasm",  # MeSH Tics → three HPO terms
    "Ringing buzzing tinnitus",  # MeSH Tinnitus → two HPO terms
])
def test_crosswalk_names_of_several_hpo_terms_are_left_out(kb_dictionary: PhenotypeDictionary, name: str) -> None:
    assert kb_dictionary.get(name_key(name)) is None
