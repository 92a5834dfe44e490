"""Relation extraction: typed, evidenced edges between the normalized entities of an abstract.

``component`` (the pipeline component), ``candidates`` (entities, sentences and candidate pairs of a document),
``encoding`` / ``model`` / ``predict`` (the marker-based encoder and its head), ``calibration`` (probabilities that an
edge is right), ``negation`` (negated and speculative evidence), ``corpora`` / ``train`` / ``evaluate`` / ``metrics``
(BioRED and BC5CDR), ``labels`` (classes and their Biolink predicates).
"""
