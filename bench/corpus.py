"""Synthetic listing corpora with a realistic vocabulary (CSL abstracts and titles, recombined).

    records(n, seed=7) -> list of dicts with Listing column names (+ "tags")

Titles come from the 9,000 CSL titles; summaries are 1-3 sentences (about an abstract's length) drawn from
the 1,000 dev abstracts; tags from the dev keywords; facet fields spread over the taxonomy. Deterministic.
"""

import json
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
_SENTENCE = re.compile(r"[^。；;!?！？]+[。；;!?！？]?")


def _vocabulary():
    titles, sentences, tags = [], [], []
    with open(DATA / "csl_dev_achievements.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            titles.append(row["title"])
            sentences += [s.strip() for s in _SENTENCE.findall(row.get("summary", "")) if len(s.strip()) > 8]
            tags += row.get("tags") or []
    with open(DATA / "csl_titles.tsv", encoding="utf-8") as fh:
        next(fh)
        titles += [line.split("\t")[0] for line in fh if line.strip()]
    return titles, sentences, sorted(set(tags))


def records(n, seed=7):
    from marketplace import taxonomy

    rng = random.Random(seed)
    titles, sentences, tags = _vocabulary()
    industries = list(taxonomy.INDUSTRIES)
    regions = list(taxonomy.REGIONS)
    maturities = list(taxonomy.MATURITIES)
    programmes = list(taxonomy.SOURCE_PROGRAMMES)
    start = datetime(2024, 1, 1)
    out = []
    for i in range(n):
        kind = "achievement" if rng.random() < 0.8 else "need"
        title = rng.choice(titles)
        if i >= len(titles):  # recombine beyond the stock of distinct titles
            title = title[:60] + rng.choice(("及其应用", "关键技术", "研究与示范", "产业化", "工艺优化", ""))
        summary = "".join(rng.sample(sentences, rng.randint(1, 3)))
        price = None if rng.random() < 0.25 else round(rng.lognormvariate(4, 1.2), 2)
        rec = dict(
            kind=kind,
            external_id=f"bench-{i}",
            title=title[:200],
            summary=summary,
            description="保密技术方案" if kind == "achievement" else "".join(rng.sample(sentences, 2)),
            industry=rng.choice(industries),
            region=rng.choice(regions),
            status="published",
            price_wan=price,
            price_negotiable=price is None,
            cooperation_mask=rng.randint(1, 31),
            published_at=start + timedelta(minutes=7 * i + rng.randint(0, 6)),
            maturity=rng.choice(maturities) if kind == "achievement" else None,
            source_programme=rng.choice(programmes) if kind == "achievement" else None,
            indicators="".join(rng.sample(sentences, 1)) if kind == "need" else None,
            tags=rng.sample(tags, rng.randint(2, 5)),
        )
        out.append(rec)
    return out


def queries(count=60, seed=11):
    """Fixed 1-4 word queries: keywords of one paper (as a user looking for that topic types them)."""
    rng = random.Random(seed)
    rows = [json.loads(line) for line in open(DATA / "csl_dev_achievements.jsonl", encoding="utf-8")]
    out = []
    while len(out) < count:
        words = [t for t in rng.choice(rows).get("tags") or [] if 2 <= len(t) <= 8]
        if words:
            out.append(" ".join(words[: rng.randint(1, min(4, len(words)))]))
    return out
