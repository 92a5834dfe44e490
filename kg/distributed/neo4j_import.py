"""``neo4j-admin database import full`` CSVs of a first load: node and relationship files with typed headers.

The import tool writes a new database offline at tens of thousands of nodes or relationships per second per core,
far faster than transactions over Bolt, but only into a database that is empty (or does not exist yet). It takes
the graph as the store writes it (:mod:`kg.store.neo4j_store`): the same labels (``Entity`` and its category's
label, ``Publication``, ``Evidence``), properties and relationship types, so that a graph imported from these
files is the one the batched writer would have written. Files, in ``DIR``:

* ``entities.csv``, ``publications.csv``, ``evidence.csv`` — nodes, one ID space each (``id:ID(Entity)``, …);
* ``mentions.csv`` (Publication → Entity) and ``edges.csv`` (Entity → Entity, one ``:TYPE`` per predicate);
* ``import.sh`` — the command, with the array delimiter and the multi-line setting these files need.

Quoting is the import tool's default: fields in double quotes, a quote inside doubled; an empty unquoted field
is no property (null), a quoted empty one an empty string. Arrays are joined with the first of ``;``, ``|`` and
U+001F that no element contains. The import tool cannot write an empty array (an empty field is no property),
and its Community edition creates no constraints: ``after-import.cypher`` (:data:`AFTER_IMPORT`) does both once
the database is started — the store's constraints and indexes (those a writable open creates), then the empty
arrays the store writes (an entity without synonyms, a curated edge without PMIDs) where the import left none.
"""

from __future__ import annotations

import csv
import shlex
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.distributed.graph_image import GraphImage
from kg.schema import EDGE_PROPERTIES, LIST_KINDS, Kind
from kg.store.base import EDGE_FIELDS, EVIDENCE_FIELDS, STORED_EDGE_PROPERTIES, edge_columns, evidence_columns
from kg.store.neo4j_store import SCHEMA_STATEMENTS as STORE_SCHEMA

ARRAY_DELIMITERS = (";", "|", "\x1f")
"""Candidates for ``--array-delimiter``, in order of preference (the first that no array element contains)."""
_EDGE_PROPERTIES = tuple(name for name in EDGE_FIELDS if name not in ("subject", "object"))
_IMPORT_TYPES = {Kind.COUNT: "long", Kind.YEAR: "long", Kind.SCORE: "double", Kind.PROBABILITY: "double",
                 Kind.TEXTS: "string[]", Kind.PMIDS: "string[]"}
"""The import tool's type of each kind of edge property (a string, :attr:`Kind.TEXT`, is its default)."""
_EDGE_TYPES = {kind: tuple(p.name for p in STORED_EDGE_PROPERTIES if _IMPORT_TYPES.get(p.kind) == kind)
               for kind in dict.fromkeys(_IMPORT_TYPES.values())}
_LIST_PROPERTIES = tuple(p.name for p in STORED_EDGE_PROPERTIES if p.kind in LIST_KINDS)
_EDGE_LISTS = tuple(p.name for p in EDGE_PROPERTIES if p.kind in LIST_KINDS)
_EVIDENCE_TYPES = {"long": ("start_offset", "end_offset", "year"), "double": ("score",),
                   "boolean": ("negated", "speculative")}

AFTER_IMPORT = (
    *STORE_SCHEMA,
    "MATCH (e:Entity) WHERE e.synonyms IS NULL CALL (e) { SET e.synonyms = [] } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH (:Entity)-[r]->(:Entity) WHERE " + " OR ".join(f"r.{name} IS NULL" for name in _LIST_PROPERTIES)
    + " CALL (r) { SET " + ", ".join(f"r.{name} = coalesce(r.{name}, [])" for name in _LIST_PROPERTIES)
    + " } IN TRANSACTIONS OF 10000 ROWS",
)
"""Cypher to run once on the imported database (each statement in its own auto-commit transaction, as
``cypher-shell -f after-import.cypher`` runs them)."""


class ImportFilesError(Exception):
    """The graph cannot be written as import files (the message says which value and why)."""


@dataclass(frozen=True, slots=True)
class ImportFiles:
    """The files written and the command that imports them."""

    directory: Path
    nodes: tuple[Path, ...]
    relationships: tuple[Path, ...]
    array_delimiter: str
    multiline: bool
    counts: dict[str, int]

    def command(self, database: str = "neo4j", options: Sequence[str] = ()) -> list[str]:
        """The arguments of ``neo4j-admin`` that import these files into ``database`` (``options``: more of the
        tool's options, e.g. ``--max-off-heap-memory=2g``)."""
        delimiter = self.array_delimiter if self.array_delimiter.isprintable() else \
            f"U+{ord(self.array_delimiter):04X}"
        return ["database", "import", "full", *(f"--nodes={p}" for p in self.nodes),
                *(f"--relationships={p}" for p in self.relationships), f"--array-delimiter={delimiter}",
                f"--multiline-fields={'true' if self.multiline else 'false'}", "--overwrite-destination=false",
                *options, database]


def _typed(names: Sequence[str], types: dict[str, tuple[str, ...]]) -> list[str]:
    of = {name: kind for kind, group in types.items() for name in group}
    return [f"{name}:{of[name]}" if name in of else name for name in names]


