"""How far matching could go under its own rules: Recall@10 / nDCG@10 on csl-dev (fold protocol) if every need's
candidates were ordered perfectly (issue 10).

    .venv/bin/python bench/match_bounds.py --data ../shared/data/csl-dev [--no-category]

Every candidate of every need (the pool without the need's own paper, as `flask match evaluate --folds 5` ranks
it) is scored as the app scores it, explained, checked against the evidence rule (suggest.has_specific_evidence:
no pair on generic words alone) and the threshold (calibration.MIN_PERCENT). Then the top 10 are taken in these
orders:
- served: the rule, the threshold, the ranker's order (what users see; equals `flask match evaluate`)
- perfect order, rule + threshold: strongly relevant pairs (grade >= 2) first, among those the rule and threshold keep
- perfect order, rule only: the same without the threshold
- ranker's order, no rule: every candidate (pairs on generic words alone included)
- perfect order, no rule: every candidate
A bound under the target means the target cannot be met without giving up the rule (or the threshold).
"""

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def candidates(data, drop_category):
    """[(need id, candidate id, score, passes the rule, percent)] over the 5 folds."""
    from marketplace.matching import calibration, evaluation, explain, ranker, suggest, text

    achievements = evaluation.read_jsonl(data / "achievements.jsonl")
    needs = evaluation.read_jsonl(data / "needs.jsonl")
    qrels = evaluation.load_qrels(data / "qrels.tsv")
    rows, judged = [], {}
    for pool_records, fold_needs, fold_qrels in evaluation.folds(achievements, needs, qrels, 5):
        judged.update(fold_qrels)
        docs = [evaluation.doc_from_record(r) for r in pool_records]
        text.use_vocabulary([*text.domain_terms(), *(t for d in docs for t in d.tags)])
        pool = ranker.Pool(docs)
        for record in fold_needs:
            need = evaluation.doc_from_record(record, drop_category=drop_category)
            words = suggest.query_words(need, pool.stats)
            for m in ranker.rank(need, pool, limit=5000):
                entry = pool.profiles[m.doc_id]
                items = explain.factor_items(m, need, entry.doc, cand_terms=pool.terms_of(m.doc_id), query_words=words)
                rows.append(
                    (
                        need.id,
                        m.doc_id,
                        m.score,
                        suggest.has_specific_evidence(items, pool.stats),
                        calibration.percent(m.score, bool(entry.doc.field)),
                    )
                )
    return rows, judged


def top10(rows, judged, keep, perfect):
    by_need = defaultdict(list)
    for row in rows:
        if keep(row):
            by_need[row[0]].append(row)
    run = {}
    for need, found in by_need.items():
        grade = judged.get(need, {})
        found.sort(key=lambda r: ((-(grade.get(r[1], 0) >= 2)) if perfect else 0, -r[2]))
        run[need] = [r[1] for r in found[:10]]
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "csl-dev"))
    parser.add_argument("--no-category", action="store_true", help="rank the needs without their category")
    args = parser.parse_args(argv)
    from marketplace.matching import calibration, evaluation

    rows, judged = candidates(Path(args.data), args.no_category)
    rule_and_threshold = lambda r: r[3] and r[4] >= calibration.MIN_PERCENT  # noqa: E731
    orders = (
        ("served (rule, threshold, ranker's order)", rule_and_threshold, False),
        ("perfect order, rule + threshold", rule_and_threshold, True),
        ("perfect order, rule only", lambda r: r[3], True),
        ("ranker's order, no rule, no threshold", lambda r: True, False),
        ("perfect order, no rule, no threshold", lambda r: True, True),
    )
    print(f"csl-dev, 5 folds, {'without' if args.no_category else 'with'} category; {len(rows):,} candidates")
    for name, keep, perfect in orders:
        metrics = evaluation.score(judged, top10(rows, judged, keep, perfect))
        print(f"  {name:<42} {evaluation.format_metrics(metrics)}")


if __name__ == "__main__":
    main()
