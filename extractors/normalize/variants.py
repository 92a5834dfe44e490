"""Rewrites of a mention that name the same concept in the vocabularies' words, tried when the mention itself
does not match (:meth:`extractors.normalize.lexicon.Lexicon.lookup`).

Diseases: adjective → noun endings ("psychotic" → "psychosis"), the effect of an "X-induced Y" phrase
("heparin-induced thrombocytopenia" → "thrombocytopenia"), "Y of the X" → "X Y", and an organ's damage as its
disease ("renal injury", "hepatic dysfunction", "nephrotoxicity" → "kidney disease"). Chemicals: element
symbols and simple formulas (:mod:`extractors.normalize.formulas`), an anion as its acid ("glutamate" →
"glutamic acid", as MeSH indexes carboxylates) and a salt as its drug ("sodium nitroprusside" → nitroprusside).
All work on :func:`extractors.normalize.text.normal_form` texts except formulas, which need the original's case.
When nothing else matches a disease phrase, :func:`head_backoff` offers its head ("acute stroke" → "stroke").
"""

from __future__ import annotations

import re

from extractors.normalize.formulas import formula_names

# adjective → noun endings of disease words ("nephrotoxic" → "nephrotoxicity", "psychotic" → "psychosis")
_NOUN_ENDINGS = (
    ("otic", "osis"), ("eptic", "epsy"), ("atic", "a"), ("ic", "ia"), ("ic", "y"), ("ic", "es"), ("ic", "icity"),
    ("ic", "ism"), ("ive", "ion"), ("ed", "ion"), ("ing", "ion"), ("atory", "ation"), ("al", ""),
)
_CAUSE = re.compile(r"^(?:.+ )?(?:induced|associated|related|mediated|evoked|triggered|caused) (.+)$")
_FUNCTION = re.compile(r"^(?:impaired|abnormal|decreased|reduced|poor|altered|(?:impairment|abnormalities|abnormality|"
                       r"deterioration|loss) of) (.+?) function$")
_AND = re.compile(r"^(\w+(?: \w+)?) (?:and|or|and or) (.+)$")
_OF = re.compile(r"^(.+?) (?:of|in) (?:the |a |an )?(.+)$")
DAMAGE_WORDS = frozenset({
    "injury", "injuries", "damage", "damages", "dysfunction", "dysfunctions", "impairment", "impairments",
    "toxicity", "toxicities", "lesion", "lesions", "abnormality", "abnormalities", "disorder", "disorders",
    "complication", "complications", "involvement", "disturbance", "disturbances", "toxic", "insult", "insults",
})
"""Head words that, after an organ's adjective, name the organ's disease in MeSH ("renal injury" → Kidney
Diseases); a more specific name ("Acute Kidney Injury") wins when the mention is exactly that."""
GENERIC_HEADS = frozenset({
    "disease", "diseases", "syndrome", "syndromes", "disorder", "disorders", "condition", "conditions", "defect",
    "defects", "deficiency", "deficiencies", "abnormality", "abnormalities", "anomaly", "anomalies", "lesion",
    "lesions", "problem", "problems", "illness", "complication", "complications", "type", "form", "symptom",
    "symptoms", "sign", "signs", "state", "change", "changes", "injury", "damage", "dysfunction", "failure",
})
"""Heads too broad to stand for a phrase that does not match ("vanishing bile duct syndrome" is no "Syndrome")."""
ORGANS: dict[str, str] = {
    "renal": "kidney", "nephric": "kidney", "hepatic": "liver", "cardiac": "heart", "pulmonary": "lung",
    "cerebral": "brain", "gastric": "stomach", "ocular": "eye", "cutaneous": "skin", "dermal": "skin",
    "pancreatic": "pancreas", "splenic": "spleen", "muscular": "muscle", "neurological": "nervous system",
    "neurologic": "nervous system", "neural": "nervous system", "neuronal": "nervous system",
    "haematological": "hematologic", "hematological": "hematologic", "auditory": "ear", "otic": "ear",
    "adrenal": "adrenal gland", "biliary": "biliary tract",
}
"""Organ adjective → the word MeSH's "<organ> Diseases" descriptor uses where it is not the adjective itself
("renal injury" → kidney disease; "retinal injury" → retinal disease needs no entry)."""
COMBINING_FORMS: dict[str, str] = {
    "nephro": "kidney", "hepato": "liver", "cardio": "heart", "neuro": "nervous system", "oto": "ear",
    "pneumo": "lung", "myelo": "bone marrow", "hemato": "hematologic", "haemato": "hematologic",
    "oculo": "eye", "myo": "muscle", "pancreato": "pancreas", "gastro": "stomach", "dermato": "skin",
}
"""Greek/Latin combining form → organ word ("nephrotoxicity" → kidney)."""
INORGANIC_ANIONS = frozenset({
    "nitrate", "carbonate", "bicarbonate", "sulfate", "phosphate", "chlorate", "perchlorate", "silicate", "borate",
    "chromate", "permanganate", "arsenate", "iodate", "bromate", "selenate", "hydrate",
})
"""Anions whose "-ic acid" is another substance (nitrate is not nitric acid in MeSH)."""
_COMBINED = re.compile(rf"^({'|'.join(COMBINING_FORMS)})(toxicity|toxicities|toxic|pathy|pathies)$")
COUNTER_IONS = frozenset({
    "sodium", "potassium", "calcium", "magnesium", "lithium", "hydrochloride", "dihydrochloride", "hydrobromide",
    "mesylate", "maleate", "tartrate", "bitartrate", "fumarate", "succinate", "besylate", "tosylate", "hyclate",
    "monohydrate", "dihydrate", "trihydrate", "disodium",
})
"""Salt partners of a drug name; the drug without them is MeSH's concept ("sodium nitroprusside" → Nitroprusside)
when the salt's own name is only known outside MeSH."""
SALT_ANIONS = frozenset({"bromide", "chloride", "iodide", "citrate", "acetate", "sulfate", "phosphate", "nitrate",
                         "lactate", "gluconate", "carbonate"})
