"""Disease–phenotype statements: the cue phrases of one sentence give ``has_phenotype`` relations whose evidence is
that sentence, negated and speculative statements are flagged, and the score says it is not calibrated.

``find_statements`` is tested on hand-placed mentions (independent of the NER model); the relations through the
default pipeline, whose NER, normalization and recognizer supply the mentions and whose text analysis the sentences
and the negation cues."""

from __future__ import annotations

import pytest

from extractors.phenotypes.statements import CUE_PRIORS, EXTRACTOR, PhenotypeStatements, find_statements
from extractors.pipeline import Pipeline
from kg.schema import Category, Document, Mention, MentionSource, Predicate, Relation

DISEASE_IDS = {"Marfan syndrome": "MESH:D008382", "malaria": "MESH:D008288", "Gorlin syndrome": "MESH:D001478",
               "fever": "MESH:D005334"}
PHENOTYPE_IDS = {"arachnodactyly": "HP:0001166", "scoliosis": "HP:0002650", "fever": "HP:0001945",
                 "headache": "HP:0002315", "palmar pits": "HP:0010610", "seizures": "HP:0001250"}


def mentions(text: str) -> tuple[list[Mention], list[Mention]]:
    """Every occurrence of the names above as Disease / PhenotypicFeature text mentions."""
    def find(names: dict[str, str], category: Category) -> list[Mention]:
        out = []
        for name, curie in names.items():
            start = text.lower().find(name.lower())
            while start >= 0:
                out.append(Mention(start, start + len(name), text[start:start + len(name)], category, curie, 0.97,
                                   MentionSource.TEXT))
                start = text.lower().find(name.lower(), start + 1)
        return out
    return find(DISEASE_IDS, Category.DISEASE), find(PHENOTYPE_IDS, Category.PHENOTYPE)


def pairs(text: str, sentences: list[tuple[int, int]] | None = None) -> set[tuple[str, str, str]]:
    diseases, phenotypes = mentions(text)
    return {(s.disease.text, s.phenotype.text, s.cue)
            for s in find_statements(text, sentences or [(0, len(text))], diseases, phenotypes)}


