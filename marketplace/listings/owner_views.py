"""Owner pages of the listings feature: create, edit, submit, withdraw, extend, delete, remove attachments."""

import logging

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from ..extensions import db
from . import bp, fields, services
from .access import load_own_listing
from .attachments import remove_files
from .forms import FORMS, ExtendForm, ReasonForm
from .models import Attachment
from .views import KIND_ROUTE

log = logging.getLogger(__name__)


def _detail_url(listing):
    return url_for("listings.detail", kind=listing.kind, listing_id=listing.id)


def _commit(written=()):
    """Commit the request's work; on failure roll back, remove files written for it and tell the user."""
    try:
        db.session.commit()
    except Exception:
        log.exception("listing commit failed")
        db.session.rollback()
        remove_files(written)
        flash(_("保存失败，请稍后重试。您的内容尚未保存。"), "danger")
        return False
    return True


def _flash_error(message):
    """A service refusal; for an unverified organisation, link to the organisation page when it exists."""
    text = escape(message)
    if "accounts.organisation" in current_app.view_functions and not current_user.in_verified_org:
        text += Markup(' <a class="alert-link" href="%s">%s</a>') % (
            url_for("accounts.organisation"),
            _("前往机构认证"),
        )
    flash(Markup(text), "warning")


def _try_submit(listing):
    """Send the listing for review if possible; otherwise leave it as it is and say why."""
    try:
        services.submit_listing(listing, current_user)
    except services.ListingError as err:
        _flash_error(str(err))
        return False
    return True


@bp.route("/<any(achievement,need):kind>s/new", methods=["GET", "POST"])
@login_required
def create(kind):
    """New achievement (researchers) or need (companies): save as draft or send for review."""
    if not services.can_create(current_user, kind):
        abort(403)
    form = FORMS[kind]()
    if not form.is_submitted():
        org = current_user.organisation
        if kind == "achievement":
            form.valid_until.data = services.default_valid_until()
            form.lead_institution.data = org.name
        else:
            form.region.data = org.region
    if form.validate_on_submit():
        listing, written = services.create_listing(kind, current_user, form.values(), form.uploads)
        submitted = request.form.get("action") == "submit" and _try_submit(listing)
        if _commit(written):
            flash(_("已提交审核，审核通过后公开。") if submitted else _("草稿已保存。"), "success")
            return redirect(_detail_url(listing))
    return render_template("listings/form.html", form=form, kind=kind, listing=None)


@bp.route(KIND_ROUTE + "/edit", methods=["GET", "POST"])
@login_required
def edit(kind, listing_id):
    """Edit one's listing; edits of a published listing wait for review while the old version stays online."""
    listing = load_own_listing(listing_id, kind)
    form = FORMS[kind]()
    if not form.is_submitted():
        values = services.pending_values(listing) or fields.current_values(listing)
        form.load(values)
    if form.validate_on_submit():
        try:
            mode, written = services.update_listing(listing, current_user, form.values(), getattr(form, "uploads", ()))
        except services.ListingError as err:
            _flash_error(str(err))
            return render_template("listings/form.html", form=form, kind=kind, listing=listing)
        submitted = (
            mode == "direct"
            and request.form.get("action") == "submit"
            and listing.status in services.TRANSITIONS["submit"][0]
            and _try_submit(listing)
        )
        if _commit(written):
            if mode == "revision":
                flash(_("修改待审核（公开页面仍显示原版本）。"), "info")
            else:
                flash(_("已保存并提交审核。") if submitted else _("已保存。"), "success")
            return redirect(_detail_url(listing))
    return render_template("listings/form.html", form=form, kind=kind, listing=listing)


def _owner_action(kind, listing_id, action, success_message, **kwargs):
    listing = load_own_listing(listing_id, kind)
    try:
        action(listing, current_user, **kwargs)
    except services.NotAllowed:
        abort(403)
    except services.ListingError as err:
        _flash_error(str(err))
        return redirect(_detail_url(listing))
    if _commit():
        flash(success_message, "success")
    return redirect(_detail_url(listing))


@bp.route(KIND_ROUTE + "/submit", methods=["POST"])
@login_required
def submit(kind, listing_id):
    """Send a draft, rejected or withdrawn listing for review."""
    return _owner_action(kind, listing_id, services.submit_listing, _("已提交审核，审核通过后公开。"))


@bp.route(KIND_ROUTE + "/withdraw", methods=["POST"])
@login_required
def withdraw(kind, listing_id):
    """Take a published listing offline (the reason is optional)."""
    form = ReasonForm()
    if not form.validate():
        load_own_listing(listing_id, kind)
        flash(" ".join(form.reason.errors), "danger")
        return redirect(url_for("listings.detail", kind=kind, listing_id=listing_id))
    return _owner_action(
        kind, listing_id, services.withdraw_listing, _("已撤回，公开页面已下线。"), reason=form.reason.data or None
    )


@bp.route(KIND_ROUTE + "/extend", methods=["GET", "POST"])
@login_required
def extend(kind, listing_id):
    """An expired listing: choose a new validity date and send it for review again."""
    listing = load_own_listing(listing_id, kind)
    form = ExtendForm()
    if not form.is_submitted():
        form.valid_until.data = services.default_valid_until()
    if form.validate_on_submit():
        try:
            services.extend_listing(listing, current_user, form.valid_until.data)
        except services.ListingError as err:
            _flash_error(str(err))
        else:
            if _commit():
                flash(_("有效期已延长，已重新提交审核。"), "success")
                return redirect(_detail_url(listing))
    return render_template("listings/extend.html", form=form, listing=listing)


@bp.route(KIND_ROUTE + "/delete", methods=["POST"])
@login_required
def delete(kind, listing_id):
    """Delete a draft for good."""
    listing = load_own_listing(listing_id, kind)
    try:
        paths = services.delete_draft(listing, current_user)
    except services.ListingError as err:
        flash(str(err), "danger")
        return redirect(_detail_url(listing))
    if not _commit():
        return redirect(_detail_url(listing))
    remove_files(paths)
    flash(_("草稿已删除。"), "success")
    return redirect(url_for("workspace.index"))


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_attachment(attachment_id):
    """Remove one attachment from the owner's listing."""
    item = db.session.get(Attachment, attachment_id)
    if item is None:
        abort(404)
    listing = item.listing
    if not services.is_owner(current_user, listing):
        abort(403)
    path = services.remove_attachment(item, current_user)
    if _commit():
        remove_files([path])
        flash(_("附件已删除。"), "success")
    return redirect(_detail_url(listing))
