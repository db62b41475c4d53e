"""The demo catalogue as plain data: which records become listings, with which attributes.

No database here. Every listing's attributes are drawn from a random generator seeded by its own
external id, so the catalogue is the same on every machine and does not change when records are added.
"""

import json
import random
import zlib
from datetime import timedelta
from pathlib import Path

from .. import taxonomy
from ..listings.tags import MAX_TAG_LENGTH, normalise_tag, unique_tags
from ..transfer.disciplines import industry_for

DATA_DIR = Path(__file__).resolve().parent / "data"
EXTERNAL_PREFIX = "demo-"

# Every 25th achievement / 12th need (at these offsets) is not published, so that the moderation
# queue and the workspaces have something in them.
ACHIEVEMENT_STATUS_SLOTS = {3: "submitted", 11: "draft", 19: "submitted", 23: "rejected"}
NEED_STATUS_SLOTS = {2: "submitted", 7: "draft"}
REJECTION_REASON = "成果简介过于笼统，请补充技术指标和应用案例后重新提交。"

PRICES_WAN = (3, 5, 8, 12, 20, 30, 45, 60, 80, 120, 150, 200, 300, 450, 600, 1000)
PROGRAMME_WEIGHTS = {
    "nsfc": 25,
    "provincial_nsf": 20,
    "national_key_rd": 15,
    "provincial_major": 15,
    "enterprise_rd": 5,
    "other": 5,
}
# Priority programmes are more likely in their own industries (02: sensors and ICs, 03: mobile networks).
PROGRAMME_BY_INDUSTRY = {"sensors_ic": "national_02", "mobile_iot": "national_03", "electronics": "national_03"}
MATURITY_TRL = {"lab": (2, 3), "pilot_small": (4, 5), "pilot": (6, 7), "industrial": (8, 9)}


def read_json(name):
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


def read_jsonl(name):
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def rng_for(external_id):
    return random.Random(zlib.crc32(external_id.encode("utf-8")))


def _weighted(rng, weights):
    codes = list(weights)
    return rng.choices(codes, weights=[weights[c] for c in codes])[0]


def _tags(names, limit=6):
    return unique_tags(normalise_tag(name)[:MAX_TAG_LENGTH] for name in names)[:limit]


def _price(rng, negotiable_share=0.2):
    if rng.random() < negotiable_share:
        return None, True
    return rng.choice(PRICES_WAN), False


def _modes(rng):
    codes = list(taxonomy.COOPERATION_MODES)
    return rng.sample(codes, rng.randint(1, 3))


def _programme_fields(rng, industry, year):
    programme = PROGRAMME_BY_INDUSTRY.get(industry) if rng.random() < 0.4 else None
    programme = programme or _weighted(rng, PROGRAMME_WEIGHTS)
    numbers = {
        "national_02": f"{year}ZX02{rng.randint(100, 999)}",
        "national_03": f"{year}ZX03{rng.randint(1000000, 9999999)}",
        "national_key_rd": f"{year}YF{rng.choice('ABCD')}{rng.randint(1000000, 9999999)}",
        "nsfc": f"{rng.choice('5678')}{rng.randint(1000000, 9999999)}",
        "provincial_major": f"{year}{rng.randint(1, 2)}ABC{rng.randint(10000, 99999)}",
        "provincial_nsf": f"{year}{rng.randint(1, 2)}BAB{rng.randint(100000, 999999)}",
    }
    return {
        "source_programme": programme,
        "project_number": numbers.get(programme),
        "acceptance_status": "accepted" if rng.random() < 0.7 else "in_progress",
    }


def _ip_fields(rng, industry, year):
    if industry in ("big_data", "ai", "vr") and rng.random() < 0.6:
        return {
            "ip_type": "software_copyright",
            "ip_numbers": f"{year}SR{rng.randint(100000, 1999999):07d}",
            "ip_status": "registered",
        }
    if industry == "agriculture" and rng.random() < 0.3:
        return {
            "ip_type": "new_plant_variety",
            "ip_numbers": f"CNA{year}{rng.randint(1000, 9999)}.{rng.randint(1, 9)}",
            "ip_status": "granted",
        }
    ip_type = _weighted(rng, {"invention_patent": 60, "utility_model": 25, "trade_secret": 15})
    if ip_type == "trade_secret":
        return {"ip_type": ip_type, "ip_numbers": None, "ip_status": "not_applicable"}
    granted = rng.random() < 0.75
    kind = "1" if ip_type == "invention_patent" else "2"
    number = f"{year}{kind}{rng.randint(0, 9999999):07d}.{rng.randint(0, 9)}"
    return {
        "ip_type": ip_type,
        "ip_numbers": ("ZL" if granted else "CN") + number,
        "ip_status": "granted" if granted else "filed",
    }


