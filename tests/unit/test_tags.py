"""Tag normalisation: what a researcher types keeps its form (NB-IoT, 5G, LoRa) and matches case- and
width-insensitively."""

import pytest

from marketplace.listings.tags import MAX_TAGS, TagError, normalise_tags, tag_key


def test_splits_on_chinese_and_ascii_separators_keeping_the_typed_form():
    assert normalise_tags("石墨烯，锂电池、NB-IoT  传感器,储能,5G LoRa") == [
        "石墨烯",
        "锂电池",
        "NB-IoT",
        "传感器",
        "储能",
        "5G",
        "LoRa",
    ]


def test_full_width_text_is_folded_to_ascii_and_matches_case_insensitively():
    assert normalise_tags("ＮＢ－ＩｏＴ　Ｗｉ-Ｆｉ") == ["NB-IoT", "Wi-Fi"]
    assert tag_key("ＮＢ－ＩｏＴ") == tag_key("nb-iot") == tag_key(" NB-IoT ") == "nb-iot"


def test_duplicates_after_normalisation_are_dropped_keeping_first_form_and_order():
    assert normalise_tags("AI, ai，Ａｉ 人工智能 人工智能") == ["AI", "人工智能"]
    assert normalise_tags(["T细胞", "t细胞", " 2", "2"]) == ["T细胞", "2"]


def test_empty_pieces_and_blank_input_give_no_tags():
    assert normalise_tags(" ,，、 ") == []
    assert normalise_tags("") == []
    assert normalise_tags(None) == []


def test_a_list_of_strings_is_accepted():
    assert normalise_tags(["稀土 永磁", "钨"]) == ["稀土", "永磁", "钨"]


def test_tag_of_40_characters_is_kept_but_41_is_refused():
    assert normalise_tags("材" * 40) == ["材" * 40]
    with pytest.raises(TagError) as err:
        normalise_tags("短标签 " + "材" * 41)
    assert err.value.problem == "too_long"
    assert err.value.tag == "材" * 41


def test_more_than_fifteen_distinct_tags_are_refused():
    assert len(normalise_tags(" ".join(f"t{i}" for i in range(MAX_TAGS)))) == MAX_TAGS
    with pytest.raises(TagError) as err:
        normalise_tags(" ".join(f"t{i}" for i in range(MAX_TAGS + 1)))
    assert err.value.problem == "too_many"


def test_repeats_do_not_count_towards_the_limit():
    assert len(normalise_tags(" ".join(["a"] * 30 + [f"t{i}" for i in range(14)]))) == 15


def test_text_keeps_chinese_punctuation_but_folds_full_width_letters():
    from marketplace.text import normalise_text

    assert normalise_text("效率提升３％，已完成（中试）") == "效率提升3%，已完成（中试）"
    assert normalise_text("＜script＞ＡＢＣ１２３") == "<script>ABC123"
    assert normalise_text("江西某某（集团）有限公司") == "江西某某（集团）有限公司"