"""Anions that end a drug salt's name ("ipratropium bromide"); not stripped from the front ("chloride ion")."""


CLINICAL_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("toxicity", "toxicities", "drug toxicity", "drug toxicities", "toxic effect", "toxic effects"),
                    "adverse drug reaction"),
    **dict.fromkeys(("overdose", "overdoses", "overdosage"), "drug overdose"),
    **dict.fromkeys(("hepatotoxicity", "hepatotoxicities", "drug induced hepatotoxicity", "drug induced liver injury",
                     "drug induced hepatitis"), "chemical and drug induced liver injury"),
    **dict.fromkeys(("convulsion", "convulsions"), "seizures"),
}
"""Clinical words whose concept MeSH names differently and whose entry terms the shipped vocabularies lack: bare
"toxicity" of a drug is an adverse drug reaction, "hepatotoxicity" is drug-induced liver injury (not any liver
disease), a convulsion a seizure. Checked on BC5CDR train: all 107 "toxicity/toxicities", 14 "overdose", 19
"hepatotoxicity" and 12 "convulsion(s)" gold mentions carry these concepts."""


def noun_variants(norm: str) -> list[str]:
    """Texts that replace an adjective ending of the last word of a normal form with noun endings."""
    head, _, last = norm.rpartition(" ")
    found = []
    for ending, noun in _NOUN_ENDINGS:
        if last.endswith(ending) and len(last) > len(ending) + 3:
            found.append(f"{head} {last[: -len(ending)]}{noun}".strip())
    return found


