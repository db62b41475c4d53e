"""Listing services: create, edit, the lifecycle transitions, revisions of published listings, expiry.

Plain functions that flush and never commit. Every change to a listing's content or status adds a
ListingEvent and a ListingChange (changes.record_change) in the same transaction.
"""

import logging
from datetime import timedelta

from flask_babel import gettext as _

from ..extensions import db
from ..models_base import utcnow
from ..notifications import services as notifications
from ..upsert import insert_missing
from . import fields
from .attachments import store_uploads, stored_path
from .changes import record_change
from .models import Achievement, Listing, ListingEvent, Need, Tag
from .tags import tag_key, unique_tags
from .visibility import is_public, market_today

log = logging.getLogger(__name__)

DEFAULT_VALIDITY_DAYS = 365

# action: (statuses it may start from, resulting status, who may do it)
TRANSITIONS = {
    "submit": ({"draft", "rejected", "withdrawn"}, "submitted", "owner"),
    "approve": ({"submitted"}, "published", "operator"),
    "reject": ({"submitted"}, "rejected", "operator"),
    "withdraw": ({"published"}, "withdrawn", "owner"),
    "expire": ({"published"}, "expired", "system"),
    "extend": ({"expired"}, "submitted", "owner"),
    "takedown": ({"published"}, "withdrawn", "operator"),  # after a report (inquiries.abuse)
}
# Statuses whose edits apply at once; a published listing's edits wait in pending_revision.
DIRECT_EDIT_STATUSES = {"draft", "submitted", "rejected", "withdrawn", "expired"}
KIND_CLASSES = {"achievement": Achievement, "need": Need}
REASON_MAX = 500


class ListingError(Exception):
    """A change that is not allowed now; the message is shown to the user and nothing has changed."""


class NotAllowed(ListingError):
    """The actor may not do this to this listing (views answer 403)."""


def default_valid_until():
    return market_today() + timedelta(days=DEFAULT_VALIDITY_DAYS)


# ------------------------------------------------------------------ who may do what


def is_owner(user, listing):
    return bool(user and getattr(user, "is_authenticated", False) and user.id == listing.owner_id)


def is_staff_or_owner(user, listing):
    return is_owner(user, listing) or bool(getattr(user, "is_operator", False))


def can_view(user, listing):
    return is_public(listing) or is_staff_or_owner(user, listing)


def can_see_confidential(user, listing):
    """Detailed description, IP numbers, attachments: members of verified organisations (who signed the NDA when
    the owner requires one), owner, operators."""
    if is_staff_or_owner(user, listing):
        return True
    if not (getattr(user, "is_authenticated", False) and user.in_verified_org):
        return False
    from ..inquiries import nda  # an owner may also require the platform's NDA first

    return nda.satisfied(user, listing)


def can_create(user, kind):
    return getattr(user, "role", None) == {"achievement": "researcher", "need": "company"}[kind]


# ------------------------------------------------------------------ events and transitions


def record_event(listing, actor, action, from_status, to_status, reason=None):
    """Log one change of the listing and mark it for re-indexing, both in the current transaction."""
    db.session.add(
        ListingEvent(
            listing=listing,
            actor_id=actor.id if actor is not None else None,
            from_status=from_status,
            to_status=to_status,
            action=action,
            reason=(reason or None) and reason[:REASON_MAX],
        )
    )
    db.session.flush()
    record_change(listing.id)
    from ..matching.alerts import notify_followers  # followers hear when it changes or goes offline

    notify_followers(listing, action)


def _transition(listing, action, actor, reason=None):
    allowed_from, to_status, who = TRANSITIONS[action]
    if who == "owner" and not is_owner(actor, listing):
        raise NotAllowed(_("只有发布者本人可以执行此操作。"))
    if who == "operator" and not getattr(actor, "is_operator", False):
        raise NotAllowed(_("只有运营人员可以执行此操作。"))
    if listing.status not in allowed_from:
        raise ListingError(_("当前状态（%(status)s）下不能执行此操作。", status=fields.display_status(listing.status)))
    from_status = listing.status
    listing.status = to_status
    record_event(listing, actor, action, from_status, to_status, reason)
    return listing


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ListingError(_("请填写原因。"))
    if len(reason) > REASON_MAX:
        raise ListingError(_("原因不能超过 %(n)s 个字。", n=REASON_MAX))
    return reason


def standing_blocker(user, listing):
    """Why this user may not act in the name of the listing's organisation, or None.

    Only a confirmed member (membership not pending) of the listing's verified organisation may send it for
    review or extend it; a pending member joined by typing the name and must wait for an operator.
    """
    org = listing.organisation
    if org is None or not org.is_verified or user.organisation_id != org.id:
        return _("机构尚未通过实名认证，可先保存草稿，待机构认证通过后再提交审核。")
    if not user.is_active_member:
        return _("您在“%(org)s”的成员身份尚待运营人员确认，确认前不能以该机构名义提交审核。", org=org.name)
    return None


