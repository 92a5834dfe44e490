"""Patient profiles on both real backends: differential, treatments, risk flags, and nothing written or logged."""

from __future__ import annotations

import logging

import pytest

from queries.patient import PatientAnalyzer, PatientProfile, split_list
from queries.symptom_text import MAX_ITEMS, MAX_UNRECOGNIZED
from tests import graph_fixture as g


@pytest.fixture
def analyzer(store):
    g.build(store)
    g.build_clinical(store)
    return PatientAnalyzer(store)


def test_lists_are_split_at_commas_semicolons_and_lines():
    assert split_list("asthma; type 2 diabetes,\nhypertension , ") == ["asthma", "type 2 diabetes", "hypertension"]
    assert split_list(["a, b", "c"]) == ["a", "b", "c"] and split_list(None) == []


def test_profile_gives_differential_treatments_and_risk_flags(analyzer, caplog):
    profile = PatientProfile.from_text(symptoms="fever and cough, no chest pain", history="Constipation",
                                       drugs="codeine, Tamoxifen; paroxetine", genotype="CYP2D6*10")
    before = analyzer.store.stats().as_dict()
    with caplog.at_level(logging.DEBUG):
        report = analyzer.analyze(profile, top_diseases=2).as_dict()
    assert analyzer.store.stats().as_dict() == before  # nothing written

    def leaks(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
        return [r for r in records if "codeine" in r.getMessage().lower() or "CYP2D6" in r.getMessage()]

    # Only the Neo4j driver's wire-level DEBUG log shows query parameters (see queries/patient.py).
    assert not [r for r in leaks(caplog.records) if not r.name.startswith("neo4j")]
    caplog.clear()
    with caplog.at_level(logging.INFO):
        analyzer.analyze(profile, top_diseases=2)
    assert not leaks(caplog.records)

    assert [a["disease_id"] for a in report["differential"]["answers"]][:2] == [g.INFLUENZA, g.PNEUMONIA] or \
        [a["disease_id"] for a in report["differential"]["answers"]][:2] == [g.PNEUMONIA, g.INFLUENZA]
    assert [t["label"] for t in report["differential"]["absent"]] == ["Chest pain"]
    assert [(h["id"], h["matched_by"]) for h in report["history"]] == [(g.CONSTIPATION, "name")]
    assert [d["id"] for d in report["drugs"]] == [g.CODEINE, g.TAMOXIFEN, g.PAROXETINE]
    assert report["genotypes"][0]["gene"]["id"] == g.CYP2D6 and report["genotypes"][0]["genotype"] == "*10"

    treatments = {t["disease_id"]: [o["drug_id"] for o in t["drugs"]] for t in report["treatments"]}
    assert treatments == {g.INFLUENZA: [g.OSELTAMIVIR], g.PNEUMONIA: []}

    flags = {(f["kind"], f["drug_id"], f["about_id"]) for f in report["risk_flags"]}
    assert flags == {
        ("adverse_effect", g.CODEINE, g.CONSTIPATION),
        ("interaction", g.TAMOXIFEN, g.PAROXETINE),
        ("pharmacogenomic", g.PAROXETINE, g.CYP2D6),
        ("pharmacogenomic", g.CODEINE, g.CYP2D6),
        ("pharmacogenomic", g.TAMOXIFEN, g.CYP2D6),
    } or flags == {  # the interaction edge is undirected: either drug may be reported first
        ("adverse_effect", g.CODEINE, g.CONSTIPATION),
        ("interaction", g.PAROXETINE, g.TAMOXIFEN),
        ("pharmacogenomic", g.PAROXETINE, g.CYP2D6),
        ("pharmacogenomic", g.CODEINE, g.CYP2D6),
        ("pharmacogenomic", g.TAMOXIFEN, g.CYP2D6),
    }
    adverse = next(f for f in report["risk_flags"] if f["kind"] == "adverse_effect")
    assert adverse["message"] == "Codeine is reported to cause Constipation (in the history)"
    assert adverse["pmids"] == ["102"] and adverse["drug_role"] == "current"
    pgx = [f for f in report["risk_flags"] if f["kind"] == "pharmacogenomic"]
    assert all("genotype CYP2D6*10" in f["message"] for f in pgx)
    paroxetine = next(f for f in pgx if f["drug_id"] == g.PAROXETINE)
    assert paroxetine["sources"] == ["infores:drugcentral"] and paroxetine["predicate"] == "decreases_activity_of"
    assert report["risk_flags"][0]["strength"] >= report["risk_flags"][1]["strength"]


def test_candidate_treatments_are_flagged_against_current_drugs(analyzer):
    # Breast cancer is treated by tamoxifen, which interacts with paroxetine and binds CYP2D6.
    report = analyzer.analyze(PatientProfile(history=["Breast Neoplasms"], drugs=["Paroxetine"],
                                             genotypes=["CYP2D6*4/*4"]))
    assert report.treatments == []  # no symptoms → no differential → no candidates
    flags = {(f.kind, f.drug_id, f.drug_role) for f in report.risk_flags}
    assert ("pharmacogenomic", g.PAROXETINE, "current") in flags

    report = analyzer.analyze(PatientProfile(symptoms="fever", drugs=["Oseltamivir", "Paroxetine"]), top_diseases=2)
    options = {o.drug_id: o for t in report.treatments for o in t.drugs}
    assert g.OSELTAMIVIR in options and options[g.OSELTAMIVIR].flags == []


def test_unrecognised_items_are_reported_with_close_matches(analyzer):
    report = analyzer.analyze(PatientProfile(symptoms="fever", history=["Constipaton", "MESH:D999999"],
                                             drugs=["tamoxifem"], genotypes=["CYP2D7*2"]))
    bad = report.unrecognized
    assert [(u.text, [m["name"] for m in u.close_matches]) for u in bad["history"]] == [
        ("Constipaton", ["constipation"]), ("MESH:D999999", [])]
    assert [(u.text, [m["name"] for m in u.close_matches]) for u in bad["drugs"]] == [("tamoxifem", ["tamoxifen"])]
    genotype = report.genotypes[0]
    assert genotype["gene"] is None and genotype["unrecognized"]["close_matches"][0]["name"] == "CYP2D6"
    assert report.history == [] and report.drugs == []


def test_long_fields_are_cut_at_max_items_and_say_how_many_were_left_out(analyzer):
    # Distinct words that name nothing: every one would be looked up and answered with its close names.
    words = [f"qzv{i}" for i in range(MAX_ITEMS + 30)]
    text = ", ".join(words)
    report = analyzer.analyze(PatientProfile.from_text(symptoms=text, history=text, drugs=text, genotype=text))
    fields = ("symptoms", "history", "drugs", "genotypes")
    assert report.ignored == dict.fromkeys(fields, 30)
    assert report.unrecognized_omitted == dict.fromkeys(fields, MAX_ITEMS - MAX_UNRECOGNIZED)
    differential = report.differential
    assert [u["text"] for u in differential["unrecognized"]] == words[:MAX_UNRECOGNIZED]
    assert (differential["ignored"], differential["unrecognized_omitted"]) == (30, MAX_ITEMS - MAX_UNRECOGNIZED)
    assert [u.text for u in report.unrecognized["history"]] == words[:MAX_UNRECOGNIZED]
    assert [u.text for u in report.unrecognized["drugs"]] == words[:MAX_UNRECOGNIZED]
    assert [x["query"] for x in report.genotypes] == words[:MAX_UNRECOGNIZED]

    normal = analyzer.analyze(PatientProfile.from_text("fever, xyzzy", "asthma", "codeine, tamoxifem", "CYP2D6*10"))
    assert normal.ignored == dict.fromkeys(fields, 0) and normal.unrecognized_omitted == dict.fromkeys(fields, 0)


def test_lexicon_resolves_brand_names_to_drugs_in_the_store(analyzer):
    from extractors.normalize import Lexicon
    from extractors.normalize.sources import Concept
    from kg.schema import Category

    lexicon = Lexicon.from_concepts([Concept(g.TAMOXIFEN, (Category.CHEMICAL,), "Tamoxifen", ("Nolvadex",))])
    report = PatientAnalyzer(analyzer.store, lexicon=lexicon).analyze(PatientProfile(drugs=["nolvadex", "Paxil"]))
    assert [(d.text, d.id, d.matched_by) for d in report.drugs] == [("nolvadex", g.TAMOXIFEN, "lexicon")]
    assert [u.text for u in report.unrecognized["drugs"]] == ["Paxil"]
