"""The search box: from untrusted user text to a Whoosh query we build ourselves.

No Whoosh query parser is exposed to users, so field syntax, wildcards, fuzzy terms and ranges do not exist
and cannot be abused. Input is capped, NFKC-normalised and stripped of control characters; "quoted text"
becomes a phrase; other words are ANDed (the caller can fall back to OR when AND finds nothing).
"""

import functools
import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from whoosh import query as wq

from .analysis import _CJK, DOMAIN_TERMS, SYNONYMS, SegmentTokenizer, normalize, synonyms_of
from .analysis import STOP_WORDS as ANALYSIS_STOP_WORDS

MAX_QUERY_CHARS = 200
MAX_CLAUSES = 8
JOIN_SPAN = 3  # at most this many query words joined into one word the index has (see _joined)
PHRASE_BOOST = 2.0  # a typed word found with its parts side by side
# times the fields' index boosts; "lead": a word that begins a phrase of the title (analysis.LeadTokenizer) adds a
# third of a title match (nDCG@10 on csl-dev/search: boost 1.5 0.7805, 3 0.7820, 6 0.7783, none 0.7773)
QUERY_BOOSTS = {"title": 3.0, "body": 1.0, "sub": 0.5, "tags": 1.0, "facts": 2.0, "lead": 3.0}
ALL_FIELDS = frozenset(("title", "body", "sub", "tags", "facts", "lead"))
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"', "«": '"', "»": '"'})
_PHRASE = re.compile(r'"([^"]*)"')
_SPLIT = re.compile(r"[\s,;:!?()\[\]{}<>|/\\'\"`~^*&%$#@=+，。；：！？、（）【】《》〈〉…·]+")
STOP_WORDS = frozenset("a an the of and or not in on for to with".split()) | ANALYSIS_STOP_WORDS


@dataclass(frozen=True)
class Clause:
    text: str
    phrase: bool = False


def _normalised(raw):
    text = normalize(str(raw)[: MAX_QUERY_CHARS * 2])  # bound the work before normalising
    return " ".join(text.translate(_QUOTES).split())


@functools.lru_cache(maxsize=1)
def _boundary_tokenizer():
    return SegmentTokenizer(DOMAIN_TERMS)


def _cut(text, limit):
    """`text` shortened to at most `limit` characters at a word boundary: the last space, else the end of the
    last whole word the segmenter sees (石墨烯 is never cut to 石墨)."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit + 1)
    if space >= limit // 2:
        return text[:space].rstrip()
    ends = [end for _w, _s, end in _boundary_tokenizer().words(text[: limit + 20]) if end <= limit]
    return text[: max(ends)] if ends else text[:limit]


def clean(raw):
    """The user's text made safe to work on: at most MAX_QUERY_CHARS (cut at a word boundary), NFKC, no
    control characters."""
    if not raw:
        return ""
    return _cut(_normalised(raw), MAX_QUERY_CHARS)


def was_shortened(raw):
    """Whether clean() had to shorten this text."""
    return bool(raw) and len(_normalised(raw)) > MAX_QUERY_CHARS


def parse(raw):
    """Clauses of a query string: quoted phrases and plain words. An empty list means an empty query."""
    text = clean(raw)
    clauses = []
    rest = []
    last = 0
    for match in _PHRASE.finditer(text):
        rest.append(text[last : match.start()])
        last = match.end()
        inner = match.group(1).strip()
        if inner and any(ch.isalnum() for ch in inner):
            clauses.append(Clause(inner.lower(), phrase=True))
    rest.append(text[last:])
    plain = " ".join(rest).replace('"', " ").lower()
    for term in SYNONYMS.multiword():
        pattern = r"\b" + re.escape(term) + r"\b"
        if re.search(pattern, plain):
            clauses.append(Clause(term))
            plain = re.sub(pattern, " ", plain)
    for chunk in _SPLIT.split(plain):
        if chunk and any(ch.isalnum() for ch in chunk) and chunk not in STOP_WORDS:
            clauses.append(Clause(chunk))
    seen, unique = set(), []
    for clause in clauses:
        if clause not in seen:
            seen.add(clause)
            unique.append(clause)
    return unique[:MAX_CLAUSES]


def _sequence(fieldname, words, boost=1.0):
    if not words:
        return None
    if len(words) == 1:
        return wq.Term(fieldname, words[0], boost=boost)
    return wq.Phrase(fieldname, list(words), boost=boost)


def _text_query(text, tokenizer, fields=ALL_FIELDS, indexed=None):
    """One word or phrase across the segmented fields, the sub-word field, the tags and the facts; a text that is
    one word of the index also among the title's phrase-initial words (lead: only adds to the score, as every such
    listing has the word in its title).

    `indexed(word)` (optional): whether listings have the word as one word of their title or text, which they
    may although the segmenter cuts it apart when it stands alone in a query (小波: 小 波 alone, whole in 小波去噪).
    """
    words = [w.lower() for w, _s, _e in tokenizer.words(text)]
    if not words:
        return None
    whole = len(words) > 1 and " " not in text and indexed is not None and indexed(text.lower())
    lead = text.lower() if whole else (words[0] if len(words) == 1 else None)
    parts = [
        _sequence("title", words, QUERY_BOOSTS["title"]),
        _sequence("body", words, QUERY_BOOSTS["body"]),
        wq.Term("title", text.lower(), boost=QUERY_BOOSTS["title"]) if whole else None,
        wq.Term("body", text.lower(), boost=QUERY_BOOSTS["body"]) if whole else None,
        wq.Term("sub", text, boost=QUERY_BOOSTS["sub"]) if " " not in text else None,
        wq.Term("tags", text, boost=QUERY_BOOSTS["tags"]) if len(text) <= 40 else None,
        _sequence("facts", words, QUERY_BOOSTS["facts"]) if "facts" in fields else None,
        wq.Term("lead", lead, boost=QUERY_BOOSTS["lead"]) if lead and "lead" in fields else None,
    ]
    parts = [p for p in parts if p is not None]
    return wq.Or(parts) if len(parts) > 1 else (parts[0] if parts else None)


def _alternatives(queries):
    queries = [q for q in queries if q is not None]
    if not queries:
        return None
    return wq.Or(queries) if len(queries) > 1 else queries[0]


def _with_synonyms(text, tokenizer, fields=ALL_FIELDS, indexed=None):
    return _alternatives(_text_query(t, tokenizer, fields, indexed) for t in [text] + synonyms_of(text))


def _in_facts(text, tokenizer):
    """A word (or its synonyms) among a listing's facts: its organisation, city, industry ... labels."""
    return _alternatives(
        _sequence("facts", [w.lower() for w, _s, _e in tokenizer.words(t)]) for t in [text] + synonyms_of(text)
    )