def submission_blocker(user, listing):
    """Why this user cannot send the listing for review now, or None."""
    blocker = standing_blocker(user, listing)
    if blocker:
        return blocker
    if listing.valid_until is not None and listing.valid_until < market_today():
        return _("有效期已过，请先修改有效期后再提交。")
    return None


def submit_listing(listing, actor):
    """Send a draft (or a rejected or withdrawn listing) for review."""
    if is_owner(actor, listing):
        blocker = submission_blocker(actor, listing)
        if blocker and listing.status in TRANSITIONS["submit"][0]:
            raise ListingError(blocker)
    _transition(listing, "submit", actor)
    listing.submitted_at = utcnow()
    return listing


def approve_listing(listing, operator, reason=None):
    """Publish a submitted listing."""
    _transition(listing, "approve", operator, reason)
    listing.published_at = utcnow()
    listing.rejection_reason = None
    notifications.about_listing(listing.owner_id, "listing_approved", listing)
    return listing


def reject_listing(listing, operator, reason):
    """Send a submitted listing back to its owner with a reason."""
    reason = _require_reason(reason)
    _transition(listing, "reject", operator, reason)
    listing.rejection_reason = reason
    notifications.about_listing(listing.owner_id, "listing_rejected", listing, reason=reason)
    return listing


def withdraw_listing(listing, actor, reason=None):
    """Take a published listing offline; a pending revision then applies directly (the listing is offline)."""
    _transition(listing, "withdraw", actor, reason)
    _fold_pending_revision(listing, actor)
    return listing


def takedown_listing(listing, operator, reason):
    """Operators take a reported listing offline (the owner sees the reason and may edit and resubmit)."""
    reason = _require_reason(reason)
    _transition(listing, "takedown", operator, reason)
    _fold_pending_revision(listing, operator)
    listing.rejection_reason = reason
    return listing


def extend_listing(listing, actor, valid_until):
    """An expired listing gets a new validity date and goes back for review."""
    if valid_until is None or valid_until <= market_today():
        raise ListingError(_("新的有效期必须晚于今天。"))
    if is_owner(actor, listing):
        blocker = standing_blocker(actor, listing)
        if blocker:
            raise ListingError(blocker)
    listing.valid_until = valid_until
    _transition(listing, "extend", actor, _("有效期延长至 %(d)s", d=valid_until.isoformat()))
    listing.submitted_at = utcnow()
    return listing


def expire_listings(today=None):
    """Mark published listings past their validity date as expired; returns how many."""
    today = today or market_today()
    due = (
        db.session.execute(
            db.select(Listing)
            .where(Listing.status == "published", Listing.valid_until < today)
            .order_by(Listing.id)
            .with_for_update(skip_locked=True)  # several workers may expire at once: each row once
        )
        .scalars()
        .all()
    )
    for listing in due:
        _transition(listing, "expire", None, _("有效期已过"))
        _fold_pending_revision(listing, None)
    return len(due)


def delete_draft(listing, actor):
    """Delete a draft for good; returns the attachment file paths to remove once the deletion is committed."""
    if not is_owner(actor, listing):
        raise NotAllowed(_("只有发布者本人可以删除。"))
    if listing.status != "draft":
        raise ListingError(_("只有草稿可以删除；已提交或发布的内容请撤回。"))
    paths = [stored_path(a.stored_name) for a in listing.attachments]
    listing_id = listing.id
    db.session.delete(listing)
    db.session.flush()
    record_change(listing_id)  # the index drops it
    return paths


def remove_attachment(attachment, actor):
    """Delete one attachment of the owner's listing; returns the file path to remove after commit."""
    listing = attachment.listing
    if not is_owner(actor, listing):
        raise NotAllowed(_("只有发布者本人可以删除附件。"))
    path = stored_path(attachment.stored_name)
    name = attachment.original_name
    db.session.delete(attachment)
    record_event(listing, actor, "attachment_removed", listing.status, listing.status, name)
    return path


# ------------------------------------------------------------------ create and edit


def find_or_create_tags(names, cache=None):
    """The Tag rows of these names, one per key (NB-IoT and nb-iot are one tag), created when new.

    Every write path (forms, import, demo, CLI) goes through here or through its bulk twin in transfer/writer.py,
    so a listing never gets one tag twice. New keys are inserted race-free (INSERT ... ON CONFLICT DO NOTHING):
    two saves that introduce the same tag at once both succeed. `cache` (key -> Tag) spares look-ups.
    """
    cache = {} if cache is None else cache
    wanted = {tag_key(name): name for name in unique_tags(names or [])}  # key -> first-typed form
    missing = [key for key in wanted if key not in cache]
    if missing:
        insert_missing(Tag, [{"name": wanted[key], "match_key": key} for key in missing], ["match_key"])
        found = db.session.execute(db.select(Tag).where(Tag.match_key.in_(missing))).scalars()
        cache.update({tag.match_key: tag for tag in found})
    return [cache[key] for key in wanted]


