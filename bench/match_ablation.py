"""Ablation of the matcher on csl-dev: each factor removed in turn, with and without the need's category.

    .venv/bin/python bench/match_ablation.py [--data ../shared/data/csl-dev] [--seed-removed]

Prints a Markdown table of nDCG@10 / Recall@10 / MRR. `--seed-removed` adds the harder setting where the
paper each need was written from is taken out of the pool (no pseudo-feedback from the need's own source).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from marketplace.matching import evaluation as ev  # noqa: E402

CONFIGS = [
    ("full matcher", {}),
    ("- text (BM25 words+bigrams)", {"disabled": ("text",)}),
    ("- tags found in need text", {"disabled": ("tags",)}),
    ("- feedback tags (PRF)", {"disabled": ("prf_tags",)}),
    ("- field (inferred discipline)", {"disabled": ("field",)}),
    ("- category agreement", {"disabled": ("category",)}),
    ("text only (BM25 words+bigrams)", {"disabled": ("tags", "prf_tags", "field", "category")}),
]


def main():
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "csl-dev")
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=default)
    p.add_argument("--seed-removed", action="store_true")
    args = p.parse_args()
    ach = ev.read_jsonl(os.path.join(args.data, "achievements.jsonl"))
    needs = ev.read_jsonl(os.path.join(args.data, "needs.jsonl"))
    qrels = ev.load_qrels(os.path.join(args.data, "qrels.tsv"))
    settings = [("with category", False, None), ("category removed", True, None)]
    if args.seed_removed:
        hide = ev.seeds(qrels)
        settings += [("with category, seed removed", False, hide), ("no category, seed removed", True, hide)]
    print("| configuration | " + " | ".join(s[0] + " nDCG/R@10/MRR" for s in settings) + " |")
    print("|---|" + "---|" * len(settings))
    for name, options in CONFIGS:
        cells = []
        for _label, drop, hide in settings:
            m = ev.score(qrels, ev.run_records(ach, needs, drop_category=drop, hide=hide, **options))
            cells.append(f"{m['ndcg10']:.3f} / {m['recall10']:.3f} / {m['mrr']:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
