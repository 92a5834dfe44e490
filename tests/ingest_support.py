"""What the local-engine and the Ray-engine ingest tests share: a component that fails on one PMID, and a run
killed with SIGKILL once it has stored documents."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from pathlib import Path

from kg.schema import Document


class FailsOn:
    """A pipeline component that fails on one PMID, the way spaCy fails on a text it cannot take."""

    name = "fails-on"
    version = "1"

    def __init__(self, pmid: str) -> None:
        self.pmid = pmid

    def __call__(self, docs: list[Document]) -> list[Document]:
        if any(doc.pmid == self.pmid for doc in docs):
            raise ValueError(f"[E088] cannot process PMID {self.pmid}")
        return docs


def kill_when_stored(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout_s: float = 300) -> bytes:
    """Start an ingest (with --progress), SIGKILL it as soon as its progress bar shows stored documents; its
    stderr so far."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout_s
    seen = b""
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([proc.stderr], [], [], 0.5)
            if ready:
                seen += os.read(proc.stderr.fileno(), 4096)
                if b"stored=" in seen and b"stored=0" not in seen[-300:]:
                    proc.send_signal(signal.SIGKILL)
                    break
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, f"ingest finished before it could be killed: {seen[-800:]!r}"
    return seen