def disease_variants(norm: str) -> list[str]:
    """Rewrites of a disease mention's normal form, most faithful first (see the module docstring)."""
    found = [CLINICAL_SYNONYMS[norm]] if norm in CLINICAL_SYNONYMS else []
    found += noun_variants(norm)
    cause = _CAUSE.match(norm)
    if cause:  # "drug induced liver injury" is a name itself: only reached when the whole did not match
        effect = cause.group(1)
        found += [effect, *noun_variants(effect), *_organ_disease(effect)]
    of = _OF.match(norm)
    if of and len(of.group(2).split()) <= 3:
        swapped = f"{of.group(2)} {of.group(1)}"
        found += [swapped, *_organ_disease(swapped)]
    function = _FUNCTION.match(norm)
    if function:  # "impaired heart function" → heart dysfunction, heart disease
        organ = function.group(1)
        found += [f"{organ} dysfunction", *_organ_disease(f"{organ} dysfunction")]
    found += _organ_disease(norm)
    found += _joined(norm)
    return list(dict.fromkeys(v for v in found if v and v != norm))


def conjunct_variants(norm: str) -> list[str]:
    """One concept of a coordination "X and/or Y H": X with what it shares with Y, X, then Y ("Duchenne and Becker
    muscular dystrophy" → "duchenne muscular dystrophy"; "hepatic and renal dysfunctions" → hepatic dysfunctions,
    liver disease; "nausea and vomiting" → nausea). Tried after the fuzzy match, which knows names such as
    "Hereditary Breast and Ovarian Cancer Syndrome"."""
    coordination = _AND.match(norm)
    if not coordination:
        return []
    left, right = coordination.group(1), coordination.group(2)
    shared = right.split(" ", 1)[1] if " " in right else ""
    parts = [f"{left} {shared}", f"{left} {right.rpartition(' ')[2]}"] if shared else []
    found = []
    for part in (*parts, left, right):
        found += [part, *noun_variants(part), *_organ_disease(part)]
    return list(dict.fromkeys(v for v in found if v and v != norm))


def _joined(norm: str) -> list[str]:
    """The words of a short phrase written as one ("cis-platin" → cisplatin, "methyl dopa" → methyldopa)."""
    words = norm.split()
    return ["".join(words)] if 2 <= len(words) <= 3 and all(w.isalpha() for w in words) else []


def _organ_disease(norm: str) -> list[str]:
    words = norm.split()
    if len(words) == 1:
        combined = _COMBINED.match(words[0])
        return [f"{COMBINING_FORMS[combined.group(1)]} disease"] if combined else []
    if words[-1] not in DAMAGE_WORDS:
        return []
    modifier = words[:-1]
    organ = ORGANS.get(modifier[-1])
    found = []
    for head in ("disease", "disorder"):  # "sleep disturbance" → sleep disorder
        found.append(" ".join((*modifier, head)))
        if organ:
            found.append(" ".join((*modifier[:-1], organ, head)))
    return found


def head_backoff(norm: str) -> list[str]:
    """The phrase without its first words, longest first, down to a specific head ("acute leukemia" →
    "leukemia", "chronic allograft nephropathy" → "allograft nephropathy", "nephropathy"): the last resort for a
    disease no name matches, a broader concept rather than none. Generic heads ("syndrome") are not offered."""
    words = norm.split()
    tails = (" ".join(words[k:]) for k in range(1, len(words)))
    return [t for t in tails if t not in GENERIC_HEADS and not t.isdigit()]


def chemical_variants(text: str, norm: str) -> list[str]:
    """Names of a chemical mention's formula, and the acid of an anion ("valproate" → "valproic acid")."""
    found = formula_names(text)
    head, _, last = norm.rpartition(" ")
    if len(last) > 5 and last.endswith(("ate", "ates")) and last.removesuffix("s") not in INORGANIC_ANIONS:
        found.append(f"{head} {last[: last.rindex('ate')]}ic acid".strip())
    words = norm.split()
    if len(words) >= 2 and words[0] in COUNTER_IONS:  # "sodium nitroprusside" → nitroprusside
        found.append(" ".join(words[1:]))
    if len(words) >= 2 and (words[-1] in COUNTER_IONS or words[-1] in SALT_ANIONS):
        found.append(" ".join(words[:-1]))  # "galanthamine hydrobromide", "divalproex sodium", "morphine sulfate"
    if len(words) == 1 and len(norm) > 5:
        found.append(f"{norm} hydrochloride")  # MeSH names some drugs by their salt: Raloxifene Hydrochloride
    return found + _joined(norm)
