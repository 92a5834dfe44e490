"""Pipelines for the Ray tests, importable by Ray's worker processes (a factory is sent to each actor)."""

from __future__ import annotations

import functools
import os
import signal
from pathlib import Path

from extractors.pipeline import AnnotatedMentions, MeshIndexing, Pipeline, default_pipeline
from kg.schema import Document
from tests.ingest_support import FailsOn

with_relations = functools.partial(default_pipeline, relations=True)


class KillOnce:
    """Kills its own process with SIGKILL the first time it is called anywhere (the marker file says so): a
    worker that dies mid-batch, the way the OOM killer or a lost node ends one."""

    name = "kill-once"
    version = "1"

    def __init__(self, marker: str) -> None:
        self.marker = Path(marker)

    def __call__(self, docs: list[Document]) -> list[Document]:
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return docs
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)
        return docs


def killing_pipeline(marker: str) -> Pipeline:
    """Indexed and annotated mentions (no models: the test is about the engine), and a worker that dies once."""
    return Pipeline([AnnotatedMentions(), MeshIndexing(), KillOnce(marker)])


model_free = functools.partial(Pipeline, [AnnotatedMentions(), MeshIndexing()])
"""Indexed and annotated mentions only: for tests of the engine rather than of extraction."""


def failing_on(pmid: str) -> Pipeline:
    return Pipeline([AnnotatedMentions(), MeshIndexing(), FailsOn(pmid)])
