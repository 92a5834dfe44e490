"""Marker insertion and chunking of the document encoding."""

from __future__ import annotations

from extractors.relations.candidates import build_reldoc
from extractors.relations.encoding import END_MARKER, MARKER_CATEGORIES, encode
from kg.schema import Category


def test_markers_wrap_every_mention(tokenizer):
    title = "Cisplatin causes nephrotoxicity."
    text = title + " Nephrotoxicity after cisplatin was dose dependent."
    mentions = [("MESH:D002945", Category.CHEMICAL, (0, 9), "Cisplatin"),
                ("MESH:D007674", Category.DISEASE, (17, 31), "nephrotoxicity"),
                ("MESH:D007674", Category.DISEASE, (33, 47), "Nephrotoxicity"),
                ("MESH:D002945", Category.CHEMICAL, (54, 63), "cisplatin")]
    doc = build_reldoc("1", text, len(title), mentions)
    enc = encode(doc, tokenizer)
    assert len(enc.input_ids) == 1
    ids, marks = enc.input_ids[0], enc.marker_ids[0]
    tokens = tokenizer.convert_ids_to_tokens(ids)
    chemical = MARKER_CATEGORIES.index(Category.CHEMICAL)
    # [CLS] <chem> cis ##pl ##atin </> causes <dis> ...
    assert tokens[0] == "[CLS]" and marks[1] == chemical
    first_end = marks.index(END_MARKER)
    assert tokenizer.convert_tokens_to_string(tokens[2:first_end]) == "cisplatin"
    assert marks.count(END_MARKER) == 4 and sum(m >= 0 for m in marks) == 8
    # every entity knows where its two mentions' start markers are
    assert [len(p) for p in enc.mention_pos] == [2, 2]
    for positions in enc.mention_pos:
        assert all(marks[p] >= 0 and marks[p] != END_MARKER for _, p in positions)
    # the title is sentence 0, the abstract sentence 1
    assert enc.token_sentence[0][1] == 0 and enc.token_sentence[0][-2] == 1


def test_long_documents_are_cut_at_sentence_boundaries(tokenizer):
    sentence = "Aspirin reduced the fever of the patients in the trial. "
    text = "Title." + " " + sentence * 80
    spans = [(7 + k * len(sentence), 14 + k * len(sentence)) for k in range(80)]
    doc = build_reldoc("1", text.strip(), 6, [("MESH:D001241", Category.CHEMICAL, s, "Aspirin") for s in spans])
    enc = encode(doc, tokenizer, max_length=128)
    assert len(enc.input_ids) > 1 and all(len(row) <= 128 for row in enc.input_ids)
    assert sum(len(p) for p in enc.mention_pos) == 80
    for row in enc.token_sentence:  # no sentence is split across two chunks
        inner = row[1:-1]
        assert inner[0] != inner[-1] or len(set(inner)) == 1
    starts = [row[1] for row in enc.token_sentence[1:]]
    ends = [row[-2] for row in enc.token_sentence[:-1]]
    assert all(s == e + 1 for s, e in zip(starts, ends, strict=True))


def test_pair_features_bin_sentence_cooccurrence(tokenizer):
    from extractors.relations.encoding import N_PAIR_FEATURES, pair_features

    title = "Cisplatin nephrotoxicity."
    text = title + " Cisplatin was given. Rats developed nephrotoxicity. Cisplatin and gentamicin were compared."
    m = [("C1", Category.CHEMICAL, (0, 9), "Cisplatin"), ("D1", Category.DISEASE, (10, 24), "nephrotoxicity"),
         ("C1", Category.CHEMICAL, (26, 35), "Cisplatin"), ("D1", Category.DISEASE, (62, 76), "nephrotoxicity"),
         ("C1", Category.CHEMICAL, (78, 87), "Cisplatin"), ("C2", Category.CHEMICAL, (92, 102), "gentamicin")]
    doc = build_reldoc("1", text, len(title), m)
    enc = encode(doc, tokenizer)
    assert enc.entity_sentences == [[0, 1, 3], [0, 2], [3]]
    by_pair = dict(zip(doc.pairs, pair_features(enc, doc.pairs), strict=True))
    c1_d1 = by_pair[(0, 1)]
    assert len(c1_d1) == N_PAIR_FEATURES
    assert c1_d1[1] == 1  # one sentence (the title) mentions both
    assert c1_d1[4] == 1  # distance 0
    assert c1_d1[9] == 1 and c1_d1[10] == 1  # both in the title
    assert c1_d1[13] == 1 and c1_d1[15] == 1  # 3+ and 2 mentions
    c2_d1 = by_pair[(2, 1)]
    assert c2_d1[0] == 1 and c2_d1[5] == 1 and c2_d1[9] == 0  # never together, one sentence apart, not in title
