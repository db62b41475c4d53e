"""Fit the calibration table of the matcher's score (marketplace/matching/calibration.py) on csl-dev.

    .venv/bin/python bench/match_calibrate.py [--data ../shared/data/csl-dev]

Runs the fold protocol (each need ranked without its own paper), with and without the need's category, keeps
every suggestion a listing would store (top 20 of `suggest.suggestions(threshold=False)`: the evidence rule
applied, the threshold not), and fits an isotonic (monotone) regression of "relevant" (grade >= 1) on the raw
score. Prints the TABLES (candidates with and without a discipline) to paste into calibration.py, then the
reliability of the shipped tables by score band.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from marketplace.matching import calibration  # noqa: E402
from marketplace.matching import evaluation as ev  # noqa: E402

KEPT = 20


def fold_pairs(data, with_field=True):
    """[(raw score, relevant)] of every suggestion over the 5 folds, with and without category; without
    `with_field` the achievements carry no discipline (as listings entered on the market's forms)."""
    ach = ev.read_jsonl(os.path.join(data, "achievements.jsonl"))
    if not with_field:
        ach = [{k: v for k, v in a.items() if k != "field"} for a in ach]
    needs = ev.read_jsonl(os.path.join(data, "needs.jsonl"))
    qrels = ev.load_qrels(os.path.join(data, "qrels.tsv"))
    pairs = []
    for drop in (False, True):
        for pool, fold_needs, fold_qrels in ev.folds(ach, needs, qrels, 5):
            run = ev.run_records(pool, fold_needs, limit=KEPT, drop_category=drop, threshold=False, scored=True)
            for need_id, results in run.items():
                judged = fold_qrels.get(need_id, {})
                pairs.extend((r[1], judged.get(r[0], 0) >= 1) for r in results)
    return pairs


def isotonic(pairs):
    """Pool-adjacent-violators: [(score, fitted share)] non-decreasing in score, one block per run of equals."""
    blocks = []  # [sum, count, last score]
    for score, rel in sorted(pairs):
        blocks.append([float(rel), 1, score])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c, last = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
            blocks[-1][2] = last
    return blocks


def table(pairs, points=12):
    """The fitted curve in `points` bins of equal size: [(median raw score, mean fitted percent)], increasing."""
    fitted = []  # the fitted share of each pair, in score order
    for s, c, _last in isotonic(pairs):
        fitted.extend([s / c] * c)
    scores = sorted(score for score, _r in pairs)
    size = len(scores) / points
    out = []
    for k in range(points):
        lo, hi = round(k * size), round((k + 1) * size)
        raw, pct = round(scores[(lo + hi) // 2], 2), round(100 * sum(fitted[lo:hi]) / (hi - lo))
        if not out or (pct > out[-1][1] and raw > out[-1][0]):
            out.append((raw, pct))
    return out


def reliability(pairs, percent):
    """[(band, count, mean stated percent, observed percent)] by bands of 10 points of the stated score."""
    bands = {}
    for score, rel in pairs:
        p = percent(score)
        b = min(p // 10, 9)
        n, stated, hits = bands.get(b, (0, 0, 0))
        bands[b] = (n + 1, stated + p, hits + rel)
    return [
        (f"{b * 10}-{b * 10 + 9 if b < 9 else 100}", n, stated / n, 100 * hits / n)
        for b, (n, stated, hits) in sorted(bands.items())
    ]


def main():
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "csl-dev")
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=default)
    args = p.parse_args()
    for key, with_field in (("field", True), ("no_field", False)):
        pairs = fold_pairs(args.data, with_field)
        print(f"{key}: {len(pairs)} suggestions, {sum(r for _s, r in pairs) / len(pairs):.1%} relevant")
        print(f'TABLES["{key}"] = ' + repr(table(pairs)))
        print("| stated score | suggestions | mean stated | observed relevant (grade >= 1) |\n|---|---|---|---|")
        for band, n, stated, observed in reliability(pairs, lambda s, f=with_field: calibration.percent(s, f)):
            print(f"| {band} | {n} | {stated:.0f} | {observed:.0f} |")


if __name__ == "__main__":
    main()
