"""A score people can read: the matcher's raw score mapped to 0-100, the share of suggestions at that score that
were relevant (grade >= 1) on the labelled csl-dev set under the fold protocol (each need ranked without the paper
it was written from, with and without its category).

The table is fitted by `bench/match_calibrate.py` (isotonic regression over every suggestion of the fold runs,
before the threshold) and checked by `bench/match_ablation.py`, which prints the reliability by score band.
Refit it whenever the ranker's weights change.
"""

from bisect import bisect_right

from flask_babel import lazy_gettext as _l

# (raw score, percent relevant), raw scores increasing; linear in between, flat outside. One table for candidates
# with a discipline (imported with one: the discipline factor adds to their scores) and one for those without
# (fitted on the same set with the disciplines removed, as listings entered on the market's forms).
TABLES = {
    "field": [
        (0.51, 0),
        (0.91, 2),
        (1.11, 3),
        (1.31, 4),
        (1.55, 9),
        (1.91, 22),
        (2.23, 43),
        (2.45, 65),
        (2.58, 71),
        (2.99, 75),
        (3.81, 85),
    ],
    "no_field": [
        (0.42, 3),
        (0.67, 14),
        (0.82, 17),
        (0.91, 19),
        (0.98, 23),
        (1.05, 24),
        (1.11, 25),
        (1.27, 26),
        (1.42, 37),
        (1.77, 46),
        (2.3, 77),
    ],
}

MIN_PERCENT = 30  # below this a pair is not suggested
STRONG_PERCENT = 60  # from here the pair is called 很匹配
WORDS = ((STRONG_PERCENT, _l("很匹配")), (MIN_PERCENT, _l("可能匹配")))


def percent(score, with_field):
    """0-100: the calibrated share of relevant suggestions at this raw score."""
    table = TABLES["field" if with_field else "no_field"]
    i = bisect_right([r for r, _p in table], score)
    if i == 0:
        return table[0][1]
    if i == len(table):
        return table[-1][1]
    (r0, p0), (r1, p1) = table[i - 1], table[i]
    return round(p0 + (p1 - p0) * (score - r0) / (r1 - r0))


def word(value):
    """很匹配 / 可能匹配 for a calibrated percent (None under the threshold)."""
    return next((w for limit, w in WORDS if value >= limit), None)
