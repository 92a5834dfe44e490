"""Reading the tab-separated tables of the shared data folder (DrugCentral, Disease Ontology, PharmGKB).

Two shapes: :func:`data_rows` yields positional cells with their line numbers and reports short rows (the
DrugCentral and Disease Ontology tables, whose cells may be double-quoted), and :func:`read_tsv` reads a whole
table into dicts by header (PharmGKB, whose list cells :func:`quoted_list` splits). Problems are collected as
``file:line: …`` messages, at most ``MAX_PROBLEMS`` of them, so that an import can report them and go on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

MAX_PROBLEMS = 50


def note_problem(problems: list[str], message: str) -> None:
    """Keep ``message`` unless ``MAX_PROBLEMS`` are kept already."""
    if len(problems) < MAX_PROBLEMS:
        problems.append(message)


def data_rows(path: Path, columns: int, problems: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Data rows of a TSV with a header (double quotes stripped), skipping and reporting short rows."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for line, row in enumerate(reader, start=2):
            if not any(row):
                continue
            if len(row) < columns:
                note_problem(problems, f"{path.name}:{line}: {len(row)} columns, expected {columns}")
                continue
            yield line, [cell.strip().strip('"').strip() for cell in row]


def read_tsv(path: Path) -> list[dict[str, str]]:
    """All rows of a TSV with a header, as dicts (no quoting: cells are taken as they are)."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))  # drugs.tsv has InChI/SMILES cells over 128 kB
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def quoted_list(cell: str) -> list[str]:
    """``"a","b, c"`` → ["a", "b, c"] (PharmGKB's list cells)."""
    return next(csv.reader([cell], skipinitialspace=True), []) if cell else []