def _apply_values(listing, values):
    for name, value in values.items():
        if name == "tags":
            listing.tags = find_or_create_tags(value)
        elif name == "cooperation_modes":
            listing.cooperation_modes = value
        else:
            setattr(listing, name, value)
    if listing.price_negotiable:
        listing.price_wan = None


def _with_defaults(kind, org, values, keep=None):
    """Fill empty defaulted fields: lead institution (the organisation), region of a need (the organisation's),
    validity (unchanged on edit, else one year)."""
    values = dict(values)
    if kind == "achievement" and not values.get("lead_institution"):
        values["lead_institution"] = org.name
    if kind == "need" and not values.get("region"):
        values["region"] = org.region
    if kind == "achievement" and not values.get("valid_until"):
        values["valid_until"] = (keep.valid_until if keep is not None else None) or default_valid_until()
    return values


def create_listing(kind, owner, values, uploads=()):
    """A new draft owned by `owner` in the owner's organisation. Returns (listing, written file paths)."""
    if not can_create(owner, kind):
        raise NotAllowed(_("您的账号类型不能发布此类内容。"))
    org = owner.organisation
    listing = KIND_CLASSES[kind](owner=owner, organisation=org, status="draft", region=org.region)
    values = _with_defaults(kind, org, values)
    values.setdefault("valid_until", default_valid_until())
    _apply_values(listing, values)
    db.session.add(listing)
    db.session.flush()
    written = store_uploads(listing, uploads, owner)
    record_event(listing, owner, "create", None, "draft")
    return listing, written


def update_listing(listing, actor, values, uploads=()):
    """Save the owner's edit. Returns (mode, written paths): "direct", or "revision" for a published listing,
    whose edit waits in pending_revision while the published version stays online."""
    if not is_owner(actor, listing):
        raise NotAllowed(_("只有发布者本人可以修改。"))
    blocker = standing_blocker(actor, listing) if listing.status == "published" else None
    if blocker:  # a revision goes out under the organisation's name, like a submission
        raise ListingError(blocker)
    values = {k: v for k, v in values.items() if k in fields.FIELDS[listing.kind]}
    values = _with_defaults(listing.kind, listing.organisation, values, keep=listing)
    written = store_uploads(listing, uploads, actor)
    if listing.status == "published":
        listing.pending_revision = fields.to_json(values)
        listing.revision_submitted_at = utcnow()
        record_event(listing, actor, "revision_submitted", "published", "published")
        return "revision", written
    if listing.status not in DIRECT_EDIT_STATUSES:  # pragma: no cover - every status is covered above
        raise ListingError(_("当前状态下不能修改。"))
    _apply_values(listing, values)
    record_event(listing, actor, "edit", listing.status, listing.status)
    return "direct", written


def pending_values(listing):
    """The pending revision as field values (Decimal, date restored), or None."""
    return fields.from_json(listing.pending_revision) if listing.pending_revision else None


def revision_changes(listing):
    """Field-by-field differences between the online version and the pending revision."""
    new = pending_values(listing) or {}
    return fields.changes(fields.current_values(listing), new)


def _clear_revision(listing):
    listing.pending_revision = None
    listing.revision_submitted_at = None


def _fold_pending_revision(listing, actor):
    """Once a listing is offline its pending edit applies directly (it was the owner's latest version)."""
    if listing.pending_revision:
        _apply_values(listing, pending_values(listing))
        _clear_revision(listing)
        record_event(listing, actor, "revision_applied", listing.status, listing.status)


def approve_revision(listing, operator, reason=None):
    """Apply the pending revision of a published listing."""
    if not getattr(operator, "is_operator", False):
        raise NotAllowed(_("只有运营人员可以执行此操作。"))
    if not listing.pending_revision or listing.status != "published":
        raise ListingError(_("没有待审核的修改。"))
    _apply_values(listing, pending_values(listing))
    _clear_revision(listing)
    record_event(listing, operator, "revision_approved", "published", "published", reason)
    notifications.about_listing(listing.owner_id, "revision_approved", listing)
    return listing


def reject_revision(listing, operator, reason):
    """Discard the pending revision; the published version stays as it is."""
    if not getattr(operator, "is_operator", False):
        raise NotAllowed(_("只有运营人员可以执行此操作。"))
    if not listing.pending_revision:
        raise ListingError(_("没有待审核的修改。"))
    reason = _require_reason(reason)
    _clear_revision(listing)
    record_event(listing, operator, "revision_rejected", listing.status, listing.status, reason)
    notifications.about_listing(listing.owner_id, "revision_rejected", listing, reason=reason)
    return listing
