"""The on-disk cache of the symptom ranker's indexes (queries.symptoms.cached_ranker): used while the store and
the code are unchanged, rebuilt after any write to the store, after a code change and when damaged."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import queries.symptoms as symptoms_module
from kg.commands.import_hpo import hpo
from kg.commands.query_symptoms import symptoms as query_symptoms
from queries.symptoms import cache_path

QUESTION = "salty tasting skin, bronchiectasis"


@pytest.fixture()
def graph(tmp_path):
    db = tmp_path / "graph.lbug"
    result = CliRunner().invoke(hpo, ["--disease", "OMIM:154700", "--disease", "OMIM:143100", "--store", "embedded",
                                      "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def _ask(db, question=QUESTION):
    result = CliRunner().invoke(query_symptoms, [question, "--store", "embedded", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _count_builds(monkeypatch):
    builds = []
    original = symptoms_module.AnnotationStats.from_store

    def counting(store, ontology, page=500_000):
        builds.append(1)
        return original(store, ontology, page)

    monkeypatch.setattr(symptoms_module.AnnotationStats, "from_store", staticmethod(counting))
    return builds


def test_cache_is_used_until_the_store_changes(graph, monkeypatch):
    builds = _count_builds(monkeypatch)
    first = _ask(graph)
    assert cache_path(graph).exists() and len(builds) == 1
    assert first["n_diseases"] == 2 and not any(a["disease_id"] == "OMIM:219700" for a in first["answers"])
    assert _ask(graph) == first and len(builds) == 1  # from the cache, same answer

    # a write to the store (cystic fibrosis added) → the next question rebuilds and sees it
    result = CliRunner().invoke(hpo, ["--disease", "OMIM:219700", "--store", "embedded", "--db", str(graph)])
    assert result.exit_code == 0, result.output
    after = _ask(graph)
    assert len(builds) == 2 and after["n_diseases"] == 3
    assert after["answers"][0]["disease_id"] == "OMIM:219700"
    assert _ask(graph) == after and len(builds) == 2


def test_cache_is_rebuilt_after_a_code_change_or_damage(graph, monkeypatch):
    builds = _count_builds(monkeypatch)
    first = _ask(graph)
    monkeypatch.setattr(symptoms_module, "_code_version", lambda: "another version of the code")
    assert _ask(graph) == first and len(builds) == 2
    cache_path(graph).write_bytes(b"not a pickle")
    assert _ask(graph) == first and len(builds) == 3
    assert _ask(graph) == first and len(builds) == 3


def test_unwritable_cache_still_answers(graph, monkeypatch):
    builds = _count_builds(monkeypatch)
    monkeypatch.setattr(symptoms_module, "cache_path", lambda location: graph.parent / "missing" / "cache.pickle")
    first = _ask(graph)
    assert _ask(graph) == first and len(builds) == 2


def test_a_cache_others_could_have_written_is_never_read(graph, monkeypatch):
    builds = _count_builds(monkeypatch)
    first = _ask(graph)
    cache_path(graph).chmod(0o666)  # a pickle runs code when loaded: one that anyone could replace is not read
    assert _ask(graph) == first and len(builds) == 2
    assert cache_path(graph).stat().st_mode & 0o022 == 0  # rewritten, private again
    assert _ask(graph) == first and len(builds) == 2