@dataclass
class BuiltQuery:
    all_terms: object  # Whoosh query: every word required
    any_terms: object  # Whoosh query: any word (fallback)
    highlight_terms: tuple  # surface strings to mark in snippets
    words: tuple = ()  # one Whoosh query per required word (its fields and synonyms as alternatives)
    bonus: object = None  # Whoosh query that only adds to the score: a typed word's parts side by side
    typed: tuple = ()  # one Whoosh query per typed word (every part of it)
    facts: object = None  # Whoosh query: every word among a listing's facts (its organisation, city ...)
    parts: tuple = ()  # Whoosh queries: the parts of typed compound words (有限元 of 有限元法), in a listing's own text
    own_words: tuple = ()  # Whoosh queries: each word, in a listing's own text (not its facts)

    def scoring(self, query):
        """`query` with the phrase bonus (documents that write 质量控制 together before 质量 … 控制)."""
        return query if self.bonus is None else wq.AndMaybe(query, self.bonus)


def _pieces(word, tokenizer, known):
    """The indexed words a query word is made of, when the word itself occurs in no listing (桥梁工程 ->
    桥梁 工程): documents write compound terms apart as often as together."""
    if known is None or len(word) < 3 or known(word):
        return [word]
    pieces = [p.lower() for p in tokenizer.split(word) if p.strip()]
    pieces = [p for p in pieces if p not in STOP_WORDS]
    if len(pieces) < 2 or not all(known(p) for p in pieces):
        return [word]
    return pieces


def _loose_parts(word, tokenizer, known):
    """The indexed parts of a Chinese word of three or more characters (有限元法 -> 有限元; 桥梁工程 -> 桥梁, 工程):
    listings that write only part of a compound term come after those having the whole of it."""
    if known is None or len(word) < 3 or not _CJK.search(word):
        return []
    return [p for p in (p.lower() for p in tokenizer.split(word)) if len(p) >= 2 and p not in STOP_WORDS and known(p)]


def _partial_words(words):
    """The words of one typed word that alone make a partial match: not a lone Chinese character split off a
    longer word (法 of 有限元法, rare as a word of its own and so weighted far above 有限元)."""
    longer = [w for w in words if len(w) > 1 or not _CJK.match(w)]
    return longer or words


