"""Worst-case ``/patient`` input: every field at the API's length cap, filled with distinct random words.

Each word is a list item (``--sep ", "``, the default) or one long phrase (``--sep " "``), so that nothing is
recognised and every item goes through the whole resolution: symptom parsing with lexicon lookups and nearest
matches, history and drug names with close names, genotypes with close gene names. The graph is the tests' small
fixture (``tests/graph_fixture.py``) plus every HPO annotation (``kg import hpo``: 12.6k diseases, 18k phenotype
names to match against) in a fresh embedded store. The analyzer's one-time state (annotation statistics, the
HPO lexicon's TF-IDF index, the store's names for close matches) is built by a warm-up (``warmup_s``);
then ``--runs`` analyses of the same profile are timed (wall clock), and the size of the JSON answer is reported.

    .venv/bin/python -m benchmarks.patient [--chars 5000] [--sep ", "] [--runs 3] [--db DIR] [--json [PATH]]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import log, write_report
from kg.importers.hpo import import_hpo
from kg.store.embedded import EmbeddedStore
from queries.patient import PatientAnalyzer, PatientProfile
from tests import graph_fixture as g

FIELDS = ("symptoms", "history", "drugs", "genotype")
WARMUP = PatientProfile.from_text("fever, xyzzy", "asthma, xyzzy", "codeine, xyzzy", "CYP2D6*10, XYZ1*2")
"""Known and unknown items in every field: builds every index that the timed runs use."""


def random_field(rng: random.Random, chars: int, sep: str, seen: set[str]) -> str:
    """Distinct random lower-case words (3–10 letters, none repeated across fields) joined by ``sep``, at most
    ``chars`` characters."""
    words: list[str] = []
    length = 0
    while True:
        word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10)))
        if word in seen:
            continue
        added = len(word) + (len(sep) if words else 0)
        if length + added > chars:
            return sep.join(words)
        seen.add(word)
        words.append(word)
        length += added


def build_store(path: Path) -> EmbeddedStore:
    """The fixture graph plus all HPO annotations, or the store already at ``path``."""
    fresh = not path.exists()
    store = EmbeddedStore(path)
    if fresh:
        started = time.perf_counter()
        g.build(store)
        g.build_clinical(store)
        import_hpo(store)
        log(f"built {path} in {time.perf_counter() - started:.0f} s")
    return store


def run(store: EmbeddedStore, profile: PatientProfile, runs: int) -> dict[str, Any]:
    """Warm the analyzer up untimed, then time ``runs`` analyses of ``profile``."""
    analyzer = PatientAnalyzer(store)
    started = time.perf_counter()
    analyzer.analyze(WARMUP)
    warmup_s = time.perf_counter() - started
    times, report = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        report = analyzer.analyze(profile).as_dict()
        times.append(time.perf_counter() - started)
    differential = report["differential"]
    return {
        "warmup_s": round(warmup_s, 2),
        "runs_s": [round(t, 3) for t in times],
        "median_s": round(statistics.median(times), 3),
        "output_bytes": len(json.dumps(report)),
        "unrecognized": {"symptoms": len(differential["unrecognized"]),
                         **{k: len(v) for k, v in report["unrecognized"].items()},
                         "genotypes": sum(1 for x in report["genotypes"] if x["unrecognized"])},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=5000, help="Characters per field (the API's cap: 5000).")
    parser.add_argument("--sep", default=", ", help='Between words: ", " (one item each) or " " (one phrase).')
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="Keep (and reuse) the embedded store here.")
    parser.add_argument("--json", nargs="?", const="-", help="Write the report as JSON to PATH (or stdout).")
    args = parser.parse_args(argv)
    rng, seen = random.Random(args.seed), set()
    texts = {name: random_field(rng, args.chars, args.sep, seen) for name in FIELDS}
    profile = PatientProfile.from_text(texts["symptoms"], texts["history"], texts["drugs"], texts["genotype"])
    with tempfile.TemporaryDirectory(prefix="medkg-bench-patient-") as scratch, \
            build_store(args.db or Path(scratch) / "graph.lbug") as store:
        result = run(store, profile, args.runs)
    report = {"chars": args.chars, "sep": args.sep, "items": {k: len(texts[k].split(args.sep)) for k in FIELDS},
              **result}
    log(f"median {result['median_s']} s over {args.runs} runs, answer {result['output_bytes']:,} bytes, "
        f"unrecognised {result['unrecognized']}")
    write_report(report, args.json)


if __name__ == "__main__":
    main()
