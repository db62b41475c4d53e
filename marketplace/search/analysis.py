"""Chinese text analysis for the search index.

Whoosh pickles the analyzers into the index, so the classes here must stay at this import path
(`marketplace.search.analysis`). Each pickled tokenizer carries its own domain dictionary (the word list and
its digest), so an index always segments queries exactly the way it segmented its documents.

Two views of the same text are indexed:
- `SegmentTokenizer`: rjieba words with sequential positions (quoted phrases work), domain terms and
  mixed-script words (NB-IoT, Wi-Fi, 5G) kept whole, case-folded;
- `SubwordTokenizer`: the dictionary words inside each long word, for recall when the query is part of a
  word of the document (人民共和国 in 中华人民共和国, iot in NB-IoT). A field of all character bigrams did the
  same job but tripled the postings per document and cut the indexing rate to under 100 listings/s.

Text must be NFKC-normalised before it reaches the tokenizers (`normalize`), so that character offsets
stay valid for highlighting.
"""

import hashlib
import re
import threading
import unicodedata
from pathlib import Path

import rjieba
from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

ANALYZER_VERSION = "3"  # part of the dictionary digest: a new version rebuilds the index on deploy

# Shipped domain vocabulary: kept whole by the segmenter. Taxonomy labels and tags are added at build time.
DOMAIN_TERMS = (
    "石墨烯",
    "氧化石墨烯",
    "物联网",
    "移动物联网",
    "窄带物联网",
    "NB-IoT",
    "LoRa",
    "5G",
    "4G",
    "Wi-Fi",
    "02专项",
    "03专项",
    "稀土",
    "稀土永磁",
    "永磁材料",
    "热敏灸",
    "远程抄表",
    "智能电表",
    "锂电池",
    "锂离子电池",
    "钨",
    "硬质合金",
    "光伏",
    "新能源汽车",
    "人工智能",
    "机器学习",
    "深度学习",
    "大数据",
    "云计算",
    "区块链",
    "虚拟现实",
    "增强现实",
    "VR",
    "AR",
    "集成电路",
    "传感器",
    "芯片",
    "半导体",
    "LED",
    "OLED",
    "硅衬底",
    "中医药",
    "中药材",
    "生物医药",
    "医疗器械",
    "纳米材料",
    "复合材料",
    "高分子材料",
    "陶瓷材料",
    "航空发动机",
    "无人机",
    "轨道交通",
    "智能制造",
    "工业互联网",
    "机器人",
    "数控机床",
    "节能环保",
    "污水处理",
    "土壤修复",
    "固废处理",
    "现代农业",
    "脐橙",
    "油茶",
    "富硒",
    "有机肥",
    "食品加工",
    "储能",
    "氢能",
    "燃料电池",
    "技术转让",
    "技术许可",
    "作价入股",
    "合作开发",
    "技术服务",
    "科技成果",
    "技术需求",
    "中试",
    "小试",
    "产业化",
)

# Query-time synonyms: the bilingual glossary (one data file) plus the taxonomy's Chinese/English labels.
GLOSSARY = Path(__file__).resolve().parent / "data" / "glossary.tsv"


def read_glossary(path=GLOSSARY):
    """[(terms of one group)] of a glossary file: Chinese terms TAB English terms, "|" between terms."""
    groups = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            terms = [
                normalize(t).strip().lower() for column in line.rstrip("\n").split("\t") for t in column.split("|")
            ]
            terms = list(dict.fromkeys(t for t in terms if t))
            if len(terms) > 1:
                groups.append(tuple(terms))
    return groups


def merge_groups(groups):
    """Groups that share a term become one group (中医药|中药 + 中医药|Traditional Chinese medicine)."""
    merged = []
    for group in groups:
        group = set(group)
        for other in [m for m in merged if m & group]:
            group |= other
            merged.remove(other)
        merged.append(group)
    return [tuple(sorted(g)) for g in merged]


