"""Offline evaluation of the matcher on a labelled set (CSL format). Pure functions, no app.

The metric formulas are those of the project's reference scorer (shared/eval/score.py), copied as they are:
nDCG@10 with gain 2^grade - 1 and an ideal ranking over all judged pairs of the need; Recall@10 of
grade >= 2; MRR of the first grade >= 2; P@5 of grade >= 1; the need's own seed (grade -1) is dropped.
"""

import collections
import json
import math

from .features import Doc


def load_qrels(path):
    q = collections.defaultdict(dict)
    with open(path, encoding="utf-8") as fh:
        for line in fh.read().splitlines()[1:]:
            n, a, g = line.split("\t")
            q[n][a] = int(g)
    return q


def score(qrels, run, k=10):
    """Mean metrics over the needs in `qrels`; `run` maps need id -> ranked achievement ids."""
    ndcg = rec = mrr = p5 = 0.0
    for need, judged in qrels.items():
        ranked = [a for a in run.get(need, []) if judged.get(a, 0) != -1][:k]
        gains = [judged.get(a, 0) for a in ranked]
        dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
        idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg += dcg / idcg if idcg else 0
        strong = {a for a, g in judged.items() if g >= 2}
        rec += len(strong & set(ranked)) / len(strong) if strong else 0
        mrr += next((1 / (i + 1) for i, a in enumerate(ranked) if judged.get(a, 0) >= 2), 0)
        p5 += sum(1 for g in gains[:5] if g >= 1) / 5
    n = len(qrels)
    return dict(ndcg10=ndcg / n, recall10=rec / n, mrr=mrr / n, p5=p5 / n, needs=n)


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def doc_from_record(rec, drop_category=False):
    """A ranker Doc from one CSL-format record (achievement or need)."""
    kind = rec.get("kind") or "achievement"
    body = rec.get("summary") or rec.get("description") or ""
    return Doc(
        id=rec["external_id"],
        kind=kind,
        title=rec.get("title") or "",
        body=body,
        tags=tuple(rec.get("tags") or ()),
        field=rec.get("field") or None,
        category=None if drop_category else (rec.get("category") or None),
    )


def run_records(
    achievements, needs, limit=10, drop_category=False, hide=None, threshold=True, scored=False, **rank_options
):
    """Rank achievements for every need without any database: {need_id: [achievement ids]} (with `scored`,
    [(id, raw score, factor items)]), through the same suggestion step as the app.

    `hide` (need id -> achievement ids) takes documents out of the pool while that need is ranked: used to
    measure the harder setting where the paper a need was written from is not on the market.
    """
    from . import ranker, suggest, text

    docs = [doc_from_record(r) for r in achievements]
    text.use_vocabulary([*text.domain_terms(), *(t for d in docs for t in d.tags)])
    pool = ranker.Pool(docs)
    by_id = {d.id: d for d in docs}
    out = {}
    for rec in needs:
        need = doc_from_record(rec, drop_category=drop_category)
        hidden = [by_id[i] for i in (hide or {}).get(need.id, ()) if i in pool.profiles]
        for doc in hidden:
            pool.remove(doc.id)
        results = suggest.suggestions(need, pool, limit, threshold=threshold, **rank_options)
        out[need.id] = results if scored else [r[0] for r in results]
        for doc in hidden:
            pool.add(doc)
    return out


def format_metrics(metrics):
    return "  ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())


def folds(achievements, needs, qrels, k=5):
    """The shared fold protocol (shared/eval/folds.py): [(pool, fold needs, fold qrels)] for k folds.

    Fold f holds every k-th need (needs[f::k]); its pool is every achievement but the papers those needs were
    written from (grade -1), and its qrels keep only the achievements in that pool (a need with none left is
    not scored, as the reference scorer reads it from the fold's qrels file).
    """
    seed = {n: a for n, judged in qrels.items() for a, g in judged.items() if g == -1}
    out = []
    for f in range(k):
        fold_needs = needs[f::k]
        hidden = {seed[n["external_id"]] for n in fold_needs if n["external_id"] in seed}
        pool = [a for a in achievements if a["external_id"] not in hidden]
        ids = {a["external_id"] for a in pool}
        fold_qrels = {}
        for n in fold_needs:
            kept = {a: g for a, g in qrels.get(n["external_id"], {}).items() if a in ids}
            if kept:
                fold_qrels[n["external_id"]] = kept
        out.append((pool, fold_needs, fold_qrels))
    return out


def seeds(qrels):
    """need id -> the achievement it was written from (grade -1), for the seed-removed evaluation."""
    return {n: {a for a, g in judged.items() if g == -1} for n, judged in qrels.items()}
