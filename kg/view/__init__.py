"""HTML views of answers: what PubTator, INDRA and Neo4j Browser users look at first.

A page shows the ranked answer, each edge's support with its evidence sentences (the edge's two entities
highlighted by spaCy's displaCy), PMIDs linked to PubMed, and a small graph of the answer's paths drawn by
Cytoscape.js. Pages are built from the answers' JSON (the ``--json`` / API shapes of :mod:`queries.answers`), and
the vendored Cytoscape.js (``kg/view/static``) is inlined: a page works as a file, offline, with nothing fetched at
view time. Used by ``kg query … --html FILE`` and ``kg serve``'s ``/v1/view/…`` routes.
"""

from kg.view.pages import gene_drugs_page, symptoms_page

__all__ = ["gene_drugs_page", "symptoms_page"]
