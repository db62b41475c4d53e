"""The search page: query, kind tabs, facets with counts, sorting, pagination, helpful empty state."""
import logging

from flask import current_app, render_template, request

from ..listings.filters import FILTERS
from . import bp, service
from .forms import SORT_CHOICES, SearchForm
from .index import LockTimeout

log = logging.getLogger(__name__)

FACET_VOCABULARIES = {f.name: f.vocabulary for f in FILTERS}


@bp.route("/")
def results():
    """Search published achievements and needs; an empty query browses the newest listings."""
    form = SearchForm(request.args)
    form.validate()
    q = form.q.data or ""
    filters = form.filters()
    try:
        result = service.search(q=q, filters=filters, sort=form.sort.data, page=form.page_number(),
                                per_page=current_app.config["SEARCH_PER_PAGE"])
    except LockTimeout:  # the very first index build is still running in another process
        log.warning("search index not ready")
        return render_template("search/results.html", form=form, result=None, unavailable=True), 503
    hints = service.empty_state_hints(q, filters) if q and result.total == 0 else None
    return render_template(
        "search/results.html",
        form=form,
        result=result,
        hints=hints,
        unavailable=False,
        facet_args={f.name: f.arg for f in FILTERS},
        facet_vocabularies=FACET_VOCABULARIES,
        sort_choices=SORT_CHOICES,
    )
