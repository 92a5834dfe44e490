"""Interchange formats: RDF (N-Triples, Turtle, JSON-LD), Biolink KGX (TSV, JSON Lines), PubTator and BioC.

Exporters read the store only through named queries (:mod:`kg.store.queries`, run on both engines by the parity
tests), page by page (:mod:`kg.interop.source`), so that N-Triples and KGX exports run in constant memory; which edge
properties they write comes from the edge model (:data:`kg.schema.EDGE_PROPERTIES`).
"""
