"""Importers of curated knowledge that is written next to the text-mined graph (HPO annotations, …)."""
