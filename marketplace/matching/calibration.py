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
        (0.59, 0),
        (0.99, 2),
        (1.2, 4),
        (1.39, 6),
        (1.62, 9),
        (1.97, 27),
        (2.27, 47),
        (2.48, 65),
        (2.6, 70),
        (2.99, 74),
        (3.79, 85),
    ],
    "no_field": [
        (0.51, 5),
        (0.73, 15),
        (0.87, 17),
        (0.95, 22),
        (1.02, 23),
        (1.21, 24),
        (1.3, 27),
        (1.43, 38),
        (1.77, 46),
        (2.3, 76),
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
