"""What a listing is called besides its own text: its organisation, city, industry, maturity and programme,
in Chinese and English, as searchable "facts" (indexed in their own field and ranked first when a query names
them), and which facet value a query names exactly (the results page then offers that filter).

English labels come from the English catalogue (translations/en), read directly so that the index is built
the same way with or without a request.
"""

import functools
import re
from pathlib import Path

from babel.support import Translations

from .. import taxonomy
from .analysis import normalize

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

# facet -> vocabulary, for the facets whose labels are searchable
VOCABULARIES = {
    "industry": taxonomy.INDUSTRIES,
    "region": taxonomy.REGIONS,
    "maturity": taxonomy.MATURITIES,
    "source_programme": taxonomy.SOURCE_PROGRAMMES,
    "coop": taxonomy.COOPERATION_MODES,
}
_PARENTHESIS = re.compile(r"\s*[(（][^)）]*[)）]\s*")
_COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
_TRADE_WORDS = ("科技", "技术", "发展", "制造", "产业")
_ACADEMY = "中国科学院"


@functools.lru_cache(maxsize=1)
def _english():
    return Translations.load(str(TRANSLATIONS), ["en"])


def english(msgid):
    """The English label of a Chinese msgid ('' when the catalogue has none)."""
    text = _english().gettext(msgid)
    return text if text != msgid else ""


def _label(value):
    return taxonomy.msgid(value[0] if isinstance(value, tuple) else value)


def label_forms(vocabulary, code):
    """Chinese and English spellings of one code's label, each also without its parenthesis:
    新材料（含钨与稀土） -> 新材料（含钨与稀土）, 新材料, New materials (incl. …), New materials."""
    if code not in vocabulary:
        return []
    zh = _label(vocabulary[code])
    forms = []
    for text in (zh, english(zh)):
        for form in (text, _PARENTHESIS.sub(" ", text).strip()):
            if form and form not in forms:
                forms.append(form)
    return forms


@functools.lru_cache(maxsize=1)
def _facet_index():
    index = {}
    for facet, vocabulary in VOCABULARIES.items():
        for code in vocabulary:
            if code == "other":
                continue
            for form in label_forms(vocabulary, code):
                index.setdefault(_key(form), []).append((facet, code))
    return index


def _key(text):
    return " ".join(normalize(text).casefold().split())


def facet_matches(q):
    """[(facet, code)] whose label the query is exactly (中医药, 景德镇, Jingdezhen, 中试, 国家03专项 ...)."""
    return list(_facet_index().get(_key(q or ""), []))


def org_short_forms(name):
    """Names people use for an organisation besides its full one (no duplicates, the full name first):
    中国科学院赣江创新研究院 -> 中科院赣江创新研究院, 赣江创新研究院; 鹰潭智联物联网科技有限公司 ->
    鹰潭智联物联网科技, 鹰潭智联物联网, 智联物联网科技, 智联物联网; 江西理工大学 -> 江西理工."""
    name = normalize(name or "").strip()
    forms = [name] if name else []

    def add(form):
        if len(form) >= 2 and form not in forms:
            forms.append(form)

    core, company = name, False
    for suffix in _COMPANY_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            core, company = core[: -len(suffix)], True
            break
    if core.startswith(_ACADEMY):
        add("中科院" + core[len(_ACADEMY) :])
        add(core[len(_ACADEMY) :])
    if core.endswith("大学") and len(core) >= 6:
        add(core[:-2])
    add(core)
    if not company:
        return forms
    add(_without_place(core))
    for form in list(forms[1:]):
        for word in _TRADE_WORDS:
            if form.endswith(word):
                add(form[: -len(word)])
    return forms


@functools.lru_cache(maxsize=1)
def _places():
    names = {"江西省", "江西"}
    for code in taxonomy.REGIONS:
        if code != "outside":
            zh = _label(taxonomy.REGIONS[code])
            names.update({zh, zh + "市"})
    return sorted(names, key=len, reverse=True)


def _without_place(form):
    for place in _places():
        if form.startswith(place) and len(form) - len(place) >= 2:
            return form[len(place) :]
    return form


def facts_lines(listing):
    """The facts of a listing, one per line: organisation names (unless a need hides its company) and the
    Chinese and English labels of its city, industry, maturity, programme and cooperation modes."""
    lines = []
    organisation = listing.organisation
    if organisation is not None and not (listing.kind == "need" and listing.hide_org_name):
        lines += org_short_forms(organisation.name)
    for facet, codes in (
        ("region", [listing.region]),
        ("industry", [listing.industry]),
        ("maturity", [listing.maturity]),
        ("source_programme", [listing.source_programme]),
        ("coop", listing.cooperation_modes),
    ):
        for code in codes:
            if code and code != "other":
                lines += label_forms(VOCABULARIES[facet], code)
    return lines


def label_synonym_groups():
    """(Chinese label, English label) of every facet value, whole and without its parenthesis, lower-cased:
    a query in one language finds listings labelled or written in the other."""
    groups = []
    for vocabulary in VOCABULARIES.values():
        for code in vocabulary:
            if code == "other":
                continue
            zh = _label(vocabulary[code])
            en = english(zh)
            if en:
                groups.append((zh.lower(), en.lower()))
                short = (_PARENTHESIS.sub(" ", zh).strip().lower(), _PARENTHESIS.sub(" ", en).strip().lower())
                if short != groups[-1]:
                    groups.append(short)
    return groups
