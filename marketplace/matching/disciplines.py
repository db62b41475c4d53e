"""Which discipline a text belongs to, learnt from the pool's own documents that carry one. Pure, no app.

A naive Bayes model over the presence of words, title/tag bigrams and the characters of words (鱼, 桥, 纺 say much
about a discipline even in a word no document shares): one count per (discipline, feature) over the pooled
documents with a discipline, kept in step as documents enter and leave the pool. The ranker mixes its posterior
with the vote of the best text matches (ranker.feed_back): the vote reads a few close neighbours, the model the
whole vocabulary of each discipline. Built only from the pool: a query's own paper, never in its pool under the
evaluation protocol, cannot teach it anything.
"""

import math
from array import array
from collections import Counter, defaultdict

ALPHA = 0.03  # additive smoothing per feature (small: most features of a query are unseen in most disciplines)


def features(terms):
    """The model's features of a pooled term set ("w:<word>", "b:<bigram>"): the terms and the CJK characters of
    the words, each once."""
    out = set()
    for term in terms:
        if term.startswith("w:"):
            out.add(term)
            out.update("c:" + ch for ch in term[2:] if "\u3400" <= ch <= "\u9fff")
        elif term.startswith("b:"):
            out.add(term)
    return out


class DisciplineModel:
    """Counts of features by discipline over the documents of a pool that carry a discipline."""

    def __init__(self):
        # feature -> array of (discipline number, documents with it) pairs: at 100k listings with a discipline, a
        # Counter per feature took 72 MB, these pairs about a fifth of that
        self.by_feature = {}
        self.numbers = {}  # discipline -> its number in by_feature's pairs
        self.names = []  # number -> discipline
        self.totals = Counter()  # discipline -> sum of its counts
        self.docs = Counter()  # discipline -> documents
        self.categories = defaultdict(Counter)  # discipline -> category -> documents

    def add(self, discipline, category, terms, sign=1):
        """Count (sign 1) or uncount (sign -1) one document's terms under its discipline."""
        feats = features(terms)
        number = self.numbers.get(discipline)
        if number is None:
            number = self.numbers[discipline] = len(self.names)
            self.names.append(discipline)
        for f in feats:
            pairs = self.by_feature.get(f)
            if pairs is None:
                pairs = self.by_feature[f] = array("I")
            for i in range(0, len(pairs), 2):
                if pairs[i] == number:
                    count = pairs[i + 1] + sign
                    if count > 0:
                        pairs[i + 1] = count
                    else:
                        del pairs[i : i + 2]
                    break
            else:
                if sign > 0:
                    pairs.extend((number, sign))
            if not pairs:
                del self.by_feature[f]
        self.totals[discipline] += sign * len(feats)
        self.docs[discipline] += sign
        self.categories[discipline][category] += sign
        if self.docs[discipline] <= 0:
            for table in (self.totals, self.docs, self.categories):
                table.pop(discipline, None)

    def distribution(self, terms, category=None):
        """{discipline: posterior} for a query's terms; only disciplines seen with `category` when one is given
        (all of them when none is). {} when the pool has no document with a discipline."""
        fields = [d for d in self.docs if category is None or self.categories[d].get(category, 0) > 0]
        fields = fields or list(self.docs)
        if not fields:
            return {}
        feats = [self.by_feature[f] for f in features(terms) if f in self.by_feature]
        smoothing = ALPHA * len(self.by_feature)
        # every feature unseen in a discipline costs log(ALPHA / denominator); the seen ones add what they gain
        scores = {
            d: math.log(self.docs[d]) + len(feats) * (math.log(ALPHA) - math.log(self.totals[d] + smoothing))
            for d in fields
        }
        names = self.names
        for pairs in feats:
            for i in range(0, len(pairs), 2):
                d = names[pairs[i]]
                if d in scores:
                    scores[d] += math.log((pairs[i + 1] + ALPHA) / ALPHA)
        top = max(scores.values())
        weights = {d: math.exp(s - top) for d, s in scores.items()}
        total = sum(weights.values())
        return {d: w / total for d, w in weights.items()}
