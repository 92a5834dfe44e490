"""The relation label set of medkg's relation extractor and its mapping to Biolink predicates.

The model predicts BioRED's eight relation types (one per entity pair, or ``none``) and, with its CID
output (trained on BC5CDR), chemical-induced disease for chemical–disease pairs; a model without that
output reads CID off a chemical–disease Positive_Correlation. Predicates are Biolink's, in snake_case:

==================== ============================ ==========================================================
corpus type          entity pair                  Biolink predicate (subject → object)
==================== ============================ ==========================================================
Association          any                          ``associated_with``
Positive_Correlation chemical – disease           ``causes`` (chemical → disease): BioRED annotates a
                                                  chemical that induces or worsens a disease as
                                                  Positive_Correlation — BC5CDR's CID, scored as such
Positive_Correlation any other pair               ``positively_correlated_with``
Negative_Correlation chemical – disease           ``treats`` (chemical → disease): in BioRED a chemical
                                                  negatively correlated with a disease is, overwhelmingly,
                                                  a drug that reduces or prevents it
Negative_Correlation any other pair               ``negatively_correlated_with``
Bind                 any                          ``physically_interacts_with``
Drug_Interaction     chemical – chemical          ``interacts_with``
Cotreatment          chemical – chemical          ``interacts_with`` (given together; the closest Biolink
                                                  predicate between two chemicals that is not a claim of
                                                  correlation)
Comparison           chemical – chemical          ``associated_with`` (compared in one study: related, no
                                                  direction)
Conversion           chemical – chemical          ``affects`` (one is converted into the other; Biolink's
                                                  ``affects`` covers transformation of the object)
CID                  chemical – disease           ``causes`` (chemical → disease)
==================== ============================ ==========================================================

A chemical–gene edge's predicate is then refined by the statement typer (:mod:`extractors.relations.statement_model`)
when its evidence sentence names both and the typer is confident (:data:`CHEMPROT_PREDICATES`):

=========================================================== ========================================================
ChemProt label (the typer's output)                          Biolink predicate (subject → object)
=========================================================== ========================================================
INHIBITOR, DOWNREGULATOR, ANTAGONIST, AGONIST-INHIBITOR      ``decreases_activity_of`` (chemical → gene)
ACTIVATOR, UPREGULATOR, AGONIST, AGONIST-ACTIVATOR           ``increases_activity_of`` (chemical → gene)
INDIRECT-DOWNREGULATOR                                       ``decreases_expression_of`` (chemical → gene): ChemProt's
                                                             indirect regulation is mostly of expression or amount
INDIRECT-UPREGULATOR                                         ``increases_expression_of`` (chemical → gene)
SUBSTRATE, SUBSTRATE_PRODUCT-OF                              ``has_substrate`` (gene → chemical): the enzyme acts on
                                                             the chemical (CYP2D6 has substrate tramadol)
PRODUCT-OF                                                   ``affects`` (gene → chemical): the enzyme makes it
=========================================================== ========================================================

Symmetric predicates keep the pair in a canonical order (see :func:`pair_order`); directed ones
(``treats``, ``causes``) put the chemical first, which the canonical order does too.
"""

from __future__ import annotations

from kg.schema import Category, Predicate

NONE = "none"
BIORED_TYPES: tuple[str, ...] = (
    "Association", "Positive_Correlation", "Negative_Correlation", "Bind",
    "Cotreatment", "Comparison", "Drug_Interaction", "Conversion",
)
CLASSES: tuple[str, ...] = (NONE, *BIORED_TYPES)
"""Softmax classes of the BioRED output; index 0 is "no relation"."""
CID = "CID"

# Entity categories that take part in relations and their order inside a candidate pair.
CATEGORY_ORDER: tuple[Category, ...] = (
    Category.CHEMICAL, Category.DRUG, Category.GENE, Category.VARIANT, Category.DISEASE, Category.PHENOTYPE,
)
# Categories whose mentions are marked in the text: the related ones plus species and cell lines (context).
MARKED: tuple[Category, ...] = (
    Category.CHEMICAL, Category.GENE, Category.VARIANT, Category.DISEASE, Category.TAXON, Category.CELL_LINE,
)
_BASE = {Category.DRUG: Category.CHEMICAL, Category.PHENOTYPE: Category.DISEASE}

