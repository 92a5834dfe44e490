"""Drug-induced disorders: "levodopa-induced dyskinesia" is MeSH's *Dyskinesia, Drug-Induced*, not *Dyskinesias*.

MeSH indexes a disorder that a drug or chemical caused under its own descriptor where it has one, and so does
BC5CDR, the corpus of chemical-induced diseases: its "dyskinesia" is *Dyskinesia, Drug-Induced* 39 times in 42,
its "hepatitis" *Chemical and Drug Induced Liver Injury* 31 times in 39. The lexicon, reading the mention text
alone, gives the general descriptor. So, after lookup, a disease whose mention the text attributes to a cause
(":data:`CUE_BEFORE` "X-induced dyskinesia", :data:`CUE_AFTER` "dyskinesia induced by X") becomes the drug-induced
descriptor of :data:`DRUG_INDUCED` — and so do the document's other mentions of the same disease, as the
abstract is about one disorder (one sense per discourse).

The table is curated: MeSH's drug-induced descriptors whose general form the lexicon gives for common mentions
(counted on BC5CDR train, where the rule was chosen). Looking up "drug-induced <mention>" in the lexicon instead
was tried and not taken: it also turns "fever" into *Drug Fever*, a descriptor of 2021 that no corpus here uses,
and "hepatitis" into the *Chronic* form.
"""

from __future__ import annotations

import re

from kg.schema import Category, Document, Entity, MentionSource

DRUG_INDUCED: dict[str, tuple[str, str]] = {
    "MESH:D020820": ("MESH:D004409", "Dyskinesia, Drug-Induced"),  # Dyskinesias
    "MESH:D006505": ("MESH:D056486", "Chemical and Drug Induced Liver Injury"),  # Hepatitis
    "MESH:D008107": ("MESH:D056486", "Chemical and Drug Induced Liver Injury"),  # Liver Diseases
    "MESH:D011618": ("MESH:D011605", "Psychoses, Substance-Induced"),  # Psychotic Disorders
    "MESH:D006967": ("MESH:D004342", "Drug Hypersensitivity"),  # Hypersensitivity
    "MESH:D020734": ("MESH:D010302", "Parkinson Disease, Secondary"),  # Parkinsonian Disorders
    "MESH:D000013": ("MESH:D000014", "Abnormalities, Drug-Induced"),  # Congenital Abnormalities
}
"""General descriptor → (its drug-induced descriptor, that descriptor's name)."""

DRUG_INDUCED_NAMES: dict[str, tuple[str, str]] = {
    "akathisia": ("MESH:D017109", "Akathisia, Drug-Induced"),
}
"""Mention texts (lower case) that MeSH names only in their drug-induced form, so the lexicon finds nothing."""

CUE_BEFORE = re.compile(r"(?:induced|related|evoked|provoked|associated)\s*$", re.IGNORECASE)
"""Right before the mention, in its sentence: "levodopa-induced ", "drug-related "."""

CUE_AFTER = re.compile(r"^\s*(?:\([^)]{1,15}\)\s*)?(?:(?:was|were|is|are|been|being)\s+)?"
                       r"(?:induced|caused|evoked|provoked)\s+by\b", re.IGNORECASE)
"""Right after it: " induced by", " (LID) caused by", " was induced by"."""

NAME_SCORE = 0.85
"""Normalization confidence of a mention that only :data:`DRUG_INDUCED_NAMES` names (the lexicon's variant level);
a re-pointed mention keeps the confidence of its lookup."""

WINDOW = 40
"""Characters read on each side of a mention for a cue, within its sentence."""


def drug_induced_target(entity_id: str | None, text: str) -> tuple[str, str] | None:
    """The drug-induced descriptor for a mention normalized to ``entity_id`` (or, unnamed, of ``text``)."""
    return DRUG_INDUCED.get(entity_id or "") or DRUG_INDUCED_NAMES.get(text.strip().lower())


def attributed_to_cause(text: str, start: int, end: int) -> bool:
    """Whether the text right around ``text[start:end]`` says that something induced it."""
    before = text[max(0, start - WINDOW):start]
    before = re.split(r"[.;!?]\s", before)[-1]
    after = re.split(r"[.;!?]\s", text[end:end + WINDOW])[0]
    mention = text[start:end]
    return bool(CUE_BEFORE.search(before) or CUE_AFTER.search(after) or re.search(r"induced", mention, re.I))


def apply_drug_induced(doc: Document) -> int:
    """Re-point the document's mentions of a disorder that it attributes to a cause (see the module docstring)
    to the drug-induced descriptor; returns how many mentions changed. Entities left without a mention go."""
    targets: dict[str, tuple[str, str]] = {}  # mention key (entity id, or text for unnamed) → target
    diseases = [m for m in doc.mentions if m.source == MentionSource.TEXT and m.category == Category.DISEASE]
    for m in diseases:
        target = drug_induced_target(m.entity_id, m.text)
        if target and attributed_to_cause(doc.text, m.start, m.end):
            targets[_key(m.entity_id, m.text)] = target
    if not targets:
        return 0
    changed = 0
    replaced: set[str | None] = set()
    for m in diseases:
        target = targets.get(_key(m.entity_id, m.text))
        if target is None:
            continue
        replaced.add(m.entity_id)
        m.entity_id = target[0]
        m.score = m.score or NAME_SCORE
        changed += 1
    used = {m.entity_id for m in doc.mentions}
    doc.entities[:] = [e for e in doc.entities if e.id in used or e.id not in replaced]
    known = {e.id for e in doc.entities}
    for curie, name in set(targets.values()):
        if curie not in known:
            doc.entities.append(Entity(curie, Category.DISEASE, name))
    return changed


def _key(entity_id: str | None, text: str) -> str:
    if entity_id and not entity_id.startswith("medkg:"):
        return entity_id
    return "text:" + text.strip().lower()
