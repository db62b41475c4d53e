"""The one table of listing filters: name, URL argument, vocabulary, the kinds that have it.

Browsing (one code per filter), the search form and its facets (several codes per filter), saved searches and
their display all read this table, so a filter added here appears everywhere with the same URL argument.
`name` is the facet and index field (search/schema.py); `arg` is what URLs and forms carry.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .. import taxonomy

BOTH = ("achievement", "need")


@dataclass(frozen=True)
class Filter:
    name: str  # facet / index field name
    arg: str  # URL and form argument
    vocabulary: dict  # code -> label (taxonomy)
    kinds: tuple  # listing kinds that have this filter
    label: object  # lazy Chinese label
    need_label: object = None  # label on needs' pages when it differs (price -> budget)

    def label_for(self, kind=None):
        return self.need_label if kind == "need" and self.need_label is not None else self.label

    def applies_to(self, kind):
        return kind is None or kind in self.kinds

    def listing_codes(self, listing):
        """The codes a listing has for this filter (a set: cooperation modes are several)."""
        if self.name == "coop":
            return set(listing.cooperation_modes)
        value = listing.price_band if self.name == "price_band" else getattr(listing, self.name, None)
        return {value} if value else set()


FILTERS = (
    Filter("kind", "kind", taxonomy.LISTING_KINDS, BOTH, _l("类型")),
    Filter("industry", "industry", taxonomy.INDUSTRIES, BOTH, _l("行业")),
    Filter("region", "region", taxonomy.REGIONS, BOTH, _l("地区")),
    Filter("maturity", "maturity", taxonomy.MATURITIES, ("achievement",), _l("成熟度")),
    Filter("coop", "coop", taxonomy.COOPERATION_MODES, BOTH, _l("合作方式")),
    Filter("source_programme", "programme", taxonomy.SOURCE_PROGRAMMES, ("achievement",), _l("来源计划")),
    Filter("price_band", "band", taxonomy.PRICE_BANDS, BOTH, _l("价格区间"), need_label=_l("预算区间")),
)
BY_NAME = {f.name: f for f in FILTERS}
BY_ARG = {f.arg: f for f in FILTERS}
# Older URL arguments still understood (browse links used `mode`; saved searches stored field names).
ALIASES = {"mode": "coop", "source_programme": "programme", "price_band": "band"}


def _codes(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def read(args, kind=None, skip=()):
    """{arg: [codes]} of the known filters in `args` (request.args/form or a dict); unknown codes are dropped.

    Multi-dicts give every value of an argument; plain dicts may hold a code or a list of codes.
    """
    out = {}
    for key in list(args.keys()):
        f = BY_ARG.get(ALIASES.get(key, key))
        if f is None or f.arg in skip or not f.applies_to(kind):
            continue
        raw = args.getlist(key) if hasattr(args, "getlist") else _codes(args.get(key))
        codes = [c.strip() for c in raw if c and c.strip() in f.vocabulary]
        for code in codes:
            if code.strip() not in out.setdefault(f.arg, []):
                out[f.arg].append(code.strip())
    return {arg: codes for arg, codes in out.items() if codes}


def matches(listing, selected):
    """Whether a listing passes the selected filters {arg: [codes]} (OR within a filter, AND across)."""
    for arg, codes in read(selected).items():
        if not BY_ARG[arg].listing_codes(listing) & set(codes):
            return False
    return True


def labels(selected):
    """[(filter, code, label)] of the selected filters, in the table's order."""
    chosen = read(selected)
    return [(f, code, taxonomy.label(f.vocabulary, code)) for f in FILTERS for code in chosen.get(f.arg, [])]


def describe(query, selected, separator=" · "):
    """A saved search in words: "导热 · 科技成果 · 新材料"."""
    parts = [query] if query else []
    return separator.join(parts + [str(text) for _f, _code, text in labels(selected)])


def for_kind(kind):
    """The filters a browse page of this kind offers (the kind itself is the page)."""
    return [f for f in FILTERS if f.name != "kind" and kind in f.kinds]
