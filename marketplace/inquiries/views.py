"""Views of inquiries: send one, read it, accept or decline it, download its files."""

import logging

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..dbsetup import writes_on_read
from ..extensions import db
from ..listings.access import load_visible_listing
from ..listings.attachments import remove_files, stored_path
from ..listings.models import Listing
from . import bp, brokers, followups, services, threads
from .abuse import is_blocked
from .forms import DecisionForm, FollowupForm, InquiryForm, MessageForm
from .models import Inquiry, InquiryAttachment
from .pipeline import (
    BUDGET_RANGES,
    CONTRACT_TYPES,
    DEAL_ACTION_LABELS,
    INQUIRY_KINDS,
    INQUIRY_STATUSES,
    ORIGINS,
    STAGES,
    TIMELINES,
    event_label,
)

log = logging.getLogger(__name__)

PER_PAGE = 20


def load_inquiry(inquiry_id, lock=False):
    """The inquiry with that id: 404 when missing, 403 for anyone but the parties, the broker and operators."""
    inquiry = db.session.get(Inquiry, inquiry_id, with_for_update=True if lock else None)
    if inquiry is None:
        abort(404)
    if not services.can_read(current_user, inquiry):
        abort(403)
    return inquiry


@bp.app_context_processor
def _inquiry_helpers():
    def inquiry_link(listing, origin="listing", origin_listing=None):
        """(url, label) of the "send an interest" action for this listing and user, or None."""
        if (
            not current_user.is_authenticated
            or current_user.id == listing.owner_id
            or current_user.role not in services.SENDER_ROLES[listing.kind]
        ):
            return None
        if "open_inquiry_ids" not in g:  # one query per page, however many listings it shows
            g.open_inquiry_ids = services.open_inquiry_ids(current_user)
        sent = g.open_inquiry_ids.get(listing.id)
        if sent is not None:
            return url_for("inquiries.detail", inquiry_id=sent), _("查看我的意向")
        label = _("发送投资意向") if current_user.role == "investor" else _("发送合作意向")
        values = {"origin": origin} if origin != "listing" else {}
        if origin_listing is not None:
            values["from"] = origin_listing.id
        return url_for("inquiries.create", listing_id=listing.id, **values), label

    return {"inquiry_link": inquiry_link, "event_label": event_label}


def _origin():
    """Where the sender came from; a suggestion names the sender's own listing (ignored if not theirs)."""
    origin = request.args.get("origin", "listing")
    if origin not in ("suggestion", "search"):
        return "listing", None
    source = db.session.get(Listing, request.args.get("from", type=int) or 0)
    if source is not None and source.owner_id != current_user.id:
        source = None
    return origin, source


@bp.route("/inquiries/new/<int:listing_id>", methods=["GET", "POST"])
@login_required
def create(listing_id):
    """Send an expression of interest on a published listing (company members and investors on achievements,
    researchers on needs). Refused sends keep everything the user wrote."""
    listing = load_visible_listing(listing_id)
    if current_user.id == listing.owner_id or current_user.role not in services.SENDER_ROLES[listing.kind]:
        abort(403)
    origin, source = _origin()
    form = InquiryForm()
    blocker = services.send_blocker(current_user, listing)
    error, status = None, 200
    if blocker is None and form.validate_on_submit():
        written = []
        try:
            inquiry, written = services.send_inquiry(
                current_user, listing, form.values(), form.uploads, origin=origin, origin_listing=source
            )
            db.session.commit()
        except services.InquiryError as err:
            db.session.rollback()
            remove_files(written)
            error, status = str(err), 429
        except Exception:
            db.session.rollback()
            remove_files(written)
            raise
        else:
            flash(_("意向已发送。对方答复后会通知您；接受后双方可以看到彼此的联系方式。"), "success")
            return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))
    elif request.method == "POST":
        status = 422
    if error is None and blocker is None and services.limit_reached(current_user):
        error = services.limit_message()
    return render_template(
        "inquiries/form.html", form=form, listing=listing, blocker=blocker, error=error, origin=origin, origins=ORIGINS
    ), status


@bp.route("/inquiries/<int:inquiry_id>")
@login_required
@writes_on_read  # a GET that writes (read marks, audit entry): takes the write lock at BEGIN
def detail(inquiry_id):
    """The inquiry, its decision, contact details (after acceptance only), its thread and its history.
    A party opening the page reads the other side's messages (read receipts)."""
    inquiry = load_inquiry(inquiry_id)
    if threads.mark_read(inquiry, current_user):
        db.session.commit()
    return render_detail(inquiry, MessageForm())