@pytest.mark.parametrize(("text", "expected"), [
    ("Marfan syndrome is characterized by arachnodactyly and scoliosis.",
     {("Marfan syndrome", "arachnodactyly", "characterized"), ("Marfan syndrome", "scoliosis", "characterized")}),
    ("Marfan syndrome is characterised by scoliosis.", {("Marfan syndrome", "scoliosis", "characterized")}),
    ("A girl with Gorlin syndrome presented with palmar pits and seizures.",
     {("Gorlin syndrome", "palmar pits", "presented"), ("Gorlin syndrome", "seizures", "presented")}),
    ("Symptoms of malaria include fever and headache.",
     {("malaria", "fever", "include"), ("malaria", "headache", "include")}),
    ("Marfan syndrome manifests as scoliosis.", {("Marfan syndrome", "scoliosis", "manifests")}),
    ("Fever is a cardinal symptom of malaria.", {("malaria", "Fever", "symptom-of")}),
])
def test_cue_phrases(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert pairs(text) == expected


def test_no_cue_no_statement() -> None:
    assert pairs("Marfan syndrome and scoliosis were studied in mice.") == set()


def test_no_statement_across_sentences() -> None:
    text = "Marfan syndrome is characterized by a long history. Scoliosis was seen in mice."
    end = text.index(".") + 1
    assert pairs(text, [(0, end), (end + 1, len(text))]) == set()
    assert pairs(text, [(0, len(text))]) == {("Marfan syndrome", "Scoliosis", "characterized")}


def test_a_clause_boundary_ends_the_phenotypes() -> None:
    assert pairs("Marfan syndrome is characterized by arachnodactyly, but scoliosis is rare.") == \
        {("Marfan syndrome", "arachnodactyly", "characterized")}


def test_a_symptom_like_disease_takes_no_case_cue() -> None:
    # "fever" is both a Disease and a PhenotypicFeature mention: it presents with nothing
    assert pairs("Fever presented with headache.") == set()


def test_a_span_never_has_itself_as_phenotype() -> None:
    text = "Fever is characterized by fever."
    diseases, phenotypes = mentions(text)
    found = find_statements(text, [(0, len(text))], diseases, phenotypes)
    assert all(s.disease.end <= s.phenotype.start or s.phenotype.end <= s.disease.start for s in found)


@pytest.fixture(scope="module")
def processed(pipeline: Pipeline) -> dict[str, Document]:
    docs = [
        Document("char", "Marfan syndrome.", "Marfan syndrome is characterized by arachnodactyly and scoliosis."),
        Document("presented", "Gorlin syndrome.", "A girl with Gorlin syndrome presented with seizures and "
                 "intellectual disability."),
        Document("include", "Malaria.", "Symptoms of malaria include fever, headache and vomiting."),
        Document("manifests", "Tuberculosis.", "Tuberculosis manifests as cough and weight loss."),
        Document("symptom", "Malaria.", "Fever is a cardinal symptom of malaria."),
        Document("without", "Malaria.", "Malaria is characterized by fever without headache."),
        Document("not", "Tuberculosis.", "Tuberculosis did not present with cough."),
        Document("may", "Marfan syndrome.", "Marfan syndrome may present with scoliosis."),
        Document("apart", "Malaria.", "Malaria was diagnosed in the village. Fever and headache were frequent."),
    ]
    return {d.pmid: d for d in pipeline(docs)}


def edges(doc: Document) -> dict[tuple[str, str], Relation]:
    return {(r.subject, r.object): r for r in doc.relations if r.predicate == Predicate.HAS_PHENOTYPE}


@pytest.mark.parametrize(("pmid", "expected"), [
    ("char", {("MESH:D008382", "HP:0001166"), ("MESH:D008382", "HP:0002650")}),
    ("presented", {("MESH:D001478", "HP:0001250"), ("MESH:D001478", "HP:0001249")}),
    ("include", {("MESH:D008288", "HP:0001945"), ("MESH:D008288", "HP:0002315"), ("MESH:D008288", "HP:0002013")}),
    ("manifests", {("MESH:D014376", "HP:0012735"), ("MESH:D014376", "HP:0001824")}),
    ("symptom", {("MESH:D008288", "HP:0001945")}),
])
def test_statements_through_the_pipeline(processed: dict[str, Document], pmid: str,
                                         expected: set[tuple[str, str]]) -> None:
    doc = processed[pmid]
    found = edges(doc)
    assert set(found) == expected
    abstract_start = len(doc.title) + 1
    for relation in found.values():
        [evidence] = relation.evidence
        assert evidence.sentence == doc.abstract == doc.text[evidence.start:evidence.end]
        assert evidence.start == abstract_start and evidence.pmid == pmid
        assert evidence.extractor == EXTRACTOR and not evidence.negated and not evidence.speculative


def test_scores_are_labelled_uncalibrated_rule_priors(processed: dict[str, Document]) -> None:
    assert "not calibrated" in PhenotypeStatements.score_kind
    [evidence] = edges(processed["char"])[("MESH:D008382", "HP:0002650")].evidence
    assert evidence.score == round(CUE_PRIORS["characterized"] * 0.97, 4)
    [evidence] = edges(processed["presented"])[("MESH:D001478", "HP:0001250")].evidence
    assert evidence.score == round(CUE_PRIORS["presented"] * 0.97, 4)
    assert all(0 < p < 1 for p in CUE_PRIORS.values())


def test_negated_evidence_is_kept_and_flagged(processed: dict[str, Document]) -> None:
    found = edges(processed["without"])
    assert not found[("MESH:D008288", "HP:0001945")].evidence[0].negated
    assert found[("MESH:D008288", "HP:0002315")].evidence[0].negated  # "without headache"
    [evidence] = edges(processed["not"])[("MESH:D014376", "HP:0012735")].evidence
    assert evidence.negated and not evidence.speculative


def test_speculative_evidence_is_flagged(processed: dict[str, Document]) -> None:
    [evidence] = edges(processed["may"])[("MESH:D008382", "HP:0002650")].evidence
    assert evidence.speculative and not evidence.negated


def test_no_relation_across_sentences(processed: dict[str, Document]) -> None:
    assert edges(processed["apart"]) == {}


def test_a_document_without_diseases_or_phenotypes_is_left_alone() -> None:
    statements = PhenotypeStatements()
    doc = Document("1", "", "Nothing here.")
    assert statements([doc]) == [doc] and doc.relations == []


def test_presented_without_is_a_negated_statement(pipeline: Pipeline) -> None:
    [doc] = pipeline([Document("w", "Marfan syndrome.", "Patients with Marfan syndrome presented without scoliosis.")])
    [evidence] = edges(doc)[("MESH:D008382", "HP:0002650")].evidence
    assert evidence.negated and not evidence.speculative
    assert evidence.sentence == doc.abstract


def placed(text: str, name: str, category: Category, curie: str) -> Mention:
    start = text.index(name)
    return Mention(start, start + len(name), name, category, curie, 0.97, MentionSource.TEXT)


def test_only_a_normalized_disease_span_hides_the_phenotypes_inside_it() -> None:
    text = "Gorlin syndrome is characterized by palmar pits and short stature, and by neurofibromatosis type 2."
    doc = Document("1", text, "", mentions=[
        placed(text, "Gorlin syndrome", Category.DISEASE, "MESH:D001478"),
        # the NER's run over a coordination, which normalization could not identify
        placed(text, "pits and short stature", Category.DISEASE, "medkg:Disease:0123456789ab"),
        placed(text, "neurofibromatosis type 2", Category.DISEASE, "MESH:D016518"),
        placed(text, "palmar pits", Category.PHENOTYPE, "HP:0010610"),
        placed(text, "short stature", Category.PHENOTYPE, "HP:0004322"),
        placed(text, "neurofibromatosis", Category.PHENOTYPE, "HP:0001067"),
    ])
    PhenotypeStatements()([doc])
    assert set(edges(doc)) == {("MESH:D001478", "HP:0010610"), ("MESH:D001478", "HP:0004322")}
