"""``kg fetch``: download PubMed records through NCBI E-utilities (placeholder until implemented)."""

import click


@click.command()
def fetch() -> None:
    """Download PubMed XML through E-utilities."""
    raise click.ClickException("kg fetch is not implemented yet")
