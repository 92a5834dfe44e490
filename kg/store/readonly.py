"""Refuse Cypher that could write, read files or change settings on the read-only path (``kg cypher``, ``/cypher``).

The decision is made on tokens, not on patterns over the raw text: :func:`tokenize` is one linear pass that knows
Cypher's comments (``//`` to the end of a line — ``\\r`` and the Unicode line breaks end it too — and ``/* … */``),
string literals (``'…'`` and ``"…"`` with backslash escapes) and backtick-quoted names (````a``b```` is ``a`b``).
Where the lexer and an engine could disagree it errs towards refusing: a line comment ends at *any* line-break
character, unterminated literals and comments are refused, and so is any non-ASCII character outside a literal or a
quoted name (keywords and whitespace a look-alike could fake are ASCII). On the tokens, shared by both backends:

* one statement (a single trailing ``;`` is allowed), starting with a reading clause;
* no clause or command that can write or reach outside the graph (``LOAD CSV``, ``COPY``, ``INSTALL``, …), as a
  bare word anywhere — a property of that name is written quoted: ``n.`set```;
* ``CALL`` only of allow-listed procedures, compared after the name is normalised (backticks removed, parts
  joined), and no ``CALL { … }`` subqueries;
* namespaced functions only from the built-in namespaces (``point.distance``, ``date.truncate``; not plugins);
* at most :data:`MAX_QUERY_CHARS` characters, and parameters of bounded size (:func:`check_parameters`).

The Neo4j backend also asks the server's planner (``EXPLAIN``) whether the query writes, and runs it in a read
transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kg.store.errors import QueryTooLarge, WriteRefused

MAX_QUERY_CHARS = 20_000
MAX_PARAMETER_VALUES = 10_000  # scalars and collection items in all parameters together
MAX_PARAMETER_CHARS = 1_000_000  # characters in all string (and byte) parameter values together

_READ_STARTS = frozenset({"MATCH", "OPTIONAL", "WITH", "RETURN", "UNWIND", "CALL"})
_REFUSED_WORDS = frozenset({
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "RENAME", "COPY", "LOAD", "INSTALL",
    "UNINSTALL", "ATTACH", "IMPORT", "EXPORT", "CHECKPOINT", "BEGIN", "COMMIT", "ROLLBACK", "FOREACH", "TERMINATE",
    "GRANT", "REVOKE", "DENY", "START", "STOP", "USE", "COMMENT", "SHOW", "ENABLE", "SUSPEND", "TRANSACTIONS",
})
# Procedures that only read schema information (Neo4j's db.*, the embedded engine's show_tables/table_info).
READ_PROCEDURES = ("db.labels", "db.relationshipTypes", "db.propertyKeys", "show_tables", "table_info")
_READ_PROCEDURES_LOWER = frozenset(p.lower() for p in READ_PROCEDURES)
# Namespaces of Neo4j's built-in functions; anything else namespaced (apoc.*, gds.*, user functions) is refused.
_FUNCTION_NAMESPACES = frozenset({"point", "date", "datetime", "localdatetime", "localtime", "time", "duration",
                                  "vector", "math"})

_LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
_TOKEN = re.compile(
    r"(?P<space>[ \t\n\r\x0b\x0c]+)"
    rf"|(?P<comment>//[^{_LINE_BREAKS}]*)"
    r"|(?P<string>'[^'\\]*(?:\\.[^'\\]*)*'|\"[^\"\\]*(?:\\.[^\"\\]*)*\")"
    r"|(?P<quoted>`[^`]*(?:``[^`]*)*`)"
    r"|(?P<param>\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|`[^`]*(?:``[^`]*)*`))"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>[0-9][A-Za-z0-9_]*)"
    r"|(?P<symbol>[!#-&(-/:-@\[-^{-~])",
)
_UNTERMINATED = {"'": "string literal", '"': "string literal", "`": "quoted name", "/*": "comment"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word, quoted, string, param, number, symbol
    text: str  # as written; a quoted name without its backticks (doubled backticks undone)
    start: int


def tokenize(cypher: str) -> list[Token]:
    """The significant tokens of ``cypher`` (no whitespace or comments), in one linear pass.

    Raises :class:`WriteRefused` for what the lexer cannot read safely: an unterminated literal, quoted name
    or comment, or a character outside ASCII that is not inside a literal, a quoted name or a comment.
    """
    tokens: list[Token] = []
    pos, end = 0, len(cypher)
    while pos < end:
        if cypher.startswith("/*", pos):  # found with str.find: a regex would rescan the rest at every '/*'
            close = cypher.find("*/", pos + 2)
            if close < 0:
                raise WriteRefused(_unreadable(cypher, pos))
            pos = close + 2
            continue
        match = _TOKEN.match(cypher, pos)
        if match is None:
            raise WriteRefused(_unreadable(cypher, pos))
        kind = match.lastgroup
        assert kind is not None
        if kind == "quoted":
            tokens.append(Token(kind, match.group()[1:-1].replace("``", "`"), pos))
        elif kind not in ("space", "comment"):
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


def _unreadable(cypher: str, pos: int) -> str:
    for opener, what in _UNTERMINATED.items():
        if cypher.startswith(opener, pos):
            return f"refused: unterminated {what} at character {pos}"
    char = cypher[pos]
    return (f"refused: character {char!r} (U+{ord(char):04X}) at position {pos} is outside a string or a "
            "`quoted` name; only ASCII is read there (quote names in backticks, put text in strings or parameters)")


def check_read_only(cypher: str) -> None:
    """Raise :class:`WriteRefused` unless ``cypher`` is one statement that can only read the graph."""
    if len(cypher) > MAX_QUERY_CHARS:
        raise QueryTooLarge(f"refused: the query has {len(cypher):,} characters; the read-only path takes at most "
                           f"{MAX_QUERY_CHARS:,} (pass values as parameters)")
    tokens = tokenize(cypher)
    if tokens and tokens[-1].text == ";":
        tokens.pop()
    if not tokens:
        raise WriteRefused("refused: the query is empty")
    for token in tokens:
        if token.kind == "symbol" and token.text == ";":
            raise WriteRefused("refused: one statement per query (a ';' separates two)")
    first = tokens[0]
    if first.kind != "word" or first.text.upper() not in _READ_STARTS:
        raise WriteRefused(f"refused: a read query starts with {', '.join(sorted(_READ_STARTS))}, not "
                           f"{first.text!r}")
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in _REFUSED_WORDS:
            raise WriteRefused(
                f"refused: {word} can modify the graph or reach outside it; this path only runs read queries "
                "(use `kg ingest` / `kg import` to write; a property of that name is written quoted, n.`name`)")
        if word == "CALL":
            i = _check_call(tokens, i)
        elif _is_call(tokens, i - 1) and _namespaced(tokens, i - 1):
            _check_function(tokens, i - 1)


def _check_call(tokens: list[Token], at: int) -> int:
    """Refuse a CALL of anything but an allow-listed procedure; the index after the procedure's name."""
    if at < len(tokens) and tokens[at].text == "{":
        raise WriteRefused("refused: CALL { … } subqueries are not allowed on the read-only path")
    parts = list(_dotted_name(tokens, at))
    name = ".".join(parts)
    if name.lower() not in _READ_PROCEDURES_LOWER:
        shown = name or (tokens[at].text if at < len(tokens) else "nothing")
        raise WriteRefused(f"refused: procedure {shown!r} is not on the read-only allow-list "
                           f"({', '.join(READ_PROCEDURES)})")
    return at + 2 * len(parts) - 1