def _lone(word):
    return len(word) == 1 and _CJK.match(word) is not None


def _joined(words, indexed):
    """`words` with lone Chinese characters joined to their neighbours into the longest word (of at most
    JOIN_SPAN words) that listings have as one word: alone, a short query gives the segmenter no context, so it
    may cut 小波变换 into 小 波 变换 where documents have 小波 (小波去噪)."""
    if indexed is None or not any(_lone(w) for w in words):
        return words
    out, i = [], 0
    while i < len(words):
        end = next(
            (
                j
                for j in range(min(len(words), i + JOIN_SPAN), i + 1, -1)
                if any(_lone(w) for w in words[i:j]) and indexed("".join(words[i:j]))
            ),
            i + 1,
        )
        out.append("".join(words[i:end]))
        i = end
    return out


def _clause_words(clause, tokenizer, known, indexed=None):
    if clause.phrase or synonyms_of(clause.text):
        return [clause.text]
    words = [w.lower() for w, _s, _e in tokenizer.words(clause.text)]
    words = _joined([w for w in words if w not in STOP_WORDS] or words, indexed)
    return [piece for word in words for piece in _pieces(word, tokenizer, known)]


def build(clauses, tokenizer, known=None, fields=ALL_FIELDS, indexed=None):
    """Whoosh queries for parsed clauses, or None for an empty query. `tokenizer` is the index's own;
    `known(word)` (optional) says whether a word occurs in the index (whole or inside a longer word);
    `indexed(word)` (optional) whether it occurs as a word of its own; `fields`: the index's text fields."""
    required, highlight, bonus, typed, facts, loose, partial = [], set(), [], [], [], [], []
    for clause in clauses:
        words = _clause_words(clause, tokenizer, known, indexed)
        queries = [q for q in (_with_synonyms(word, tokenizer, fields, indexed) for word in words) if q is not None]
        if not queries:
            continue
        required += queries
        typed.append(queries[0] if len(queries) == 1 else wq.And(queries))
        partial += _partial_words(words)
        if not clause.phrase:
            loose += [p for word in words for p in _loose_parts(word, tokenizer, known)][:MAX_CLAUSES]
        highlight.update(words)
        highlight.update(s for word in words for s in synonyms_of(word))
        for sequence in dict.fromkeys((tuple(words), tuple(_clause_words(clause, tokenizer, known)))):
            if len(sequence) > 1:  # the words side by side, as joined and as the segmenter cut them
                bonus += [wq.Phrase(name, list(sequence), boost=PHRASE_BOOST) for name in ("title", "body")]
        if "facts" in fields:
            facts += [q for q in (_in_facts(clause.text, tokenizer),) if q is not None]
    if not required:
        return None
    required = required[: MAX_CLAUSES * 2]
    own_text = fields - {"facts"}
    return BuiltQuery(
        all_terms=required[0] if len(required) == 1 else wq.And(required),
        any_terms=required[0] if len(required) == 1 else wq.Or(required),
        highlight_terms=tuple(highlight),
        words=tuple(required),
        bonus=wq.Or(bonus[:MAX_CLAUSES]) if bonus else None,
        typed=tuple(typed),
        facts=(facts[0] if len(facts) == 1 else wq.And(facts)) if len(facts) == len(typed) else None,
        parts=tuple(_text_query(p, tokenizer, own_text) for p in dict.fromkeys(loose) if p not in partial)
        if len(typed) == 1
        else (),
        own_words=tuple(_with_synonyms(w, tokenizer, own_text, indexed) for w in dict.fromkeys(partial)),
    )


def _marker(terms):
    terms = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def highlight(text, terms, width=None):
    """Escaped HTML of `text` (or its best window of `width` characters) with query terms in <mark>."""
    text = text or ""
    marker = _marker(terms)
    matches = list(marker.finditer(text)) if marker else []
    start, end = 0, len(text)
    if width and len(text) > width:
        best, best_count = 0, -1
        for m in matches or [None]:
            begin = max(0, (m.start() if m else 0) - width // 5)
            count = sum(1 for n in matches if begin <= n.start() and n.end() <= begin + width)
            if count > best_count:
                best, best_count = begin, count
        start, end = best, min(len(text), best + width)
    out = [Markup("…")] if start > 0 else []
    pos = start
    for m in matches:
        if m.start() < pos or m.end() > end:
            continue
        out.append(escape(text[pos : m.start()]))
        out.append(Markup("<mark>%s</mark>") % text[m.start() : m.end()])
        pos = m.end()
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)
