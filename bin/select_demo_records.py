#!/usr/bin/env python3
"""Copy a selection of CSL development records into marketplace/demo/data/ (run by hand, once).

    .venv/bin/python bin/select_demo_records.py /path/to/csl-dev

Keeps records whose discipline maps onto one of the market's industries, at most PER_INDUSTRY of each,
skipping review-style papers. Needs carry no discipline, so each gets the one of the paper it was
written from (grade -1 in qrels.tsv). The app never reads the source folder at run time.
"""
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.demo.industries import industry_for  # noqa: E402

PER_INDUSTRY = {"achievement": 8, "need": 5}
REVIEW_WORDS = ("综述", "进展", "回顾", "展望", "浅谈", "浅析", "探析", "思考", "现状", "概述", "述评")
OUT = Path(__file__).resolve().parent.parent / "marketplace" / "demo" / "data"


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _select(records, kind):
    taken = collections.Counter()
    chosen = []
    for record in records:
        industry = industry_for(record.get("field"), record["title"])
        if industry is None or any(word in record["title"] for word in REVIEW_WORDS):
            continue
        if taken[industry] >= PER_INDUSTRY[kind]:
            continue
        taken[industry] += 1
        chosen.append(record)
    return chosen, taken


def main(source):
    source = Path(source)
    achievements = _read(source / "achievements.jsonl")
    field_of = {r["external_id"]: r["field"] for r in achievements}
    paper_of = {}
    for line in (source / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[2].strip() == "-1":
            paper_of[parts[0]] = parts[1]
    needs = _read(source / "needs.jsonl")
    for need in needs:
        need["field"] = field_of.get(paper_of.get(need["external_id"]))

    for kind, records, name in (("achievement", achievements, "achievements.jsonl"), ("need", needs, "needs.jsonl")):
        chosen, taken = _select(records, kind)
        with open(OUT / name, "w", encoding="utf-8") as fh:
            for record in chosen:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"{name}: {len(chosen)} records", dict(taken))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/csl-dev")