class Synonyms:
    """term -> the other terms of its group; built on first use (the taxonomy's labels need the catalogue)."""

    def __init__(self):
        self._by_term = None
        self._lock = threading.Lock()

    def groups(self):
        from .labels import label_synonym_groups  # labels imports this module

        return merge_groups(read_glossary() + label_synonym_groups())

    def by_term(self):
        if self._by_term is None:
            with self._lock:
                if self._by_term is None:
                    self._by_term = {t: [o for o in group if o != t] for group in self.groups() for t in group}
        return self._by_term

    def multiword(self):
        """Terms with a space (rare earth), longest first: the query parser keeps them together."""
        return sorted((t for t in self.by_term() if " " in t), key=len, reverse=True)

    def chinese_terms(self):
        """The glossary's Chinese terms: the index dictionary keeps them whole."""
        return [t for t in self.by_term() if _CJK.search(t) and " " not in t]


SYNONYMS = Synonyms()


# Function words dropped at index and query time alike (so phrase positions still agree).
STOP_WORDS = frozenset("的 了 和 与 及 或 在 是 对 等 之 其 为 以 于 由 被 把 将 并 而 也 都 从 到 中 上 下 个".split())

_CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_LATIN = re.compile(r"[0-9a-z]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[0-9a-z]+(?:[-_.+][0-9a-z]+)*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def normalize(text):
    """NFKC, control characters turned into spaces. Offsets of the result are what the tokenizers report."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    spaced = text.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    if spaced.isprintable():  # fast path: no other Cc/Cf/Cs/Co/Cn character (NFKC made spaces plain)
        return spaced
    if any(unicodedata.category(ch) in _CONTROL_CATEGORIES for ch in text):
        text = "".join(" " if unicodedata.category(ch) in _CONTROL_CATEGORIES else ch for ch in text)
    return text


_ALNUM = re.compile(r"[^\W_]")


def _is_word(text):
    """A token worth indexing: contains a letter, digit or CJK character (not punctuation or space)."""
    return _ALNUM.search(text) is not None


_KEEP = {}  # word -> whether it is indexed (not a function word, not punctuation); words repeat a lot
_CACHE_MAX = 200_000


def _keep(word):
    keep = _KEEP.get(word)
    if keep is None:
        if len(_KEEP) >= _CACHE_MAX:
            _KEEP.clear()
        keep = _KEEP[word] = word not in STOP_WORDS and _is_word(word)
    return keep


def dictionary_digest(terms):
    payload = ANALYZER_VERSION + "\n" + "\n".join(sorted(set(terms)))
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]


def clean_terms(terms):
    """Normalised, de-duplicated dictionary words (2-30 characters, no spaces)."""
    out = set()
    for term in terms:
        term = normalize(str(term)).strip()
        if 2 <= len(term) <= 30 and not any(ch.isspace() for ch in term) and _is_word(term):
            out.add(term)
    return tuple(sorted(out))


DOMAIN_WORD_FREQ = 200000  # rjieba frequency of a dictionary word: high enough that it stays whole


def new_segmenter(terms=()):
    """A fresh rjieba instance knowing `terms` (clean_terms output) besides its stock dictionary. Search keeps
    one per dictionary digest (`_segmenter`); matching grows its own word by word (`add_words`)."""
    seg = rjieba.Jieba()
    add_words(seg, terms)
    return seg


def add_words(seg, terms):
    """Teach `seg` dictionary words, each also in lower case (documents are case-folded after segmenting)."""
    for term in terms:
        seg.add_word(term, DOMAIN_WORD_FREQ, "n")
        if term.lower() != term:
            seg.add_word(term.lower(), DOMAIN_WORD_FREQ, "n")


def segment(seg, text):
    """(word, start, end) of every token of `text` as the index cuts it (rjieba default mode, HMM on)."""
    return seg.tokenize(text, "default", True)


_segmenters = {}
_segmenters_lock = threading.Lock()


def _segmenter(digest, terms):
    """One rjieba instance per dictionary (at most a few live: the index and a rebuild in progress)."""
    seg = _segmenters.get(digest)
    if seg is not None:
        return seg
    with _segmenters_lock:
        seg = _segmenters.get(digest)
        if seg is None:
            seg = new_segmenter(terms)
            if len(_segmenters) >= 3:
                _segmenters.pop(next(iter(_segmenters)))
            _segmenters[digest] = seg
    return seg


_memos = {}  # digest -> {text: words}: the sub-word field segments the lines the title and body fields just did
_piece_caches = {}  # digest -> {word: sub-words}


def _memo(digest):
    memo = _memos.get(digest)
    if memo is None:
        memo = _memos.setdefault(digest, {})
    return memo


def _pieces_cache(digest):
    cache = _piece_caches.get(digest)
    if cache is None or len(cache) >= _CACHE_MAX:
        cache = _piece_caches[digest] = {}
    return cache


class SegmentTokenizer(Tokenizer):
    """rjieba words, punctuation dropped, positions numbered 0, 1, 2 ... over the kept words."""

    def __init__(self, terms=()):
        self.terms = clean_terms(terms)
        self.digest = dictionary_digest(self.terms)

    def __eq__(self, other):
        return type(other) is type(self) and other.digest == self.digest

    def __hash__(self):
        return hash(self.digest)

    def words(self, text):
        """(word, start, end) triples of a normalised text, punctuation and function words dropped.

        Segmented line by line (the segmenter never joins words across a line break), each line memoised:
        the sub-word field then reuses the lines the title and body fields have just segmented.
        """
        if "\n" not in text:
            return self._line_words(text)
        out = []
        base = 0
        for line in text.split("\n"):
            if base:
                out.extend((w, base + s, base + e) for w, s, e in self._line_words(line))
            else:
                out.extend(self._line_words(line))
            base += len(line) + 1
        return out

    def _line_words(self, text):
        memo = _memo(self.digest)
        out = memo.get(text)
        if out is None:
            seg = _segmenter(self.digest, self.terms)
            keep = _KEEP.get
            out = [(w, s, e) for w, s, e in segment(seg, text) if keep(w) or _keep(w)]
            if len(memo) >= 64:
                memo.clear()
            memo[text] = out
        return out

    def split(self, word):
        """The longest proper parts of one word in the stock dictionary (桥梁工程 -> 桥梁, 工程)."""
        parts = {p for p in rjieba.cut_for_search(word) if p != word and _is_word(p)}
        return [p for p in parts if not any(p != q and p in q for q in parts)]

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for pos, (word, start, end) in enumerate(self.words(value)):
            token.text = word.lower()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class SubwordTokenizer(SegmentTokenizer):
    """Dictionary words inside each long word (中华人民共和国 -> 人民共和国, 共和国, 人民 ...) and the parts of
    hyphenated Latin words (nb-iot -> nb, iot), so a query for part of a word still finds it."""

    def words(self, text):
        cache = _pieces_cache(self.digest)
        out = []
        for word, start, end in super().words(text):
            pieces = cache.get(word)
            if pieces is None:
                pieces = cache[word] = self._pieces(word)
            if pieces:
                out.extend((piece, start, end) for piece in pieces)
        return out

    def _pieces(self, word):
        """The sub-words of one word (a tuple, empty for most words)."""
        if 3 <= len(word) <= 12 and _CJK.match(word):
            seg = _segmenter(self.digest, self.terms)
            pieces = {
                word[i:j]
                for i in range(len(word))
                for j in range(i + 2, len(word) + 1)
                if j - i < len(word) and seg.has_word(word[i:j])
            }
            pieces.update(p for p in rjieba.cut(word) if len(p) >= 2 and p != word)  # the stock split
            return tuple(sorted(pieces))
        if _LATIN.match(word.lower()) and any(ch in word for ch in "-_.+"):
            return tuple(piece for piece in re.split(r"[-_.+]", word) if len(piece) >= 2)
        return ()


# Parts of speech after which a word begins a phrase: prepositions (基于, 关于), conjunctions (及其, 与) and
# particles (的); jieba's tags.
_PHRASE_OPENERS = ("p", "c", "u")
_opens = {}  # word -> whether a word after it begins a phrase


class LeadTokenizer(SegmentTokenizer):
    """The words that begin a phrase of a title: its first word and each word after punctuation, a function
    word or a preposition, conjunction or particle (碱溶性茶多糖的提取及其**分析**, not 横向共振分析).

    Chinese puts the modifier before the head, so a word right after another content word is usually the head of
    a longer term (共振分析 is a kind of 分析): a title is about 共振分析, not about 分析 in general. Measured on
    csl-dev/search single-keyword queries: a query word that begins a phrase of the title is one of the record's
    own keywords in 29 % of such titles; elsewhere in the title, 7 %."""

    def words(self, text):
        seg = _segmenter(self.digest, self.terms)
        out, base = [], 0
        for line in text.split("\n"):
            opener = True
            for word, start, end in segment(seg, line):
                if _keep(word):
                    if opener:
                        out.append((word, base + start, base + end))
                    opener = _opens_phrase(seg, word)
                else:
                    opener = True
            base += len(line) + 1
        return out


def _opens_phrase(seg, word):
    """Whether a (kept) word is a preposition, conjunction or particle: the word after it begins a phrase."""
    opens = _opens.get(word)
    if opens is None:
        if len(_opens) >= _CACHE_MAX:
            _opens.clear()
        tags = seg.tag(word, False)
        opens = _opens[word] = len(tags) == 1 and tags[0][1].startswith(_PHRASE_OPENERS)
    return opens


_SINGLE_POSITIONS = {}  # position -> Positions encoding of [position]


class SegmentPositions(Positions):
    """Positions format with a fast path for our tokenizers (no Token objects per word when indexing)."""

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(analyzer, SegmentTokenizer):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        poses = {}
        for pos, (word, _s, _e) in enumerate(analyzer.words(value)):
            poses.setdefault(word.lower(), []).append(pos)
        boost = self.field_boost
        single = _SINGLE_POSITIONS
        for word, poslist in poses.items():
            if len(poslist) == 1:  # most words occur once: their encoding depends on the position alone
                pos = poslist[0]
                value = single.get(pos)
                if value is None:
                    value = self.encode(poslist)
                    if pos < 100_000:
                        single[pos] = value
                yield word, 1, boost, value
            else:
                yield word, len(poslist), len(poslist) * boost, self.encode(poslist)


class SegmentFrequency(Frequency):
    """Frequency format with the same fast path (for the sub-word field, which needs no positions)."""

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(analyzer, SegmentTokenizer):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        freqs = {}
        for word, _s, _e in analyzer.words(value):
            word = word.lower()
            freqs[word] = freqs.get(word, 0) + 1
        boost = self.field_boost
        for word, freq in freqs.items():
            yield word, freq, freq * boost, pack_uint(freq)


def bigrams(text):
    """(gram, start, end) for a lower-cased text: CJK runs as overlapping bigrams (a lone character as
    itself), Latin/digit words whole."""
    out = []
    for match in _WORD.finditer(text.lower()):
        word, start = match.group(), match.start()
        if _CJK.match(word):
            if len(word) == 1:
                out.append((word, start, start + 1))
            else:
                out.extend((word[i : i + 2], start + i, start + i + 2) for i in range(len(word) - 1))
        else:
            out.append((word, start, match.end()))
    return out


def synonyms_of(term):
    """Other spellings of a term in the glossary (either language), [] when it has none."""
    return list(SYNONYMS.by_term().get(term.lower(), ()))