class _Cells:
    """Values as import-tool fields: tracks whether any needs multi-line parsing."""

    def __init__(self, array_delimiter: str) -> None:
        self.array_delimiter = array_delimiter
        self.multiline = False

    def cell(self, value: Any) -> Any:
        if value is None:
            return None  # written empty and unquoted: no property
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (list, tuple)):
            value = self.array_delimiter.join(value)
        if isinstance(value, str):
            if "\n" in value or "\r" in value:
                self.multiline = True
            return value
        return value  # int, float: unquoted; repr of a float reads back exactly

    def row(self, values: Iterable[Any]) -> list[Any]:
        return [self.cell(v) for v in values]


def _array_delimiter(image: GraphImage) -> str:
    def elements() -> Iterator[str]:
        for row in image.entities.values():
            yield from row["synonyms"]
        for agg, ids in image.edge_aggregates():
            for name in _EDGE_LISTS:
                yield from getattr(agg, name)
            yield from ids

    used = set(ARRAY_DELIMITERS)
    for element in elements():
        for candidate in [c for c in used if c in element]:
            used.discard(candidate)
        if not used:
            raise ImportFilesError(f"array element {element[:80]!r} contains every candidate array delimiter "
                                   f"{ARRAY_DELIMITERS!r}; the import files cannot represent it")
    return next(c for c in ARRAY_DELIMITERS if c in used)


def write_import_files(image: GraphImage, directory: Path) -> ImportFiles:
    """Write ``image`` as import files in ``directory`` (created; existing files of these names replaced)."""
    directory.mkdir(parents=True, exist_ok=True)
    cells = _Cells(_array_delimiter(image))
    counts: dict[str, int] = {}

    def write(name: str, header: list[str], rows: Iterable[list[Any]]) -> Path:
        path = directory / name
        with open(path, "w", encoding="utf-8", newline="") as out:
            # Strings quoted, numbers not, None an empty unquoted field (null), as the import tool reads them.
            writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
            out.write(",".join(header) + "\n")  # header cells unquoted: the tool parses them as names:types
            n = 0
            for row in rows:
                writer.writerow(cells.row(row))
                n += 1
        counts[name.removesuffix(".csv")] = n
        return path

    def entity_rows() -> Iterator[list[Any]]:
        for entity_id in sorted(image.entities):
            row = image.entities[entity_id]
            yield [row["id"], row["category"], row["name"], row["synonyms"], f"Entity;{row['category']}"]

    def publication_rows() -> Iterator[list[Any]]:
        for pmid in sorted(image.publications):
            p = image.publications[pmid]
            yield [p.pmid, p.version, p.title, p.journal, p.year, p.doi, p.content_hash, p.pipeline_version,
                   "Publication"]

    def evidence_rows() -> Iterator[list[Any]]:
        stored = evidence_columns((e.edge_key, e.subject, e.predicate, e.object, {i: e.evidence})
                                  for i, e in sorted(image.evidence.items()))
        for values in zip(*stored.data.values(), strict=True):
            yield [*values, "Evidence"]

    def mention_rows() -> Iterator[list[Any]]:
        for m in image.all_mentions():
            yield [m.pmid, m.entity_id, str(m.source), m.count, m.major, "mentions"]

    def edge_rows() -> Iterator[list[Any]]:
        for agg, ids in image.edge_aggregates():
            columns = edge_columns([(agg, ids)]).data
            values = {name: column[0] for name, column in columns.items()}
            yield [values["subject"], values["object"], *(values[name] for name in _EDGE_PROPERTIES),
                   values["predicate"]]

    nodes = (
        write("entities.csv", ["id:ID(Entity)", "category", "name", "synonyms:string[]", ":LABEL"], entity_rows()),
        write("publications.csv", ["pmid:ID(Publication)", "version:long", "title", "journal", "year:long", "doi",
                                   "content_hash", "pipeline_version", ":LABEL"], publication_rows()),
        write("evidence.csv", ["id:ID(Evidence)", *_typed(EVIDENCE_FIELDS[1:], _EVIDENCE_TYPES), ":LABEL"],
              evidence_rows()),
    )
    relationships = (
        write("mentions.csv", [":START_ID(Publication)", ":END_ID(Entity)", "source", "count:long", "major:boolean",
                               ":TYPE"], mention_rows()),
        write("edges.csv", [":START_ID(Entity)", ":END_ID(Entity)", *_typed(_EDGE_PROPERTIES, _EDGE_TYPES), ":TYPE"],
              edge_rows()),
    )
    files = ImportFiles(directory, nodes, relationships, cells.array_delimiter, cells.multiline, counts)
    (directory / "after-import.cypher").write_text("".join(f"{statement};\n" for statement in AFTER_IMPORT),
                                                   encoding="utf-8")
    script = directory / "import.sh"
    script.write_text("#!/bin/sh\n# Into an empty (or new) database, with Neo4j stopped; then start it and run\n"
                      "# `cypher-shell -f after-import.cypher` once (constraints, indexes, empty arrays).\n"
                      f'exec "${{NEO4J_ADMIN:-neo4j-admin}}" {shlex.join(files.command())}\n', encoding="utf-8")
    script.chmod(0o755)
    return files