def _achievement_fields(rng, industry):
    year = rng.randint(2015, 2022)
    maturity = _weighted(rng, {"lab": 15, "pilot_small": 25, "pilot": 30, "industrial": 30})
    price, negotiable = _price(rng)
    fields = {
        "maturity": maturity,
        "trl": rng.randint(*MATURITY_TRL[maturity]),
        "price_wan": price,
        "price_negotiable": negotiable,
        "cooperation_modes": _modes(rng),
    }
    fields.update(_programme_fields(rng, industry, year))
    fields.update(_ip_fields(rng, industry, year))
    return fields


def _need_fields(rng):
    price, negotiable = _price(rng, negotiable_share=0.25)
    return {
        "price_wan": price,
        "price_negotiable": negotiable,
        "cooperation_modes": _modes(rng),
        "min_maturity": rng.choice([None, "pilot_small", "pilot", "industrial"]),
        "deadline_days": rng.randint(30, 240),
        "hide_org_name": rng.random() < 0.1,
    }


def achievement_specs():
    """Achievement specs: the hand-written flagship records first, then the CSL selection."""
    specs = []
    for record in read_json("flagship.json"):
        if record["kind"] != "achievement":
            continue
        spec = {
            key: record.get(key)
            for key in (
                "title",
                "summary",
                "description",
                "industry",
                "maturity",
                "trl",
                "ip_type",
                "ip_numbers",
                "ip_status",
                "source_programme",
                "project_number",
                "acceptance_status",
            )
        }
        spec.update(
            external_id=f"{EXTERNAL_PREFIX}{record['key']}",
            org=record["org"],
            status="published",
            flagship=True,
            tags=_tags(record["tags"]),
            price_wan=record.get("price_wan"),
            price_negotiable=bool(record.get("price_negotiable")),
            cooperation_modes=record["modes"],
        )
        specs.append(spec)
    for index, record in enumerate(read_jsonl("achievements.jsonl")):
        industry = industry_for(record["field"], record.get("category"), record["title"])
        if industry is None:
            continue
        external_id = f"{EXTERNAL_PREFIX}csl-{record['external_id']}"
        spec = _achievement_fields(rng_for(external_id), industry)
        spec.update(
            external_id=external_id,
            title=record["title"][:200],
            summary=record["summary"],
            description="详细技术资料（工艺参数、实验数据与图纸）在签署保密协议后提供。",
            industry=industry,
            tags=_tags(record.get("tags", ())),
            status=ACHIEVEMENT_STATUS_SLOTS.get(index % 25, "published"),
        )
        specs.append(spec)
    return specs


def need_specs(tag_vocabulary):
    """Need specs; their tags are derived from the title and text (known tags first), never from the paper."""
    from .industries import derive_need_tags

    specs = []
    for record in read_json("flagship.json"):
        if record["kind"] != "need":
            continue
        specs.append(
            {
                "external_id": f"{EXTERNAL_PREFIX}{record['key']}",
                "org": record["org"],
                "status": "published",
                "flagship": True,
                "title": record["title"],
                "summary": record["summary"],
                "indicators": record.get("indicators"),
                "industry": record["industry"],
                "tags": _tags(record["tags"]),
                "price_wan": record.get("budget_wan"),
                "price_negotiable": bool(record.get("budget_negotiable")),
                "cooperation_modes": record["modes"],
                "min_maturity": record.get("min_maturity"),
                "deadline_days": record.get("deadline_days"),
                "hide_org_name": False,
            }
        )
    for index, record in enumerate(read_jsonl("needs.jsonl")):
        industry = industry_for(record.get("field"), record.get("category"), record["title"])
        if industry is None:
            continue
        external_id = f"{EXTERNAL_PREFIX}csl-{record['external_id']}"
        spec = _need_fields(rng_for(external_id))
        spec.update(
            external_id=external_id,
            title=record["title"][:200],
            summary=record["description"],
            industry=industry,
            status=NEED_STATUS_SLOTS.get(index % 12, "published"),
            tags=_tags(derive_need_tags(record["title"], record["description"], tag_vocabulary)),
        )
        specs.append(spec)
    return specs


def timeline(rng, now, status, recent=False):
    """created/submitted/published times spread over the last four months (flagship records: the last week)."""
    days = rng.randint(0, 6) if recent else rng.randint(7, 120)
    published = now - timedelta(days=days, hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
    submitted = published - timedelta(days=rng.randint(1, 5))
    created = submitted - timedelta(days=rng.randint(0, 10))
    return {
        "created_at": created,
        "submitted_at": submitted if status != "draft" else None,
        "published_at": published if status == "published" else None,
        "updated_at": published if status == "published" else submitted,
    }
