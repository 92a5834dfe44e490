"""Chemical symbols and simple formulas → names the lexicon knows ("Na" → sodium, "CaCl2" → calcium chloride).

Abstracts write ions and small inorganic compounds as symbols, which no vocabulary here lists as names. The
element table is the periodic table; the small molecules and anions are textbook chemistry (no corpus names).
Symbols are read case-sensitively ("NO" is nitric oxide, "No" nobelium; a lower-case "no" is not read at all).
"""

from __future__ import annotations

import re

ELEMENTS: dict[str, str] = {
    "H": "hydrogen", "He": "helium", "Li": "lithium", "Be": "beryllium", "B": "boron", "C": "carbon",
    "N": "nitrogen", "O": "oxygen", "F": "fluorine", "Ne": "neon", "Na": "sodium", "Mg": "magnesium",
    "Al": "aluminum", "Si": "silicon", "P": "phosphorus", "S": "sulfur", "Cl": "chlorine", "Ar": "argon",
    "K": "potassium", "Ca": "calcium", "Sc": "scandium", "Ti": "titanium", "V": "vanadium", "Cr": "chromium",
    "Mn": "manganese", "Fe": "iron", "Co": "cobalt", "Ni": "nickel", "Cu": "copper", "Zn": "zinc", "Ga": "gallium",
    "Ge": "germanium", "As": "arsenic", "Se": "selenium", "Br": "bromine", "Kr": "krypton", "Rb": "rubidium",
    "Sr": "strontium", "Y": "yttrium", "Zr": "zirconium", "Nb": "niobium", "Mo": "molybdenum", "Tc": "technetium",
    "Ru": "ruthenium", "Rh": "rhodium", "Pd": "palladium", "Ag": "silver", "Cd": "cadmium", "In": "indium",
    "Sn": "tin", "Sb": "antimony", "Te": "tellurium", "I": "iodine", "Xe": "xenon", "Cs": "cesium", "Ba": "barium",
    "La": "lanthanum", "Ce": "cerium", "Gd": "gadolinium", "W": "tungsten", "Pt": "platinum", "Au": "gold",
    "Hg": "mercury", "Tl": "thallium", "Pb": "lead", "Bi": "bismuth", "Rn": "radon", "Ra": "radium",
    "Th": "thorium", "U": "uranium", "Pu": "plutonium",
}
"""Symbol → element name (the elements that occur in biomedical text; MeSH names them this way)."""

MOLECULES: dict[str, str] = {
    "H2O": "water", "NO": "nitric oxide", "N2O": "nitrous oxide", "NO2": "nitrogen dioxide", "CO": "carbon monoxide",
    "CO2": "carbon dioxide", "O2": "oxygen", "O3": "ozone", "H2O2": "hydrogen peroxide", "NH3": "ammonia",
    "H2S": "hydrogen sulfide", "O2-": "superoxide", "HCl": "hydrochloric acid", "SO2": "sulfur dioxide",
    "NH4Cl": "ammonium chloride", "HCO3": "bicarbonate", "NaHCO3": "sodium bicarbonate",
}
"""Small molecules whose formula is not element + anion."""

ANIONS: dict[str, str] = {
    "Cl": "chloride", "Br": "bromide", "I": "iodide", "F": "fluoride", "O": "oxide", "S": "sulfide",
    "SO4": "sulfate", "NO3": "nitrate", "NO2": "nitrite", "CO3": "carbonate", "HCO3": "bicarbonate",
    "PO4": "phosphate", "OH": "hydroxide", "CN": "cyanide",
}

NONMETALS = frozenset({"H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "As", "Se", "Br", "Te", "I"})
"""Not the cation of a salt formula ("PO2" is a partial pressure of oxygen, not a phosphorus oxide)."""

_CHARGE = re.compile(r"\s*(?:\(\d?[+-]\)|\d?[+-]|\[\d?[+-]\])$")
_COUNT = re.compile(r"\((\d+)\)|_(\d+)")
_SALT = re.compile(r"^([A-Z][a-z]?)\d*((?:[A-Z][a-z]?\d*)+)$")


def formula_names(text: str) -> list[str]:
    """Names ``text`` stands for when it is an element symbol, an ion or a simple formula; else none."""
    text = text.strip()
    if not text or len(text) > 12 or not text[0].isupper():
        return []
    if text in MOLECULES:
        return [MOLECULES[text]]
    plain = _COUNT.sub(lambda m: m.group(1) or m.group(2), text)  # "CaCl(2)" → "CaCl2"
    if plain in MOLECULES:
        return [MOLECULES[plain]]
    ion = _CHARGE.sub("", plain)  # "Ca2+", "K(+)" → the element
    if ion in ELEMENTS:
        return [ELEMENTS[ion]]
    salt = _SALT.match(plain)
    if salt and salt.group(1) in ELEMENTS and salt.group(1) not in NONMETALS:
        rest = salt.group(2)
        anion = rest if rest in ANIONS else rest.rstrip("0123456789")  # "Cl2" → chloride, "SO4" stays
        if anion in ANIONS:
            return [f"{ELEMENTS[salt.group(1)]} {ANIONS[anion]}"]
    return []
