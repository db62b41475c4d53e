"""The search page: query, kind tabs, facets with counts, sorting, pagination, helpful empty state."""

import logging

from flask import current_app, render_template, request

from ..listings.filters import FILTERS
from . import bp, labels, services
from .forms import FACET_ARGS, SORT_CHOICES, SearchForm
from .index import LockTimeout
from .query import was_shortened

log = logging.getLogger(__name__)

FACET_VOCABULARIES = {f.name: f.vocabulary for f in FILTERS}
HEADING_CHARS = 30  # a longer query is shown shortened in the heading and the page title


def _short(q):
    return q if len(q) <= HEADING_CHARS else q[:HEADING_CHARS] + "…"


def _facet_offers(q, filters):
    """Filters the query names exactly (景德镇 -> 所在地区：景德镇) that are not applied yet: (facet, arg, code)."""
    args = {facet: arg for facet, (arg, _v) in FACET_ARGS.items()}
    return [
        (facet, args[facet], code)
        for facet, code in labels.facet_matches(q)
        if facet in args and code not in filters.get(facet, ())
    ]


@bp.route("/")
def results():
    """Search published achievements and needs; an empty query browses the newest listings."""
    form = SearchForm(request.args)
    form.validate()
    q = form.q.data or ""
    shortened = was_shortened(request.args.get("q", ""))  # the form's field keeps only MAX_QUERY_CHARS
    if shortened:  # every link of the page carries the query as searched, not 40,000 characters again
        request.url_with_args = {"q": [q]}
    filters = form.filters()
    try:
        result = services.search(
            q=q,
            filters=filters,
            sort=form.sort.data,
            page=form.page_number(),
            per_page=current_app.config["SEARCH_PER_PAGE"],
        )
    except LockTimeout:  # the very first index build is still running in another process
        log.warning("search index not ready")
        return render_template(
            "search/results.html", form=form, result=None, unavailable=True, q_short=_short(q), shortened=False
        ), 503
    no_results = q and result.total == 0 and not result.no_words
    hints = services.empty_state_hints(q, filters) if no_results else None
    suggestion = services.did_you_mean(q) if q and not result.no_words and not result.full_total else None
    return render_template(
        "search/results.html",
        form=form,
        result=result,
        hints=hints,
        did_you_mean=suggestion,
        unavailable=False,
        q_short=_short(q),
        shortened=shortened,
        facet_offers=_facet_offers(q, filters) if q else [],
        facet_args={f.name: f.arg for f in FILTERS},
        facet_vocabularies=FACET_VOCABULARIES,
        sort_choices=SORT_CHOICES,
    )
