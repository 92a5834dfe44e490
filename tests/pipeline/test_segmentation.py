"""The one sentence segmentation (extractors.analysis): abbreviations stay inside their sentence, the title is its
own sentence. Cases quoted from BC5CDR dev / BioRED (PMIDs in comments) and issue 19."""

from __future__ import annotations

from extractors.analysis import shared_analyzer


def sentences(text: str, title_end: int = 0) -> list[str]:
    (analysis,) = shared_analyzer().analyze_texts([(text, title_end)])
    return [text[s:e] for s, e in analysis.sentences]


def test_issue_19_cases_stay_one_sentence() -> None:
    assert sentences("Drugs (e.g. codeine) were given vs. placebo.") == ["Drugs (e.g. codeine) were given vs. placebo."]
    assert sentences("Fig. 2 shows the results. No patient had seizures; paroxetine inhibited CYP2D6.") == [
        "Fig. 2 shows the results.", "No patient had seizures; paroxetine inhibited CYP2D6."]


def test_routes_of_administration_do_not_end_sentences() -> None:
    # PMID 3115150, 6323692 (BC5CDR dev)
    assert len(sentences("Rats that received ketanserin (greater than 0.31 mg/kg i.p.) followed by alfentanil "
                         "were motionless.")) == 1
    assert len(sentences("Both verapamil (10 mg/kg i.p.) and NH4Ac pretreatment enhanced morphine analgesia.")) == 1


def test_title_section_labels_and_lowercase_gene_starts() -> None:
    text = "Aspirin and asthma A study. The drug was given."
    assert sentences(text, len("Aspirin and asthma")) == ["Aspirin and asthma", "A study.", "The drug was given."]
    # PMID 17019386: a section label after "et al."
    assert sentences("We used the assay of Blonquist et al. RESULTS: Mannitol rose.") == [
        "We used the assay of Blonquist et al.", "RESULTS: Mannitol rose."]
    # PMID 27707793: a sentence may start with a gene name in lower case
    assert len(sentences("We identified a novel muscle-specific miRNA. miR-501 is an intronic miRNA.")) == 2
