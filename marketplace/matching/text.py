"""Term extraction tuned for matching: segmented words plus character bigrams.

Pure functions, no app. Segmentation is search's (`search.analysis.new_segmenter`, `add_words`, `segment`:
the same rjieba mode and dictionary-word weight as the index); matching keeps one process-wide segmenter
whose domain words (tags, taxonomy terms) grow with `add_terms`, so that 石墨烯 or 窄带物联网 stay whole in
need texts, and its own stopwords (words that say nothing about a subject when pairing listings).
"""

import re
import threading
import unicodedata

from ..search import analysis

_jieba = analysis.new_segmenter()
_known = set()
_lock = threading.Lock()

CJK = re.compile(r"[\u3400-\u9fff]+")
WORDISH = re.compile(r"[\w\u3400-\u9fff]")

# Words that carry no subject matter in a listing: function words, the phrasing of a need posting and the
# reporting words of an abstract. Kept short and generic on purpose (no domain words here).
STOPWORDS = frozenset(
    """
    的 了 和 与 及 或 在 对 为 是 以 于 中 其 等 并 从 将 把 被 由 该 这 那 此 之 而 也 又 及其 以及
    通过 进行 基于 利用 采用 使用 针对 根据 关于 对于 一种 一个 一些 我们 本文 本研究 研究 分析 探讨
    讨论 提出 结果 结果表明 表明 方法 问题 相关 技术 寻求 希望 掌握 高校 院所 高校院所 企业 合作 需求
    需要 应用 方面 影响 作用 具有 可以 能够 以上 进一步 目前 我国 国内 主要 重要 有效 提高 不同 实现
    研究进展 进展 情况 存在 发展 一定 较 更 最 很 已 已经 可 能 要 会 得到 有 无 不 个 种 上 下 介绍
    综述 探索 思考 对策 建议 现状 展望 回顾 初探 浅析 试论 浅谈 论 作者 年 月 日 后 前 时 新 多 大 小
    高 低
    """.split()
)

# Words of technical writing that name no subject: two listings sharing only these have nothing in common yet.
GENERIC_WORDS = frozenset(
    """
    系统 制备 连续 方法 装置 设备 设计 工艺 性能 控制 检测 测试 优化 处理 生产 开发 改进 新型 结构 自动 过程
    条件 参数 效果 质量 含量 因素 特性 机制 原理 模式 体系 评价 试验 实验 测定 模型 数据 信息 平台 产品 项目
    工程 管理 应用 研制 技术开发 关键技术 装备 材料 方案 手段 功能 效率 成本 用于 包括
    """.split()
)
GENERIC_SHARE = 0.10  # a word on more than this share of a large pool is generic there
GENERIC_MIN_POOL = 200  # below this many documents the share says nothing


def is_generic(word):
    """A stopword or a word of technical writing that names no subject (as a shared word or as a tag)."""
    return word in GENERIC_WORDS or word in STOPWORDS


def is_specific(word, stats):
    """Whether a shared word is evidence of a common subject (not a generic word, not on a large share of the
    pool's documents)."""
    if is_generic(word):
        return False
    return stats.n < GENERIC_MIN_POOL or stats.df.get("w:" + word, 0) <= GENERIC_SHARE * stats.n


def normalize(text):
    """NFKC, lower case, collapsed spaces: the form every comparison uses."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def normalize_tag(tag):
    return normalize(tag).strip(" ,;，；、")


def use_vocabulary(terms):
    """Make the segmenter know exactly these domain words (plus its dictionary): a fresh instance when it knows
    words that are not among them. Building pools calls it, so words of listings that are gone (or, in an
    evaluation, of papers held out of a fold's pool) never shape how a text is cut."""
    global _jieba
    wanted = {t for t in (normalize_tag(t) for t in terms) if 2 <= len(t) <= 20 and " " not in t}
    with _lock:
        if not _known <= wanted:
            _jieba = analysis.new_segmenter()
            _known.clear()
    add_terms(wanted)


def add_terms(terms):
    """Teach the segmenter domain words (tags, taxonomy labels). Idempotent and thread-safe."""
    with _lock:
        for term in terms:
            term = normalize_tag(term)
            if 2 <= len(term) <= 20 and term not in _known and " " not in term:
                analysis.add_words(_jieba, [term])
                _known.add(term)


def words(text):
    """Segmented content words of `text` (normalised), stopwords and punctuation dropped."""
    out = []
    for token, _start, _end in analysis.segment(_jieba, normalize(text)):
        token = token.strip()
        if not token or token in STOPWORDS or not WORDISH.search(token):
            continue
        if len(token) == 1 and CJK.fullmatch(token):
            continue  # single characters are covered by the bigrams
        out.append(token)
    return out


def bigrams(text):
    """Overlapping CJK character bigrams: robust where segmentation splits a term differently."""
    out = []
    for run in CJK.findall(normalize(text)):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def terms(text):
    """Both views of a text, prefixed so that they share one vocabulary: w:<word> and b:<bigram>."""
    return ["w:" + w for w in words(text)] + ["b:" + b for b in bigrams(text)]


def domain_terms():
    """The search feature's shipped domain vocabulary (石墨烯, NB-IoT, 稀土永磁 ...)."""
    return analysis.DOMAIN_TERMS
