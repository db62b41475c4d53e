"""Chinese segmentation for the index: domain terms, mixed scripts, positions, sub-words, pickling."""

import pickle

from marketplace.search.analysis import (
    DOMAIN_TERMS,
    LeadTokenizer,
    SegmentTokenizer,
    SubwordTokenizer,
    clean_terms,
    dictionary_digest,
    normalize,
    synonyms_of,
)

SEG = SegmentTokenizer(DOMAIN_TERMS)


def words(text, tokenizer=SEG):
    return [w.lower() for w, _s, _e in tokenizer.words(normalize(text))]


def test_domain_terms_and_mixed_scripts_stay_whole():
    tokens = words("石墨烯电池用于窄带物联网(NB-IoT)、Wi-Fi与5G终端，02专项和稀土永磁电机，热敏灸")
    for term in ("石墨烯", "窄带物联网", "nb-iot", "wi-fi", "5g", "02专项", "稀土永磁", "热敏灸"):
        assert term in tokens, term


def test_full_width_and_case_are_normalised():
    assert words("ＮＢ－ＩｏＴ　模组") == words("nb-iot 模组")
    assert "nb-iot" in words("ＮＢ－ＩｏＴ")


def test_positions_are_sequential_so_phrases_work():
    positions = [t.pos for t in SEG(normalize("基于窄带物联网的远程抄表系统"), positions=True)]  # Token is reused
    assert positions == list(range(len(positions)))
    text = normalize("基于窄带物联网的远程抄表系统")
    for token in SEG(text, positions=True, chars=True):  # offsets point at the word in the text (highlighting)
        assert text[token.startchar : token.endchar].lower() == token.text


def test_punctuation_and_function_words_are_not_tokens():
    assert words("（石墨烯）的，。！") == ["石墨烯"]


def test_subwords_find_words_inside_longer_words():
    sub = SubwordTokenizer(DOMAIN_TERMS)
    assert "人民共和国" in words("中华人民共和国", sub)
    assert "iot" in words("NB-IoT", sub)
    assert "抄表" in words("远程抄表", sub)


def test_lead_words_are_those_that_begin_a_phrase_of_the_title():
    """After the title's start, punctuation, a function word, a preposition or a conjunction; not a word right
    after another content word (the head of a longer term: 共振分析)."""
    lead = LeadTokenizer(DOMAIN_TERMS)
    assert words("基于物联网的智能家居监控系统：设计与实现", lead) == ["基于", "物联网", "智能家居", "设计", "实现"]
    assert "分析" in words("茶多糖的提取及其分析", lead)
    assert "分析" not in words("弦线横向共振分析", lead)


def test_tokenizer_survives_pickling_with_its_dictionary():
    custom = SegmentTokenizer(DOMAIN_TERMS + ("赣南脐橙深加工",))
    restored = pickle.loads(pickle.dumps(custom))
    assert type(restored).__module__ == "marketplace.search.analysis"  # the fixed import path Whoosh pickles
    assert restored == custom
    assert "赣南脐橙深加工" in words("赣南脐橙深加工技术", restored)


def test_dictionary_digest_changes_with_the_terms():
    base = clean_terms(DOMAIN_TERMS)
    assert dictionary_digest(base) == dictionary_digest(tuple(reversed(base)))
    assert dictionary_digest(base) != dictionary_digest(base + ("新词语",))


def test_control_characters_become_spaces():
    assert normalize("石墨\x00烯\u202e") == "石墨 烯 "


def test_synonyms():
    assert "iot" in synonyms_of("物联网")
    assert "稀土" in synonyms_of("rare earth")
    assert synonyms_of("不存在的词") == []
