"""Ablation of the matcher on csl-dev under the fold protocol, and the calibration of its score.

    .venv/bin/python bench/match_ablation.py [--data ../shared/data/csl-dev]

Prints a Markdown table of nDCG@10 / Recall@10 / MRR with each factor removed in turn, with and without the
need's category; every need is ranked over the pool without the papers of its fold's needs
(shared/eval/folds.py), through the same suggestion step as the app (evidence rule; the score threshold in the
first row). Then the reliability of the shipped calibration (marketplace/matching/calibration.py) by score
band, for candidates with and without a discipline: the stated 0-100 score against the share of those
suggestions that were relevant (grade >= 1).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from match_calibrate import fold_pairs, reliability  # noqa: E402

from marketplace.matching import calibration  # noqa: E402
from marketplace.matching import evaluation as ev  # noqa: E402

CONFIGS = [  # without the score threshold (removing a factor shifts the scores it was calibrated on), but one row
    ("full matcher as served (evidence rule + threshold)", {"threshold": True}),
    ("full matcher", {}),
    ("- text (BM25 words+bigrams)", {"disabled": ("text",)}),
    ("- tags found in need text", {"disabled": ("tags",)}),
    ("- feedback tags (PRF)", {"disabled": ("prf_tags",)}),
    ("- field (inferred discipline)", {"disabled": ("field",)}),
    ("- category agreement", {"disabled": ("category",)}),
    ("text only (BM25 words+bigrams)", {"disabled": ("tags", "prf_tags", "field", "category")}),
]


def fold_score(folds, drop, options):
    run, judged = {}, {}
    for pool, needs, qrels in folds:
        run.update(ev.run_records(pool, needs, drop_category=drop, **dict({"threshold": False}, **options)))
        judged.update(qrels)
    return ev.score(judged, run)


def main():
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "csl-dev")
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=default)
    args = p.parse_args()
    ach = ev.read_jsonl(os.path.join(args.data, "achievements.jsonl"))
    needs = ev.read_jsonl(os.path.join(args.data, "needs.jsonl"))
    folds = ev.folds(ach, needs, ev.load_qrels(os.path.join(args.data, "qrels.tsv")), 5)
    settings = [("with category", False), ("category removed", True)]
    print("| configuration (5 folds) | " + " | ".join(s[0] + " nDCG/R@10/MRR" for s in settings) + " |")
    print("|---|" + "---|" * len(settings))
    for name, options in CONFIGS:
        cells = []
        for _label, drop in settings:
            m = fold_score(folds, drop, options)
            cells.append(f"{m['ndcg10']:.3f} / {m['recall10']:.3f} / {m['mrr']:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    for key, with_field in (("candidates with a discipline", True), ("candidates without one", False)):
        pairs = fold_pairs(args.data, with_field)
        print(
            f"\nCalibration, {key} (top 20 per need, 5 folds, with and without category, before the threshold "
            f"of {calibration.MIN_PERCENT}):"
        )
        print("| stated score | suggestions | mean stated | observed relevant (grade >= 1) |\n|---|---|---|---|")
        for band, n, stated, observed in reliability(pairs, lambda s, f=with_field: calibration.percent(s, f)):
            print(f"| {band} | {n} | {stated:.0f} | {observed:.0f} |")


if __name__ == "__main__":
    main()
