"""``kg query symptoms``: free-text symptoms or HPO CURIEs → ranked diseases, with matched terms and evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.commands.common import (
    echo_answer,
    fail_if_strict,
    html_option,
    json_option,
    open_for_cli,
    store_options,
    strict_option,
    write_html,
)
from kg.config import StoreConfig


@click.command("symptoms")
@click.argument("text")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many diseases.")
@click.option("--rerank", is_flag=True,
              help="Rerank the graph's candidates with the language model (MiniLM; see queries/rerank.py).")
@strict_option
@store_options
@json_option
@html_option
def symptoms(text: str, top: int, rerank: bool, strict: bool, store_config: StoreConfig, as_json: bool,
                   html_path: Path | None) -> None:
    """Diseases for TEXT: "fever, productive cough, no rash" or "HP:0001945, -HP:0000988".

    Needs phenotype annotations in the store (kg import hpo). The score combines the information content of the
    matched phenotypes (Resnik best match over the HPO hierarchy), query coverage, text-mined evidence and a
    penalty for diseases with many phenotypes; see queries/symptoms.py for the formula.

    Exit status 0 also when a symptom is not recognised or no disease matches (that is an answer); with
    --strict, 1.
    """
    from queries.symptoms import cached_ranker

    with open_for_cli(store_config, read_only=True) as store:
        ranker = cached_ranker(store)
        reranker = None
        if rerank:
            from queries.rerank import SymptomReranker

            reranker = SymptomReranker(ranker)
        result = ranker.search(text, top=top, reranker=reranker)
    if as_json:
        from queries.answers import SymptomsResult

        echo_answer(SymptomsResult, result)
    else:
        print_symptom_answers(result)
    write_html(html_path, "symptoms", result)
    fail_if_strict(strict, symptom_problems(result))


def symptom_problems(result: dict[str, Any]) -> list[str]:
    """What --strict fails on: symptoms not recognised, or no matching disease."""
    problems = []
    unrecognized = [repr(item["text"]) for item in result["unrecognized"]]
    if unrecognized or result["unrecognized_omitted"]:
        more = f" and {result['unrecognized_omitted']} more" if result["unrecognized_omitted"] else ""
        problems.append(f"not recognised: {', '.join(unrecognized)}{more}")
    if not result["answers"]:
        problems.append("no matching diseases")
    return problems


def print_symptom_answers(result: dict[str, Any]) -> None:
    from queries.symptom_text import MAX_ITEMS

    read = [f"{t['text']} → {t['label']}" + (f" (as \"{t['reading']}\")" if t.get("reading") else "")
            for t in result["present"] + result["absent"] if t["method"] == "translated"]
    if read:
        click.echo("read as: " + ", ".join(read))
    for label, key in (("present", "present"), ("absent", "absent")):
        if result[key]:
            terms = ", ".join(f"{t['label']} ({t['term_id']}" + (f", ~{t['similarity']})" if t["method"] == "fuzzy"
                                                                  else ")") for t in result[key])
            click.echo(f"{label}: {terms}")
    for item in result["unrecognized"]:
        near = ", ".join(f"{m['label']} ({m['term_id']}, {m['similarity']})" for m in item["close_matches"])
        click.echo(f"unrecognized: {item['text']!r}" + (f" — closest: {near}" if near else ""))
    if result["unrecognized_omitted"]:
        click.echo(f"unrecognized: {result['unrecognized_omitted']} more not listed")
    if result["ignored"]:
        click.echo(f"ignored: {result['ignored']} items after the first {MAX_ITEMS}")
    if not result["answers"]:
        click.echo("no matching diseases")
        return
    for i, answer in enumerate(result["answers"], 1):
        parts = answer["parts"]
        lm = f", graph {parts['graph_score']:.3f}, LM {parts['lm']:.2f}" if "lm" in parts else ""
        click.echo(f"{i:>2}. {answer['disease_id']}  {answer['disease_name']}  score {answer['score']:.3f} "
                   f"(semantic {parts['semantic']:.2f}, coverage {parts['coverage']:.2f}, hub {parts['hub']:.2f}, "
                   f"evidence {parts['evidence']:.2f}, negation {parts['negation']:.2f}{lm})")
        for match in answer["matched"]:
            click.echo(f"      matched  {match['query_label']} ← {match['disease_phenotype_label']} "
                       f"[{', '.join(match['knowledge_sources'])}]")
            for sentence in match.get("sentences", []):
                click.echo(f"        “{sentence['sentence']}” (PMID {sentence['pmid']})")
        for match in answer["partial"]:
            click.echo(f"      partial  {match['query_label']} ~ {match['disease_phenotype_label']} "
                       f"(via {match['via_id']}, IC {match['ic']:.2f})")
        if answer["missing"]:
            click.echo("      missing  " + ", ".join(m["label"] for m in answer["missing"]))
        if answer["contradicted"]:
            click.echo("      has absent  " + ", ".join(m["label"] for m in answer["contradicted"]))
        if answer["pmids"]:
            click.echo("      PMIDs  " + ", ".join(answer["pmids"][:10]))
