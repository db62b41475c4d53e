"""Views of the matching feature: suggestions pages, dismissals, the operators' board, tag suggestions."""

import logging
import unicodedata

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.validation import safe_next_url
from ..extensions import db
from ..listings.access import load_own_listing, load_visible_listing
from ..operators.decorators import operator_required
from . import alerts, bp, calibration, explain, services
from .forms import DISMISS_LABELS, DismissForm, SavedSearchForm
from .models import Follow, SavedSearch, Suggestion

log = logging.getLogger(__name__)

MAX_TAG_TEXT = 5000


@bp.app_context_processor
def _matching_helpers():
    """`match_suggestions(listing)` for the listing page's suggestions partial."""

    def match_suggestions(listing, limit=services.SUGGESTIONS_KEPT):
        if not current_user.is_authenticated or listing.owner_id != current_user.id:
            return []
        return services.suggestions_for(listing, current_user, limit=limit)  # default: every one kept

    def match_saved_searches():
        return (
            db.session.execute(
                db.select(SavedSearch).filter_by(user_id=current_user.id).order_by(SavedSearch.id.desc())
            )
            .scalars()
            .all()
        )

    def match_follows():
        return (
            db.session.execute(db.select(Follow).filter_by(user_id=current_user.id).order_by(Follow.id.desc()))
            .scalars()
            .all()
        )

    def match_following(listing):
        return (
            current_user.is_authenticated
            and db.session.execute(
                db.select(Follow.id).filter_by(user_id=current_user.id, listing_id=listing.id)
            ).first()
            is not None
        )

    return {
        "match_suggestions": match_suggestions,
        "match_explain": explain.split,
        "match_word": calibration.word,
        "match_strong": calibration.STRONG_PERCENT,
        "match_hints": services.improvement_hints,
        "dismiss_reasons": DISMISS_LABELS,
        "match_following": match_following,
        "match_saved_searches": match_saved_searches,
        "match_follows": match_follows,
    }


@bp.route("/")
@login_required
def index():
    """Suggestions across the current user's published listings."""
    page, groups = services.suggestions_for_user(current_user, page=request.args.get("page", 1, type=int))
    return render_template("matching/index.html", groups=groups, page=page)


@bp.route("/listings/<int:listing_id>/dismiss", methods=["POST"])
@login_required
def dismiss(listing_id):
    """Dismiss one suggestion of the user's listing with a reason; it does not come back."""
    listing = load_own_listing(listing_id)
    form = DismissForm()
    target = safe_next_url(request.form.get("next")) or url_for(
        "listings.detail", kind=listing.kind, listing_id=listing.id
    )
    if not form.validate():
        flash(
            _("无法忽略该推荐：%(errors)s", errors="；".join(str(e) for errs in form.errors.values() for e in errs)),
            "danger",
        )
        return redirect(target)
    exists = db.session.execute(
        db.select(Suggestion.id).filter_by(listing_id=listing.id, candidate_id=form.candidate_id.data)
    ).first()
    if exists is None:
        abort(404)
    services.dismiss(current_user, listing, form.candidate_id.data, form.reason.data, form.note.data or None)
    db.session.commit()
    flash(_("已忽略该推荐，今后不再显示。"), "success")
    return redirect(target)


@bp.route("/board")
@operator_required
def board():
    """Operators: the strongest published pairs nobody dismissed, to broker (assign, contacted, not a fit,
    introduce), with filters and pages; dismissal reasons summarised."""
    from ..inquiries import board as inquiry_board
    from ..inquiries.services import brokers

    filters = inquiry_board.read_filters(request.args)
    page, handled = inquiry_board.board_page(filters, page=request.args.get("page", 1, type=int))
    summary = [(DISMISS_LABELS.get(code, code), count) for code, count in services.dismissal_summary()]
    return render_template(
        "matching/board.html",
        pairs=page.items,
        page=page,
        summary=summary,
        handled=handled,
        filters=filters,
        status_filter=inquiry_board.STATUS_FILTER,
        broker_choices=brokers(),
    )


@bp.route("/suggest-tags")
@login_required
def suggest_tags():
    """Key terms and taxonomy terms of a text being written (GET, read-only JSON, so CSRF does not apply)."""
    text = unicodedata.normalize("NFKC", request.args.get("text", ""))[:MAX_TAG_TEXT]
    return jsonify(services.suggest_tags(text))


# ---------------------------------------------------------------- follows, saved searches, notifications


@bp.route("/notifications")
@login_required
def notifications():
    """The notifications moved to /notifications (with the saved searches and follows beside them)."""
    return redirect(url_for("notifications.index"), code=301)


@bp.route("/follow/<int:listing_id>", methods=["POST"])
@login_required
def follow(listing_id):
    """Follow (or stop following) the suggestions of a listing the user can see."""
    listing = load_visible_listing(listing_id)
    following = alerts.toggle_follow(current_user, listing)
    db.session.commit()
    if not following:
        flash(_("已取消关注。"), "success")
    elif listing.owner_id == current_user.id:
        flash(_("已关注，有新的匹配时会通知您。"), "success")
    else:
        flash(_("已关注，该条目更新或下线时会通知您。"), "success")
    return redirect(url_for("listings.detail", kind=listing.kind, listing_id=listing.id))


@bp.route("/searches", methods=["POST"])
@login_required
def save_search():
    """Save a search (query + facets): newly published listings that match it are notified."""
    form = SavedSearchForm()
    if not form.validate():
        flash(
            _("无法保存搜索：%(errors)s", errors="；".join(str(e) for errs in form.errors.values() for e in errs)),
            "danger",
        )
        return redirect(url_for("notifications.index"))
    filters = alerts.clean_filters(request.form)
    if not form.q.data and not filters:
        flash(_("请至少填写关键词或选择一个筛选条件。"), "warning")
        return redirect(url_for("notifications.index"))
    alerts.save_search(current_user, form.q.data or "", filters)
    db.session.commit()
    flash(_("已保存搜索，有新的结果时会通知您。"), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/searches/<int:search_id>/delete", methods=["POST"])
@login_required
def delete_search(search_id):
    """Delete one of the user's saved searches."""
    saved = db.session.get(SavedSearch, search_id)
    if saved is None:
        abort(404)
    if saved.user_id != current_user.id:
        abort(403)
    db.session.delete(saved)
    db.session.commit()
    flash(_("已删除保存的搜索。"), "success")
    return redirect(url_for("notifications.index"))
