"""Interchange formats: RDF (N-Triples, Turtle, JSON-LD), Biolink KGX (TSV, JSON Lines), PubTator and BioC.

Exporters read the store only through :meth:`GraphStore.read_cypher` with portable Cypher
(:mod:`kg.interop.source`), page by page, so that N-Triples and KGX exports run in constant memory.
"""
