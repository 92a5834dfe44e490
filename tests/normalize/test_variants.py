"""The rewrites of :mod:`extractors.normalize.variants` and :mod:`extractors.normalize.formulas` as texts."""

from __future__ import annotations

from extractors.normalize.formulas import formula_names
from extractors.normalize.variants import chemical_variants, conjunct_variants, disease_variants, head_backoff


def test_formulas_are_read_case_sensitively():
    assert formula_names("Na") == ["sodium"]
    assert formula_names("Ca2+") == formula_names("Ca(2+)") == ["calcium"]
    assert formula_names("NaCl") == ["sodium chloride"]
    assert formula_names("CaCl(2)") == formula_names("CaCl2") == ["calcium chloride"]
    assert formula_names("Li2CO3") == ["lithium carbonate"]
    assert formula_names("MgSO4") == ["magnesium sulfate"]
    assert formula_names("NO") == ["nitric oxide"] and formula_names("H2O") == ["water"]
    for text in ("no", "na", "", "DOX", "PO2", "HIT", "x" * 100):
        assert formula_names(text) == [], text


def test_disease_variants():
    assert "thrombocytopenia" in disease_variants("heparin induced thrombocytopenia")
    assert "artery calcification" in disease_variants("calcification of the artery")
    assert disease_variants("renal injury")[:2] == ["renal disease", "kidney disease"]
    assert disease_variants("nephrotoxicity") == ["kidney disease"]
    assert "psychosis" in disease_variants("psychotic")
    assert disease_variants("myocardial infarction") == ["myocardialinfarction"]  # only the joined spelling
    assert disease_variants("sacro iliitis") == ["sacroiliitis"]


def test_chemical_variants():
    assert chemical_variants("glutamate", "glutamate")[0] == "glutamic acid"
    assert "nitric acid" not in chemical_variants("nitrate", "nitrate")
    assert chemical_variants("raloxifene", "raloxifene") == ["raloxifene hydrochloride"]
    assert chemical_variants("sodium nitroprusside", "sodium nitroprusside") == ["nitroprusside", "sodiumnitroprusside"]
    assert chemical_variants("Ketamine hydrochloride", "ketamine hydrochloride")[0] == "ketamine"
    assert chemical_variants("ipratropium bromide", "ipratropium bromide")[0] == "ipratropium"
    assert chemical_variants("Na", "na") == ["sodium"]


def test_head_backoff_keeps_specific_heads_only():
    assert head_backoff("chronic allograft nephropathy") == ["allograft nephropathy", "nephropathy"]
    assert head_backoff("vanishing bile duct syndrome") == ["bile duct syndrome", "duct syndrome"]
    assert head_backoff("stroke") == []


def test_conjuncts_share_their_head():
    assert conjunct_variants("duchenne and becker muscular dystrophy")[0] == "duchenne muscular dystrophy"
    assert "breast cancer" in conjunct_variants("breast and ovarian cancer")
    assert "ovarian cancer" in conjunct_variants("breast and or ovarian cancer")
    assert conjunct_variants("nausea and vomiting")[:2] == ["nausea", "vomiting"]
    assert conjunct_variants("myocardial infarction") == []
