"""Entity normalization: mention text (+ NER category) → CURIE with a score, from a lexicon built from PyPI sources.

Public API::

    from extractors.normalize import Normalizer
    normalizer = Normalizer()                       # shipped lexicon; index cached in ~/.cache/medkg-data
    normalizer.resolve("CYP2D6", "Gene").curie      # 'NCBIGene:1565'
    normalizer.resolve("fever", "PhenotypicFeature").curie  # 'HP:0001945'
    normalizer(docs)                                # pipeline component: fills Mention.entity_id/score
"""

from extractors.normalize.component import Normalizer, shared_lexicon
from extractors.normalize.lexicon import Lexicon, Match, local_id

__all__ = ["Lexicon", "Match", "Normalizer", "local_id", "shared_lexicon"]
