"""The lexicon table: merged concepts as one gzipped TSV (what ships in ``models/lexicon`` or a user's cache).

One line per concept: ``curie, categories (comma-separated), name, synonyms ('|'), xrefs ('|')`` and, in tables
built with training corpora, ``corpus names ('|')``, after a ``#`` line with the build's provenance. Concepts
from several sources with the same CURIE are merged (names and cross-references united; the first source's name
stays the name). The index built from the table (:mod:`extractors.normalize.lexicon`) is cached separately, keyed
by the table's hash.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from extractors.normalize.sources import Concept
from kg.curie import normalize_curie
from kg.schema import Category

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_TABLE = REPO_ROOT / "models" / "lexicon" / "medkg-lexicon.tsv.gz"


def merge(concepts: Iterable[Concept], progress: bool = False) -> list[Concept]:
    """One concept per canonical CURIE, names and cross-references of duplicates united, in first-seen order."""
    merged: dict[str, Concept] = {}
    for concept in tqdm(concepts, desc="concepts", unit="", disable=not progress, mininterval=1):
        curie = normalize_curie(concept.curie)
        xrefs = tuple(normalize_curie(x) for x in concept.xrefs if ":" in x)
        old = merged.get(curie)
        if old is None:
            merged[curie] = Concept(curie, concept.categories, concept.name, _unique(concept.synonyms, concept.name),
                                    tuple(dict.fromkeys(xrefs)), concept.corpus_names)
        else:
            merged[curie] = Concept(
                curie, tuple(dict.fromkeys(old.categories + concept.categories)), old.name,
                _unique(old.synonyms + (concept.name,) + concept.synonyms, old.name),
                tuple(dict.fromkeys(old.xrefs + xrefs)), tuple(dict.fromkeys(old.corpus_names + concept.corpus_names)),
            )
    return list(merged.values())


def _unique(names: Iterable[str], name: str) -> tuple[str, ...]:
    return tuple(n for n in dict.fromkeys(s.strip() for s in names) if n and n != name)


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("|", "/")


def write_table(concepts: list[Concept], path: Path, provenance: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # no file name and mtime 0 in the gzip header: the same concepts give the same bytes, so the shipped file only
    # changes when its content does
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(f"# {json.dumps(provenance, sort_keys=True)}\n".encode())
        for c in concepts:
            line = "\t".join((c.curie, ",".join(c.categories), _clean(c.name),
                              "|".join(_clean(s) for s in c.synonyms), "|".join(c.xrefs),
                              *(("|".join(_clean(s) for s in c.corpus_names),) if c.corpus_names else ())))
            gz.write(line.encode("utf-8") + b"\n")
    tmp.replace(path)


def read_table(path: Path) -> tuple[list[Concept], dict[str, str]]:
    """Concepts and provenance of a table written by :func:`write_table`."""
    concepts: list[Concept] = []
    provenance: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for line in stream:
            if line.startswith("#"):
                provenance = json.loads(line[1:])
                continue
            curie, categories, name, synonyms, xrefs, *corpus = line.rstrip("\n").split("\t")
            concepts.append(Concept(curie, tuple(Category(c) for c in categories.split(",")), name,
                                    tuple(synonyms.split("|")) if synonyms else (),
                                    tuple(xrefs.split("|")) if xrefs else (),
                                    tuple(corpus[0].split("|")) if corpus and corpus[0] else ()))
    return concepts, provenance
