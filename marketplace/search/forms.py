"""The search form: read from the query string (GET, no CSRF); unknown codes are ignored, never an error."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import NumberRange, Optional

from .. import taxonomy
from ..listings.filters import FILTERS
from .query import MAX_QUERY_CHARS, clean

SORT_CHOICES = [
    ("relevance", _l("相关度")),
    ("newest", _l("最新发布")),
    ("price_asc", _l("价格从低到高")),
    ("price_desc", _l("价格从高到低")),
]

MAX_PAGE_NUMBER = 10**9  # ?page=99999999999999999999 is read as "far past the end", never an error

# facet -> (query-string argument, vocabulary), from the one table of filters (listings/filters.py)
FACET_ARGS = {f.name: (f.arg, f.vocabulary) for f in FILTERS if f.name != "kind"}


class _LenientMultiple(SelectMultipleField):
    """Keeps only known codes instead of failing the whole search on a stale or forged link."""

    def pre_validate(self, form):
        known = {code for code, _label in self.choices}
        self.data = [code for code in (self.data or []) if code in known]


class _LenientSelect(SelectField):
    def pre_validate(self, form):
        if self.data not in {code for code, _label in self.choices}:
            self.data = self.default


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("关键词"), filters=[lambda v: clean(v or "")[:MAX_QUERY_CHARS]])
    kind = _LenientSelect(_l("类型"), choices=[("", _l("全部"))] + taxonomy.choices(taxonomy.LISTING_KINDS), default="")
    sort = _LenientSelect(_l("排序"), choices=SORT_CHOICES, default="relevance")
    page = IntegerField(_l("页码"), default=1, validators=[Optional(), NumberRange(min=1)])
    industry = _LenientMultiple(_l("行业领域"), choices=taxonomy.choices(taxonomy.INDUSTRIES))
    region = _LenientMultiple(_l("所在地区"), choices=taxonomy.choices(taxonomy.REGIONS))
    maturity = _LenientMultiple(_l("成熟度"), choices=taxonomy.choices(taxonomy.MATURITIES))
    coop = _LenientMultiple(_l("合作方式"), choices=taxonomy.choices(taxonomy.COOPERATION_MODES))
    programme = _LenientMultiple(_l("来源计划"), choices=taxonomy.choices(taxonomy.SOURCE_PROGRAMMES))
    band = _LenientMultiple(_l("价格区间"), choices=taxonomy.choices(taxonomy.PRICE_BANDS))

    def filters(self):
        """{facet: set(codes)} of the selected filters, including the kind tab."""
        selected = {facet: set(getattr(self, arg).data or []) for facet, (arg, _v) in FACET_ARGS.items()}
        if self.kind.data:
            selected["kind"] = {self.kind.data}
        return {facet: codes for facet, codes in selected.items() if codes}

    def page_number(self):
        """The page asked for (1 when unreadable); any page past the end is answered "no results after N"."""
        return min(self.page.data, MAX_PAGE_NUMBER) if self.page.data and not self.page.errors else 1