def render_detail(inquiry, message_form=None, status=200, followup_form=None):
    """The inquiry page (also re-rendered with a refused message or follow-up and its errors)."""
    return render_template(
        "inquiries/detail.html",
        inquiry=inquiry,
        decision_form=DecisionForm(),
        message_form=message_form or MessageForm(formdata=None),
        followup_form=followup_form or FollowupForm(formdata=None),
        followups=followups.of(inquiry),
        can_follow_up=followups.can_write(current_user, inquiry),
        consented=inquiry.is_party(current_user) and brokers.has_consented(inquiry, current_user),
        sender_card=services.contact_card(inquiry, "sender"),
        recipient_card=services.contact_card(inquiry, "recipient"),
        events=services.events_of(inquiry),
        messages=threads.messages_of(inquiry),
        can_write=threads.can_write(current_user, inquiry),
        labels=_labels(),
        **DETAIL_VOCABULARIES,
        brokers=services.brokers() if current_user.is_operator else None,
        blocked=inquiry.is_party(current_user) and is_blocked(current_user.id, inquiry.other_party(current_user).id),
    ), status


def _labels():
    return {
        "kinds": INQUIRY_KINDS,
        "statuses": INQUIRY_STATUSES,
        "origins": ORIGINS,
        "budgets": BUDGET_RANGES,
        "timelines": TIMELINES,
        "stages": STAGES,
    }


DETAIL_VOCABULARIES = {"contract_types": CONTRACT_TYPES, "deal_action_labels": DEAL_ACTION_LABELS}


@bp.route("/inquiries/<int:inquiry_id>/messages", methods=["POST"])
@login_required
def post_message(inquiry_id):
    """Add a message to the thread. A refused message is shown again in the form with the reason."""
    inquiry = load_inquiry(inquiry_id)
    if not threads.can_write(current_user, inquiry):
        abort(403)
    form = MessageForm()
    if not form.validate():
        return render_detail(inquiry, form, 422)
    written = []
    try:
        _message, written = threads.post_message(inquiry, current_user, form.body.data, form.uploads)
        db.session.commit()
    except services.InquiryError as err:
        db.session.rollback()
        remove_files(written)
        form.body.errors = [*form.body.errors, str(err)]
        return render_detail(db.session.get(Inquiry, inquiry_id), form, 422)
    except Exception:
        db.session.rollback()
        remove_files(written)
        log.exception("message to inquiry %s not saved", inquiry.id)
        form.body.errors = [*form.body.errors, _("消息未能发送，请稍后重试；您写的内容仍在这里。")]
        return render_detail(db.session.get(Inquiry, inquiry_id), form, 503)
    return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id, _anchor="thread-end"))


@bp.route("/inbox")
@login_required
def inbox():
    """Every conversation of the user across listings, latest activity first, with unread counts."""
    box = request.args.get("box", "all")
    if box not in threads.INBOX_BOXES:
        box = "all"
    page = db.paginate(
        threads.inbox_query(current_user, box),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    unread = threads.unread_counts(current_user, [i.id for i in page.items])
    return render_template("inquiries/inbox.html", page=page, box=box, unread_by_thread=unread, labels=_labels())


@bp.route("/inquiries/<int:inquiry_id>/decide", methods=["POST"])
@login_required
def decide(inquiry_id):
    """The owner accepts or declines (a reason is required to decline; the sender sees it). A broker's
    introduction is answered by each side; it opens when both accepted."""
    inquiry = load_inquiry(inquiry_id)
    if current_user.id != inquiry.recipient_id and not (inquiry.is_introduction and inquiry.is_party(current_user)):
        abort(403)
    action = request.form.get("decision")
    if action not in ("accept", "decline"):
        abort(400)
    form = DecisionForm()
    if form.validate():
        try:
            services.decide(inquiry, current_user, action, form.reason.data)
            db.session.commit()
        except services.InquiryError as err:
            db.session.rollback()
            flash(str(err), "warning")
        else:
            flash(_decision_message(inquiry, action), "success")
    return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))


def _decision_message(inquiry, action):
    if action == "decline":
        return _("已婉拒，对方会看到您的原因。")
    if inquiry.status == "pending":  # an introduction waiting for the other side
        return _("您已同意引荐，等待对方确认；双方都同意后才会交换联系方式。")
    return _("已接受意向，现在双方可以看到彼此的联系方式并继续沟通。")


@bp.route("/inquiries/files/<int:attachment_id>")
@login_required
def attachment(attachment_id):
    """A file of an inquiry or its thread: the same readers as the inquiry."""
    att = db.session.get(InquiryAttachment, attachment_id)
    if att is None:
        abort(404)
    load_inquiry(att.inquiry_id)
    try:
        return send_file(
            stored_path(att.stored_name), mimetype=att.content_type, as_attachment=True, download_name=att.original_name
        )
    except FileNotFoundError:
        abort(404)