def _dotted_name(tokens: list[Token], at: int) -> Iterator[str]:
    """The parts of a (possibly quoted) dotted name starting at ``at``: ``db.`labels``` → db, labels."""
    while at < len(tokens) and tokens[at].kind in ("word", "quoted"):
        yield tokens[at].text
        if at + 1 < len(tokens) and tokens[at + 1].text == ".":
            at += 2
        else:
            return


def _is_call(tokens: list[Token], i: int) -> bool:
    """Whether the word at ``i`` ends a function name: the last part of a dotted name followed by '('."""
    return i + 1 < len(tokens) and tokens[i + 1].text == "("


def _namespaced(tokens: list[Token], i: int) -> bool:
    return i >= 2 and tokens[i - 1].text == "." and tokens[i - 2].kind in ("word", "quoted")


def _check_function(tokens: list[Token], i: int) -> None:
    start = i
    while start >= 2 and tokens[start - 1].text == "." and tokens[start - 2].kind in ("word", "quoted"):
        start -= 2
    namespace = tokens[start].text.lower()
    if namespace not in _FUNCTION_NAMESPACES:
        name = ".".join(t.text for t in tokens[start:i + 1:2])
        raise WriteRefused(f"refused: function {name!r} is not built in; namespaced functions on the read-only "
                           f"path come from {', '.join(sorted(_FUNCTION_NAMESPACES))}")


def check_parameters(params: Mapping[str, Any] | None) -> None:
    """Refuse parameters larger than the read-only path takes (so a huge list never reaches the engine).

    A collection's length is counted before its items are visited, so a 26M-item list is refused at once.
    """
    pending: list[Any] = list((params or {}).values())
    values, chars = len(pending), 0
    while pending and values <= MAX_PARAMETER_VALUES and chars <= MAX_PARAMETER_CHARS:
        value = pending.pop()
        if isinstance(value, str | bytes):
            chars += len(value)
        elif isinstance(value, Mapping):
            values += len(value)
            chars += sum(len(str(key)) for key in value)
            if values <= MAX_PARAMETER_VALUES:
                pending.extend(value.values())
        elif isinstance(value, list | tuple):
            values += len(value)
            if values <= MAX_PARAMETER_VALUES:
                pending.extend(value)
    if values > MAX_PARAMETER_VALUES or chars > MAX_PARAMETER_CHARS:
        raise QueryTooLarge(f"refused: the parameters hold more than {MAX_PARAMETER_VALUES:,} values or "
                           f"{MAX_PARAMETER_CHARS:,} characters; narrow the question")
