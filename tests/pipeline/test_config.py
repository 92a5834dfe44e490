"""The pipeline from config: registered components, versions that follow every output-changing setting, and
kg.ingest's skip logic re-processing documents exactly when the version changes (a real embedded store)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from extractors.pipeline import DEFAULT_CONFIG, Pipeline, default_config, default_pipeline, registered
from kg.ingest import Ingester
from kg.schema import Document
from kg.store.embedded import EmbeddedStore

PUBTATOR = """\
1001|t|Lithium-induced diabetes insipidus in rats.
1001|a|Polyuria developed in rats given lithium chloride (LiCl); LiCl did not affect TP53.

1002|t|Haloperidol and tardive dyskinesia.
1002|a|Drugs (e.g. codeine) were given vs. placebo. Fig. 2 shows that haloperidol induced tardive dyskinesia.

"""

DEFAULT_TOML = """
[text]

[[components]]
factory = "annotated-mentions"

[[components]]
factory = "mesh-indexing"

[[components]]
factory = "ner"

[[components]]
factory = "normalize"

[[components]]
factory = "phenotypes"

[[components]]
factory = "phenotype-statements"
"""


def with_normalize(**settings: object) -> dict:
    config = default_config()
    at = next(i for i, c in enumerate(config["components"]) if c["factory"] == "normalize")
    config["components"][at] = {"factory": "normalize", **settings}
    return config


def test_the_default_config_is_toml_and_builds_the_default_pipeline() -> None:
    assert tomllib.loads(DEFAULT_TOML) == DEFAULT_CONFIG
    pipeline = Pipeline.from_config(tomllib.loads(DEFAULT_TOML))
    assert [c.name for c in pipeline.components] == ["annotated-mentions", "mesh-indexing", "ner", "normalize",
                                                     "phenotypes", "phenotype-statements"]
    assert pipeline.version == default_pipeline().version
    assert pipeline.version.startswith("text@")
    assert {"ner", "normalize", "relations", "mesh-indexing", "annotated-mentions"} <= set(registered())


def test_components_share_one_text_analyzer() -> None:
    ner, normalize = Pipeline.from_config(default_config()).components[2:4]
    assert ner.text is normalize.text  # type: ignore[attr-defined]


def test_unknown_names_and_settings_are_errors_that_name_them() -> None:
    with pytest.raises(ValueError, match="unknown pipeline component 'nre'"):
        Pipeline.from_config({"components": [{"factory": "nre"}]})
    with pytest.raises(ValueError, match="'normalize'.*threshold"):
        Pipeline.from_config({"components": [{"factory": "normalize", "threshold": 0.5}]})
    with pytest.raises(ValueError, match="unknown key"):
        Pipeline.from_config({"component": []})


def test_version_follows_settings_that_change_output() -> None:
    base = Pipeline.from_config(default_config()).version
    assert Pipeline.from_config(default_config()).version == base
    assert Pipeline.from_config(with_normalize(fuzzy_thresholds={"Disease": 0.9})).version != base
    assert Pipeline.from_config(with_normalize(fuzzy=False)).version != base
    relations = Pipeline.from_config(default_config(relations=True)).version
    assert relations != base
    assert Pipeline.from_config(default_config(relations=True, relation_min_score=0.5)).version != relations
    assert default_pipeline(relations=True, relation_min_score=0.5).version \
        == Pipeline.from_config(default_config(relations=True, relation_min_score=0.5)).version


def test_default_pipeline_fills_mentions_with_offsets_into_the_text() -> None:
    doc = Document("1", title="Aspirin and asthma.", abstract="Aspirin (ASA) caused asthma in 3 patients.")
    (out,) = default_pipeline()([doc])
    assert out is doc and doc.entities
    for mention in doc.mentions:
        assert doc.text[mention.start:mention.end] == mention.text and mention.entity_id


def test_ingest_skips_unchanged_and_reprocesses_changed_settings(tmp_path: Path) -> None:
    source = tmp_path / "docs.pubtator"
    source.write_text(PUBTATOR, encoding="utf-8")

    def ingest(store: EmbeddedStore, config: dict):
        return Ingester(store, pipeline_factory=lambda: Pipeline.from_config(config), progress=False).run(
            [str(source)])

    with EmbeddedStore(tmp_path / "graph.lbug") as store:
        first = ingest(store, default_config())
        assert (first.stored, first.failed) == (2, [])
        again = ingest(store, default_config())
        assert (again.skipped, again.stored, again.replaced) == (2, 0, 0)
        changed = ingest(store, with_normalize(fuzzy_thresholds={"Disease": 0.95}))
        assert (changed.skipped, changed.replaced) == (0, 2)
        unchanged = ingest(store, with_normalize(fuzzy_thresholds={"Disease": 0.95}))
        assert unchanged.skipped == 2
