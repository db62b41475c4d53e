"""The search box parser: phrases, caps, hostile input, escaping of highlights."""

from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.search.analysis import DOMAIN_TERMS, SegmentTokenizer
from marketplace.search.apply import GAP_TTL, _advance
from marketplace.search.query import MAX_QUERY_CHARS, Clause, build, clean, highlight, parse

SEG = SegmentTokenizer(DOMAIN_TERMS)

HOSTILE = [
    '"远程抄表',
    '远程抄表"',
    "((((石墨烯",
    ")))",
    "[" * 2000 + "a" + "]" * 2000,
    "(" * 2000,
    "title:石墨烯",
    "*a*",
    "石墨?",
    "石墨烯~2",
    "[a TO z]",
    "date:[2020 TO x]",
    "AND (",
    "OR OR NOT",
    "a" * 100_000,
    "石墨烯\x00\x07\x1b[31m",
    "\u202e\u200b",
    "<script>alert(1)</script>",
    "%00",
    "'; DROP TABLE listings; --",
    "＂全角引号＂",
    "“远程抄表”",
    "\\",
    "^2",
    "{}",
    "NOT",
    "\ufffd\ufffe\uffff",
]


def test_quoted_text_becomes_a_phrase_and_the_rest_words():
    assert parse('"远程抄表" 石墨烯  NB-IoT') == [Clause("远程抄表", phrase=True), Clause("石墨烯"), Clause("nb-iot")]


def test_multiword_synonyms_are_kept_together():
    assert Clause("rare earth") in parse("Rare Earth magnets")


def test_input_is_capped_and_cleaned():
    assert len(clean("石" * 10_000)) == MAX_QUERY_CHARS
    assert "\x00" not in clean("石墨\x00烯")
    assert clean("ＮＢ－ＩｏＴ") == "NB-IoT"


def test_empty_parse_is_an_empty_query():
    for raw in ("", "   ", "(((", '""', "!!! ？？", "的 和"):
        assert build(parse(raw), SEG) is None, raw


def test_no_user_syntax_reaches_whoosh():
    built = build(parse("title:石墨烯 *a* 石墨?"), SEG)
    text = repr(built.all_terms)
    assert "Wildcard" not in text and "Prefix" not in text and "FuzzyTerm" not in text


def test_hostile_queries_are_cut_down_before_any_work():
    """The work per query is bounded by construction (timing is measured in bench/, never in tests)."""
    from marketplace.search.query import MAX_CLAUSES, MAX_QUERY_CHARS, clean

    for raw in HOSTILE:
        assert len(clean(raw)) <= MAX_QUERY_CHARS, raw[:30]
        assert len(parse(raw)) <= MAX_CLAUSES, raw[:30]
        build(parse(raw), SEG)  # no RecursionError, no ValueError


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('()[]{}"“”*?~:^\\'), max_size=3000))
def test_any_text_gives_a_query_or_none(raw):
    built = build(parse(raw), SEG)
    assert built is None or built.all_terms is not None


def test_highlight_escapes_and_marks():
    html = str(highlight("<script>alert(1)</script> 石墨烯电池", ["石墨烯"]))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>石墨烯</mark>" in html


def test_highlight_picks_a_window_around_matches():
    text = "前言" * 200 + "石墨烯负极材料" + "结尾" * 200
    html = str(highlight(text, ["石墨烯"], width=60))
    assert "<mark>石墨烯</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 120


def test_watermark_skips_gaps_and_waits_for_them():
    state = {"watermark": 10, "gaps": []}
    state = _advance(state, [11, 12, 15], now=100.0)  # 13 and 14 may still be in flight
    assert state["watermark"] == 15
    assert state["gaps"] == [[13, 14, 100.0]]
    state = _advance(state, [14, 16], now=101.0)  # 14 committed late
    assert state["gaps"] == [[13, 13, 100.0]] and state["watermark"] == 16
    state = _advance(state, [], now=100.0 + GAP_TTL + 1)  # 13 never came: rolled back
    assert state["gaps"] == []


def test_live_docs_skip_deleted_documents(tmp_path):
    from marketplace.search.engine import live_docs
    from marketplace.search.index import IndexStore

    store = IndexStore(tmp_path)
    name = store.create(DOMAIN_TERMS)
    ix = store.open(name)
    writer = ix.writer()
    for i in range(5):
        writer.add_document(id=str(i), title="标题", body="正文", sub="", text="")
    writer.commit()
    writer = ix.writer()
    writer.delete_by_term("id", "2")
    writer.commit(merge=False)
    with ix.reader() as reader:
        assert reader.has_deletions()
        assert live_docs(reader) == [0, 1, 3, 4]


def test_merged_segment_files_are_deleted_only_after_a_grace_period(tmp_path, monkeypatch):
    from marketplace.search import whoosh_patches
    from marketplace.search.index import IndexStore

    store = IndexStore(tmp_path)
    name = store.create(DOMAIN_TERMS)
    ix = store.open(name)
    for i in range(3):  # three small segments
        writer = store.writer(name)
        writer.add_document(id=str(i), title="标题", body="正文", sub="", text="")
        writer.commit(merge=False)
    reader = ix.reader()  # a reader in another process would still be reading these segments
    before = set(store.path(name).iterdir())
    writer = store.writer(name)
    writer.commit(optimize=True)  # merges them into one new segment
    assert before <= set(store.path(name).iterdir())  # nothing deleted under the reader's feet
    assert [reader.stored_fields(d)["id"] for d in range(3)] == ["0", "1", "2"]
    reader.close()
    monkeypatch.setattr(whoosh_patches, "DELETE_GRACE_SECONDS", 0.0)
    writer = store.writer(name)
    writer.add_document(id="9", title="标题", body="正文", sub="", text="")
    writer.commit()
    assert len(set(store.path(name).iterdir()) & before) < len(before)  # deleted at a later commit


def test_whoosh_patches_are_installed_explicitly_and_check_the_version(monkeypatch):
    import whoosh
    from whoosh import writing

    from marketplace.search import whoosh_patches

    whoosh_patches.install()
    assert writing.PostingPool is whoosh_patches.GroupedPostingPool
    monkeypatch.setattr(whoosh_patches, "_installed", False)
    monkeypatch.setattr(whoosh, "versionstring", lambda: "2.7.4")
    try:
        whoosh_patches.install()
    except RuntimeError as error:
        assert "2.7.5" in str(error)
    else:
        raise AssertionError("a different Whoosh version must be refused")
