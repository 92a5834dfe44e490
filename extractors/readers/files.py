"""Opening inputs: plain or gzip files (recognized by their magic bytes, not their name) and stdin (``-``).

A truncated or corrupt gzip stream surfaces as :class:`InputError` naming the file, whatever ``gzip`` or
``zlib`` raised, so that readers can report it as one :class:`~extractors.readers.records.ReadError`
after the records they could read before it.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO, TypeVar

from extractors.readers.records import ReadError

T = TypeVar("T")

GZIP_MAGIC = b"\x1f\x8b"
BUFFER_SIZE = 1 << 16

PathLike = str | os.PathLike[str]


class InputError(OSError):
    """An input could not be read to its end (truncated or corrupt compressed stream)."""


def source_name(path: PathLike) -> str:
    return "<stdin>" if str(path) == "-" else str(path)


class _Guarded(io.RawIOBase):
    """Raw stream over a (possibly gzip) file object that turns decompression failures into InputError."""

    def __init__(self, inner: BinaryIO, name: str, to_close: list[BinaryIO]) -> None:
        self._inner = inner
        self._name = name
        self._to_close = to_close  # innermost last: a GzipFile does not close the file it reads
        self.consumed = 0  # decompressed bytes handed out so far

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            # read1, not readinto: a multi-read call that fails would drop what it had decompressed,
            # and everything before a truncation must still reach the reader.
            data = self._inner.read1(len(b))  # type: ignore[attr-defined]
        except EOFError as exc:
            raise InputError(f"{self._name}: truncated compressed stream after {self.consumed} bytes "
                             f"({exc})") from exc
        except (zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(f"{self._name}: corrupt compressed stream after {self.consumed} bytes "
                             f"({exc})") from exc
        n = len(data)
        b[:n] = data
        self.consumed += n
        return n

    def close(self) -> None:
        if not self.closed:
            for stream in self._to_close:
                stream.close()
        super().close()


def open_binary(path: PathLike) -> io.BufferedReader:
    """Open ``path`` (``-`` for stdin) for reading bytes, decompressing gzip transparently.

    The result supports ``peek`` so that callers can sniff the content without consuming it.
    """
    name = source_name(path)
    to_close: list[BinaryIO] = []
    if name == "<stdin>":
        raw: BinaryIO = sys.stdin.buffer
    else:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the returned reader
        to_close.append(raw)
    peekable = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]
    inner: BinaryIO = peekable  # type: ignore[assignment]
    try:
        magic = peekable.peek(2)[:2]  # type: ignore[attr-defined]
    except OSError:
        for stream in to_close:
            stream.close()
        raise
    if magic == GZIP_MAGIC:
        inner = gzip.GzipFile(fileobj=peekable, mode="rb")  # type: ignore[assignment]
        to_close.insert(0, inner)
    return io.BufferedReader(_Guarded(inner, name, to_close), buffer_size=BUFFER_SIZE)


def open_text(path: PathLike, encoding: str = "utf-8", errors: str = "strict") -> TextIO:
    """Open ``path`` (``-`` for stdin) as text, decompressing gzip transparently.

    Reading a truncated gzip file raises :class:`InputError` once the intact part has been read.
    """
    return io.TextIOWrapper(open_binary(path), encoding=encoding, errors=errors, newline=None)


def iter_paths(inputs: PathLike | Iterable[PathLike]) -> Iterator[str]:
    """Expand inputs into file paths: directories recursively (sorted, hidden entries skipped), globs
    (sorted), plain files as given and ``-`` for stdin. An input that matches nothing is an error."""
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]
    for item in inputs:
        text = os.fspath(item)
        path = Path(text)
        if text == "-" or path.is_file():
            yield text
        elif path.is_dir():
            yield from _walk(path)
        elif any(c in text for c in "*?["):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise FileNotFoundError(f"no file matches {text!r}")
            for match in matches:
                yield from (_walk(Path(match)) if Path(match).is_dir() else [match])
        else:
            raise FileNotFoundError(f"no such file or directory: {text!r}")


# Files a directory walk passes over: `kg fetch` keeps its resume manifests beside the XML it downloads.
_NOT_LITERATURE = (".json", ".log", ".md", ".tmp", ".part")


def _walk(directory: Path) -> Iterator[str]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and not name.endswith(_NOT_LITERATURE):
                yield os.path.join(root, name)


def read_path(path: PathLike, parse: Callable[[BinaryIO, str], Iterator[T]]) -> Iterator[T | ReadError]:
    """Open ``path`` (gzip or plain, ``-`` for stdin) and yield what ``parse(stream, source)`` yields;
    a file that cannot be opened becomes one ReadError naming it."""
    source = source_name(path)
    try:
        stream = open_binary(path)
    except OSError as exc:
        yield ReadError(source, f"cannot open: {exc}")
        return
    with stream:
        yield from parse(stream, source)

