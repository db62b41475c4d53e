"""What the ranker knows about a listing, independent of the database: a plain record and its term profile."""

import math
from collections import Counter
from dataclasses import dataclass, field

from . import text as textmod


@dataclass(slots=True)
class Doc:
    """A listing as the ranker sees it. Product fields are optional: the CSL data has none of them."""

    id: object
    kind: str  # achievement | need
    title: str
    body: str = ""
    tags: tuple = ()
    category: str | None = None  # coarse group: a CSL category, or the listing's industry in the market
    field: str | None = None  # fine group: a CSL discipline (None for market listings)
    industry: str | None = None
    region: str | None = None
    maturity: str | None = None  # achievements
    min_maturity: str | None = None  # needs
    cooperation_mask: int = 0
    price_wan: float | None = None  # achievements: asking price; needs: budget
    price_negotiable: bool = False
    published_at: object = None  # datetime or None
    owner_id: object = None
    organisation_id: object = None


@dataclass
class Profile:
    """Terms of a document, computed once."""

    doc: Doc
    tf: Counter
    length: int
    tags: tuple  # normalised tag names
    norm_text: str  # normalised title + body, for tag-in-text matching
    extra: dict = field(default_factory=dict)


def profile(doc, title_weight=2):
    """Term frequencies of title (counted `title_weight` times, words and bigrams), body (words) and tags."""
    tags = tuple(dict.fromkeys(t for t in (textmod.normalize_tag(t) for t in doc.tags) if t))
    tf = Counter()
    title_terms = textmod.terms(doc.title)
    for _ in range(title_weight):
        tf.update(title_terms)
    # Bigrams of the title and tags catch differently segmented terms; body bigrams added little on csl-dev
    # and were two thirds of all postings, so the body counts by words only.
    tf.update("w:" + w for w in textmod.words(doc.body))
    for tag in tags:
        tf.update(textmod.terms(tag))
    return Profile(
        doc=doc, tf=tf, length=sum(tf.values()), tags=tags, norm_text=textmod.normalize(doc.title + " " + doc.body)
    )


class Stats:
    """Document frequencies of terms and tags over a pool of documents (the side being searched)."""

    def __init__(self):
        self.n = 0
        self.total_length = 0
        self.df = Counter()
        self.tag_df = Counter()

    def add(self, prof, sign=1):
        self.n += sign
        self.total_length += sign * prof.length
        for term in prof.tf:
            self.df[term] += sign
        for tag in prof.tags:
            self.tag_df[tag] += sign

    @property
    def avg_length(self):
        return self.total_length / self.n if self.n else 1.0

    def idf(self, term):
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def tag_idf(self, tag):
        df = self.tag_df.get(tag, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))


def key_terms(prof, stats, limit=8):
    """The most specific words of a document (TF-IDF over the other side's pool): candidate query and tags."""
    scored = []
    for term, tf in prof.tf.items():
        if not term.startswith("w:") or len(term) < 4:  # words of two or more characters
            continue
        scored.append((tf**0.5 * stats.idf(term), term[2:]))
    scored.sort(reverse=True)
    return [t for _, t in scored[:limit]]


def tags_in_text(prof_tags, norm_text, min_len=2):
    """The document's tags that occur literally in another document's normalised text."""
    return [t for t in prof_tags if len(t) >= min_len and t in norm_text]
