"""Stream the records (children of the root) of a large XML file with constant memory, isolating errors.

lxml's ``recover=True`` is no good for isolating one bad record: libxml2 closes one element per end tag
whatever its name, so a single unclosed ``<i>`` in one abstract nests every following article inside it.
Instead the file is parsed strictly with an :class:`lxml.etree.XMLPullParser` fed in blocks, and:

* a syntax error is reported (with the identifier of the record it occurred in, from the part already
  parsed, and its byte offset), then parsing restarts with a fresh parser at the next start tag of a
  record after the error, behind the file's own XML declaration (so its encoding still applies) and a
  synthetic root start tag. Finding that start tag and the declaration are the only places where bytes
  are searched rather than parsed, and the former happens only after a failure;
* a record that starts while another is still open (its end tag is missing, or it was cut short)
  marks the open one as damaged: it is reported and never yielded, the records that the parser then
  nests inside it are yielded as usual;
* a record with an entity reference that is not expanded (``&bogus;``) is reported and never yielded;
* a truncated or corrupt compressed input ends the stream with an error after every complete record.

Each yielded element is cleared (and unlinked from its root) when the consumer asks for the next one,
so a consumer must extract what it needs before advancing.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from extractors.readers.files import InputError
from extractors.readers.records import ReadError

BLOCK_SIZE = 1 << 16
_TAG_END = frozenset(b" \t\r\n>/")

Identify = Callable[[etree._Element], str | None]
Item = etree._Element | ReadError


@dataclass(frozen=True, slots=True)
class _Block:
    """Bytes of the input with the position of their first byte (offset, 1-based line, 0-based column)."""

    data: bytes
    offset: int
    line: int
    col: int

    def position(self, index: int) -> tuple[int, int]:
        """Line and column of ``data[index]``."""
        newlines = self.data.count(b"\n", 0, index)
        if not newlines:
            return self.line, self.col + index
        return self.line + newlines, index - self.data.rfind(b"\n", 0, index) - 1

    def index(self, line: int, col: int) -> int | None:
        """Index in ``data`` of (line, column), or None when that position is not in this block."""
        if line < self.line:
            return None
        if line == self.line:
            i = col - self.col
        else:
            i = -1
            for _ in range(line - self.line):
                i = self.data.find(b"\n", i + 1)
                if i < 0:
                    return None
            i += 1 + col
        return i if 0 <= i <= len(self.data) else None

    def end(self) -> tuple[int, int, int]:
        line, col = self.position(len(self.data))
        return self.offset + len(self.data), line, col


def _join(a: _Block | None, b: _Block) -> _Block:
    return b if a is None else _Block(a.data + b.data, a.offset, a.line, a.col)


class RecordStream:
    """Iterate over ``(element | ReadError)`` for the records of one XML input.

    ``roots`` maps each accepted root tag to the tags of its record children; any other root is reported
    as unsupported. ``identify`` names a (possibly partial) record in error messages, e.g. by its PMID.
    """

    def __init__(
        self,
        stream: BinaryIO,
        source: str,
        roots: Mapping[str, frozenset[str]],
        identify: Identify,
    ) -> None:
        self.stream = stream
        self.source = source
        self.roots = roots
        self.identify = identify
        self.root_tag: str | None = None
        self.record_tags: frozenset[str] = frozenset()
        self._declaration = b""
        self._resumable = True
        self._stop = False
        self._prev: _Block | None = None
        self._block: _Block | None = None
        self._last_resume = -1

    # -- sessions ---------------------------------------------------------------------------------------
    def _new_session(self, line: int, col: int, prefix: bytes = b"") -> None:
        self._parser = etree.XMLPullParser(
            events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False
        )
        self._session_line, self._session_col, self._prefix_len = line, col, len(prefix)
        self._depth = 0
        self._stack: list[list] = []  # [element, damaged]
        if prefix:
            self._parser.feed(prefix)

    def _absolute(self, line: int, col: int) -> tuple[int, int]:
        """Input line and 0-based column of a 1-based (line, column) reported by the current parser."""
        if line <= 1:
            return self._session_line, self._session_col + max(col - 1 - self._prefix_len, 0)
        return self._session_line + line - 1, max(col - 1, 0)

    def _offset(self, line: int, col: int) -> int | None:
        for block in (self._block, self._prev):
            if block is not None and (i := block.index(line, col)) is not None:
                return block.offset + i
        return self._block.offset if self._block else None

    # -- reading ----------------------------------------------------------------------------------------
    def _read_block(self) -> _Block | None:
        read = getattr(self.stream, "read1", self.stream.read)
        data = read(BLOCK_SIZE)
        if not data:
            return None
        offset, line, col = self._block.end() if self._block else (0, 1, 0)
        if offset == 0:
            self._declaration, self._resumable = _declaration(data)
        self._prev, self._block = self._block, _Block(data, offset, line, col)
        return self._block

    def __iter__(self) -> Iterator[Item]:
        self._new_session(1, 0)
        pending: bytes | None = None
        while not self._stop:
            if pending is None:
                try:
                    block = self._read_block()
                except InputError as exc:
                    yield from self._drain()
                    yield self._input_error(exc)
                    return
                if block is None:
                    try:
                        self._parser.close()
                    except etree.XMLSyntaxError as exc:
                        pending = yield from self._recover(exc)
                        if pending is None:
                            return
                        continue
                    yield from self._drain()
                    return
                pending = block.data
            try:
                self._parser.feed(pending)
            except etree.XMLSyntaxError as exc:
                pending = yield from self._recover(exc)
                if pending is None:
                    return
                continue
            pending = None
            yield from self._drain()

    def _recover(self, exc: etree.XMLSyntaxError) -> Generator[Item, None, bytes | None]:
        """After a syntax error: yield what was parsed before it and the error, then resynchronize."""
        yield from self._drain()
        if self._stop:
            return None
        yield from self._syntax_error(exc)
        return (yield from self._resync(exc))

    # -- events -----------------------------------------------------------------------------------------
    def _drain(self) -> Iterator[Item]:
        for event, elem in self._parser.read_events():
            if self._stop:
                return
            if event == "start":
                self._depth += 1
                if self._depth == 1:
                    yield from self._check_root(elem)
                elif elem.tag in self.record_tags:
                    if self._stack and not self._stack[-1][1]:
                        outer = self._stack[-1]
                        outer[1] = True
                        yield self._error(
                            f"<{outer[0].tag}> not closed before the <{elem.tag}> on line "
                            f"{self._absolute(elem.sourceline or 1, 1)[0]}",
                            None, self.identify(outer[0]),
                        )
                    self._stack.append([elem, False])
                continue
            self._depth -= 1
            if self._stack and self._stack[-1][0] is elem:
                _, damaged = self._stack.pop()
                if not damaged:
                    error = self._unresolved_entity(elem)
                    yield elem if error is None else error
                self._release(elem)
            elif self._depth == 1 and not self._stack:
                self._release(elem)  # a child of the root that is not a record

    def _check_root(self, elem: etree._Element) -> Iterator[ReadError]:
        if self.root_tag is not None:
            return  # the synthetic root of a resumed session
        tag = etree.QName(elem).localname if isinstance(elem.tag, str) else str(elem.tag)
        if tag not in self.roots:
            self._stop = True
            expected = ", ".join(f"<{t}>" for t in self.roots)
            yield self._error(f"unsupported root element <{tag}> (expected {expected})", 0)
            return
        self.root_tag = tag
        self.record_tags = self.roots[tag]

    def _unresolved_entity(self, record: etree._Element) -> ReadError | None:
        """An error for a record that holds an entity reference the parser left as it is, else None.

        Only XML's five predefined entities and character references are expanded (no DTD is read, see
        :meth:`_new_session`); after a ``<!DOCTYPE>`` libxml2 keeps any other reference (``&bogus;``) as a
        node and goes on, so the record would be stored with that piece of its text silently missing.
        """
        entity = next(record.iter(etree.Entity), None)
        if entity is None:
            return None
        line = self._absolute(entity.sourceline or 1, 1)[0]
        return self._error(f"undefined entity {entity.text} (line {line}); the record is skipped",
                           None, self.identify(record))

    @staticmethod
    def _release(elem: etree._Element) -> None:
        elem.clear(keep_tail=True)
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]

    # -- errors -----------------------------------------------------------------------------------------
    def _error(self, message: str, offset: int | None, pmid: str | None = None) -> ReadError:
        return ReadError(self.source, message, pmid, offset)

    def _input_error(self, exc: InputError) -> ReadError:
        """The input ended early: name the record it cut short, if any."""
        record = self._stack[-1][0] if self._stack else None
        offset = self._block.end()[0] if self._block else 0
        return self._error(str(exc), offset, self.identify(record) if record is not None else None)

    def _syntax_error(self, exc: etree.XMLSyntaxError) -> Iterator[ReadError]:
        line, col = self._absolute(*(exc.position or (1, 1)))
        record = self._stack[-1] if self._stack else None
        if record is not None and record[1]:
            return  # already reported as damaged
        last = exc.error_log.last_error if exc.error_log else None
        message = (last.message if last is not None else exc.msg) or "malformed XML"
        yield self._error(
            f"{message} (line {line}, column {col + 1})",
            self._offset(line, col),
            self.identify(record[0]) if record is not None else None,
        )

    def _resync(self, exc: etree.XMLSyntaxError) -> Generator[ReadError, None, bytes | None]:
        """Find the next record start tag after the error; return the bytes to feed a new session."""
        if self.root_tag is None or not self.record_tags or not self._resumable:
            return None
        line, col = self._absolute(*(exc.position or (1, 1)))
        offset = self._offset(line, col) or 0
        start = max(offset, self._last_resume + 1)
        window = _join(self._prev, self._block) if self._block else None
        needles = [b"<" + tag.encode("ascii") for tag in self.record_tags]
        longest = max(map(len, needles))
        while window is not None:
            found = _find_start_tag(window.data, needles, max(start - window.offset, 0))
            if found is not None:
                self._last_resume = window.offset + found
                resume_line, resume_col = window.position(found)
                prefix = self._declaration + f"<{self.root_tag}>".encode("ascii")
                self._new_session(resume_line, resume_col, prefix)
                return window.data[found:]
            try:
                block = self._read_block()
            except InputError as exc_input:
                yield self._input_error(exc_input)
                return None
            if block is None:
                return None
            # keep the tail of the window in case a start tag straddles the two blocks
            tail = min(longest, len(window.data))
            tail_line, tail_col = window.position(len(window.data) - tail)
            window = _Block(window.data[-tail:] + block.data, block.offset - tail, tail_line, tail_col)
        return None


def _declaration(first: bytes) -> tuple[bytes, bool]:
    """The XML declaration at the start of a file (it carries the encoding), and whether the file is in an
    ASCII-compatible encoding, which resynchronizing by searching for ASCII start tags needs."""
    if first.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in first[:4]:
        return b"", False  # UTF-16/32
    first = first.removeprefix(b"\xef\xbb\xbf")
    if first.startswith(b"<?xml") and (end := first.find(b"?>")) > 0:
        return first[: end + 2], True
    return b"", True


def _find_start_tag(data: bytes, needles: list[bytes], start: int) -> int | None:
    best: int | None = None
    for needle in needles:
        i = data.find(needle, start)
        while i >= 0:
            nxt = i + len(needle)
            if nxt < len(data) and data[nxt] in _TAG_END:
                break
            i = data.find(needle, i + 1)
        if i >= 0 and (best is None or i < best):
            best = i
    return best


def iter_records(
    stream: BinaryIO,
    source: str,
    roots: Mapping[str, frozenset[str]],
    identify: Identify,
) -> Iterator[Item]:
    """Records of one XML input, and a ReadError for each problem; see the module docstring."""
    return iter(RecordStream(stream, source, roots, identify))
