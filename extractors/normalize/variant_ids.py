"""Sequence-variant mentions as identifiers: dbSNP ``rs`` numbers, and HGVS-like descriptions in tmVar's
normalized form.

tmVar (Wei et al., Bioinformatics 2013 and 2018), which PubTator and BioRED use, writes a variant as
``type|change|ref|position|alt`` — ``c|SUB|C|643|T`` for "c.643C>T", ``p|SUB|R|215|W`` for "p.Arg215Trp" or
"R215W", ``c|DEL|4153|A`` for "4153delA", ``p|FS|K|316|X`` for a frameshift. It is a normal form of what the text
says, so it can be computed from the mention alone; an identifier that needs a database (the ``rs`` number tmVar
looks up for "D90A" in its gene) cannot be obtained offline and is not guessed: such mentions keep a local id.

Only unambiguous shapes are converted (a whole-mention match); anything else returns ``None``.
"""

from __future__ import annotations

import re

AMINO_ACIDS: dict[str, str] = {
    "ala": "A", "arg": "R", "asn": "N", "asp": "D", "cys": "C", "gln": "Q", "glu": "E", "gly": "G", "his": "H",
    "ile": "I", "leu": "L", "lys": "K", "met": "M", "phe": "F", "pro": "P", "ser": "S", "thr": "T", "trp": "W",
    "tyr": "Y", "val": "V", "ter": "X", "stop": "X", "sec": "U",
    "alanine": "A", "arginine": "R", "asparagine": "N", "aspartate": "D", "aspartic acid": "D", "cysteine": "C",
    "glutamine": "Q", "glutamate": "E", "glutamic acid": "E", "glycine": "G", "histidine": "H", "isoleucine": "I",
    "leucine": "L", "lysine": "K", "methionine": "M", "phenylalanine": "F", "proline": "P", "serine": "S",
    "threonine": "T", "tryptophan": "W", "tyrosine": "Y", "valine": "V",
}
"""Three-letter codes and names → one-letter codes; stop codons (Ter, ``*``, X) become ``X`` as in tmVar."""

_ONE_LETTER = "ACDEFGHIKLMNPQRSTVWY"
_AA3 = "|".join(sorted((k for k in AMINO_ACIDS if len(k) == 3), key=len, reverse=True))
_AA_NAME = "|".join(sorted((k for k in AMINO_ACIDS if len(k) > 4), key=len, reverse=True))
_AA = rf"(?:{_AA3}|[{_ONE_LETTER}X*])"
_NT = r"[ACGTU]"
_POS = r"[-+*]?\d+(?:[-+]\d+)?"
_RANGE = rf"{_POS}(?:_{_POS})?"

_RS = re.compile(r"^rs ?(\d+)$", re.IGNORECASE)
_DNA_SUB = re.compile(rf"^(?:([cgmrn])\.)? ?({_POS}) ?({_NT}+) ?(?:>|-+>|/|→) ?({_NT}+)$", re.IGNORECASE)
_PROTEIN_SUB = re.compile(rf"^(?:p\. ?\(?)?({_AA})({_POS})({_AA})\)?$", re.IGNORECASE)
_PROTEIN_SLASH = re.compile(rf"^({_POS}) ?([{_ONE_LETTER}])/([{_ONE_LETTER}])$")
_PROTEIN_NAMES = re.compile(rf"^({_AA_NAME})[- ]?({_POS})[- ](?:to[- ])?({_AA_NAME})$", re.IGNORECASE)
_FRAMESHIFT = re.compile(rf"^(?:p\.)?({_AA})({_POS})(?:{_AA})?fs(?:\*?\d+|X\d*|\*)?$", re.IGNORECASE)
_EDIT = re.compile(rf"^(?:([cgmrn])\.)?({_RANGE}) ?(del|ins|dup|delins)([ACGTU]*|\d+)$", re.IGNORECASE)
_PROTEIN_EDIT = re.compile(rf"^p\.({_AA})({_POS})(?:_({_AA})({_POS}))?(del|dup|delins|ins)([A-Za-z]*)$")
_KINDS = {"del": "DEL", "ins": "INS", "dup": "DUP", "delins": "INDEL"}


def _aa(code: str) -> str:
    code = code.lower()
    return "X" if code in ("*", "x") else AMINO_ACIDS.get(code, code.upper())


def variant_curie(text: str) -> str | None:
    """``dbSNP:rs…`` or ``tmVar:<normal form>`` for a mention whose whole text is a variant description."""
    text = " ".join(text.split()).strip(" .,;()")
    if match := _RS.match(text):
        return f"dbSNP:rs{match[1]}"
    key = _tmvar_key(text)
    return f"tmVar:{key}" if key else None


def _tmvar_key(text: str) -> str | None:
    if match := _DNA_SUB.match(text):
        prefix, position, ref, alt = match.groups()
        return f"{(prefix or 'c').lower()}|SUB|{ref.upper()}|{position}|{alt.upper()}"
    if match := _FRAMESHIFT.match(text):
        return f"p|FS|{_aa(match[1])}|{match[2]}|X"
    if match := _PROTEIN_EDIT.match(text):
        first, start, _, end, kind, inserted = match.groups()
        span = f"{start}_{end}" if end else start
        return f"p|{_KINDS[kind.lower()]}|{span}|{inserted if kind.lower() != 'del' else ''}"
    if match := _PROTEIN_SUB.match(text):
        ref, position, alt = match.groups()
        if not (len(ref) == len(alt) == 1 and ref.upper() in "ACGT" and alt.upper() in "ACGT"):  # C61G: DNA or not
            return f"p|SUB|{_aa(ref)}|{position}|{_aa(alt)}"
        return None
    if match := _PROTEIN_SLASH.match(text):
        position, ref, alt = match.groups()
        return f"p|SUB|{ref}|{position}|{alt}"
    if match := _PROTEIN_NAMES.match(text):
        ref, position, alt = match.groups()
        return f"p|SUB|{_aa(ref)}|{position}|{_aa(alt)}"
    if match := _EDIT.match(text):
        prefix, span, kind, sequence = match.groups()
        return f"{(prefix or 'c').lower()}|{_KINDS[kind.lower()]}|{span}|{sequence.upper()}"
    return None