# Category pairs that BioRED annotates relations for (train: 4,177 of 4,178 relations; Gene–Variant has one).
COMPATIBLE: frozenset[frozenset[Category]] = frozenset({
    frozenset({Category.CHEMICAL, Category.DISEASE}),
    frozenset({Category.CHEMICAL, Category.GENE}),
    frozenset({Category.CHEMICAL, Category.VARIANT}),
    frozenset({Category.CHEMICAL}),  # chemical–chemical
    frozenset({Category.GENE, Category.DISEASE}),
    frozenset({Category.GENE}),  # gene–gene
    frozenset({Category.VARIANT, Category.DISEASE}),
    frozenset({Category.VARIANT}),  # variant–variant
})


def base_category(category: Category) -> Category:
    """Drug counts as chemical and phenotypic feature as disease for candidate pairs."""
    return _BASE.get(category, category)


def compatible(a: Category, b: Category) -> bool:
    return frozenset({base_category(a), base_category(b)}) in COMPATIBLE


def pair_order(a: tuple[Category, str], b: tuple[Category, str]) -> bool:
    """True when ``a`` comes first in the canonical order of a pair: by category, then by identifier."""
    ka = (CATEGORY_ORDER.index(base_category(a[0])), a[1])
    kb = (CATEGORY_ORDER.index(base_category(b[0])), b[1])
    return ka <= kb


def biolink_predicate(relation_type: str, head: Category, tail: Category) -> Predicate:
    """Biolink predicate for a corpus relation type between ``head`` and ``tail`` (in canonical order)."""
    pair = {base_category(head), base_category(tail)}
    chemical_disease = pair == {Category.CHEMICAL, Category.DISEASE}
    if relation_type == CID or (relation_type == "Positive_Correlation" and chemical_disease):
        return Predicate.CAUSES
    if relation_type == "Negative_Correlation" and chemical_disease:
        return Predicate.TREATS
    return _PREDICATES[relation_type]


_PREDICATES: dict[str, Predicate] = {
    "Association": Predicate.ASSOCIATED_WITH,
    "Positive_Correlation": Predicate.POSITIVELY_CORRELATED_WITH,
    "Negative_Correlation": Predicate.NEGATIVELY_CORRELATED_WITH,
    "Bind": Predicate.PHYSICALLY_INTERACTS_WITH,
    "Drug_Interaction": Predicate.INTERACTS_WITH,
    "Cotreatment": Predicate.INTERACTS_WITH,
    "Comparison": Predicate.ASSOCIATED_WITH,
    "Conversion": Predicate.AFFECTS,
}


CHEMPROT_PREDICATES: dict[str, tuple[Predicate, bool]] = {
    **dict.fromkeys(("INHIBITOR", "DOWNREGULATOR", "ANTAGONIST", "AGONIST-INHIBITOR"),
                    (Predicate.DECREASES_ACTIVITY_OF, False)),
    **dict.fromkeys(("ACTIVATOR", "UPREGULATOR", "AGONIST", "AGONIST-ACTIVATOR"),
                    (Predicate.INCREASES_ACTIVITY_OF, False)),
    "INDIRECT-DOWNREGULATOR": (Predicate.DECREASES_EXPRESSION_OF, False),
    "INDIRECT-UPREGULATOR": (Predicate.INCREASES_EXPRESSION_OF, False),
    **dict.fromkeys(("SUBSTRATE", "SUBSTRATE_PRODUCT-OF"), (Predicate.HAS_SUBSTRATE, True)),
    "PRODUCT-OF": (Predicate.AFFECTS, True),
}
"""ChemProt label → (Biolink predicate, whether the gene is the subject); the chemical is the subject otherwise."""
