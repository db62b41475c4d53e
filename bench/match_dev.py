"""Quick evaluation of the pure ranker on a CSL-format split (no database): with and without category."""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from marketplace.matching import evaluation as ev  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "csl-dev"))
    args = p.parse_args()
    ach = ev.read_jsonl(os.path.join(args.data, "achievements.jsonl"))
    needs = ev.read_jsonl(os.path.join(args.data, "needs.jsonl"))
    qrels = ev.load_qrels(os.path.join(args.data, "qrels.tsv"))
    for hide in (None, ev.seeds(qrels)):
        for drop in (False, True):
            t = time.time()
            run = ev.run_records(ach, needs, drop_category=drop, hide=hide)
            label = ("no-category" if drop else "category") + (" seed-removed" if hide else "")
            print(f"{label:26}", ev.format_metrics(ev.score(qrels, run)), f"({time.time() - t:.1f}s)")


if __name__ == "__main__":
    main()
