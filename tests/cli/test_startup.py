"""`kg` starts fast: its command modules do not import the heavy libraries (models, NLP, Ray, the web app, RDF,
Arrow); the commands that need them import them when run (issue 17 item 7)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "transformers", "spacy", "ray", "fastapi", "rdflib", "pyarrow", "sklearn")


def _loaded_after(statement: str) -> list[str]:
    code = f"{statement}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return out.stdout.split()


def test_cli_module_imports_no_heavy_library():
    assert _loaded_after("import kg.cli") == []


def test_symptom_command_imports_no_heavy_library():
    assert _loaded_after("import kg.cli, kg.commands.query_symptoms, queries.symptoms") == []


def test_help_lists_every_command_without_heavy_imports():
    code = ("import sys\nfrom click.testing import CliRunner\nimport kg.cli\n"
            "r = CliRunner().invoke(kg.cli.main, ['--help'])\nassert r.exit_code == 0, r.output\n"
            "assert 'query' in r.output and 'serve' in r.output, r.output\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == []


def test_export_rdf_formats_match_the_exporter():
    from kg.commands.export_rdf import FORMATS
    from kg.interop.rdf import FORMATS as EXPORTER_FORMATS

    assert sorted(FORMATS) == sorted(EXPORTER_FORMATS)
