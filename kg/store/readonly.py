"""Refuse Cypher that writes on the read-only path (``kg cypher``, ``/cypher``).

The check is lexical, after string literals and comments are removed, and is shared by both backends;
the Neo4j backend additionally asks the server (``EXPLAIN``) for the query type.
"""

from __future__ import annotations

import re

from kg.store.errors import WriteRefused

_WRITE_CLAUSES = (
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "COPY", "LOAD",
    "INSTALL", "ATTACH", "DETACH", "IMPORT", "EXPORT", "CHECKPOINT", "BEGIN", "COMMIT", "ROLLBACK",
    "FOREACH", "TERMINATE", "GRANT", "REVOKE", "DENY", "START", "STOP", "USE",
)
# Procedures that only read schema information; every other CALL is refused.
_READ_PROCEDURES = ("db.labels", "db.relationshipTypes", "db.propertyKeys", "show_tables", "table_info")

_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_WRITE_RE = re.compile(r"\b(" + "|".join(sorted(set(_WRITE_CLAUSES))) + r")\b", re.I)
_CALL_RE = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)", re.I)
_SUBQUERY_CALL_RE = re.compile(r"\bCALL\s*\{", re.I)


def check_read_only(cypher: str) -> None:
    """Raise :class:`WriteRefused` if ``cypher`` contains a clause or procedure call that can write."""
    code = _LITERALS.sub(" ", cypher)
    match = _WRITE_RE.search(code)
    if match:
        raise WriteRefused(
            f"refused: {match.group(1).upper()} can modify the graph; this path only runs read queries "
            "(use `kg ingest` / `kg import` to write)"
        )
    if _SUBQUERY_CALL_RE.search(code):
        raise WriteRefused("refused: CALL { … } subqueries are not allowed on the read-only path")
    for procedure in _CALL_RE.findall(code):
        if procedure not in _READ_PROCEDURES:
            raise WriteRefused(
                f"refused: procedure {procedure!r} is not on the read-only allow-list "
                f"({', '.join(_READ_PROCEDURES)})"
            )
