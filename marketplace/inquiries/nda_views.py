"""Views of the NDA: the owner requires it on an achievement; a member of a verified organisation signs it."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ..extensions import db
from ..listings.access import load_listing, load_visible_listing
from . import bp, nda
from .services import InquiryError


class SignForm(FlaskForm):
    agree = BooleanField(nda.NDA_TITLE, validators=[DataRequired(_l("请勾选同意后再签署。"))])


@bp.app_context_processor
def _nda_helpers():
    def nda_state(listing):
        """What the listing page shows about the NDA to the current user."""
        if listing.kind != "achievement":
            return None
        required = nda.is_required(listing)
        user = current_user
        is_owner = user.is_authenticated and user.id == listing.owner_id
        return {
            "required": required,
            "is_owner": is_owner,
            "signed": required and user.is_authenticated and nda.signature(user, listing) is not None,
            "can_sign": required and user.is_authenticated and not is_owner and user.in_verified_org,
            "signatures": nda.signatures_of(listing) if is_owner and required else [],
        }

    return {"nda_state": nda_state, "nda_masked_name": nda.masked_name}


@bp.route("/achievements/<int:listing_id>/nda", methods=["GET", "POST"])
@login_required
def nda_sign(listing_id):
    """The standard NDA text; accepting it (a box to tick) opens the detailed tier to the signer."""
    listing = load_visible_listing(listing_id, kind="achievement")
    if not nda.is_required(listing):
        abort(404)
    if current_user.id == listing.owner_id or not current_user.in_verified_org:
        abort(403)
    form = SignForm()
    if form.validate_on_submit():
        nda.sign(current_user, listing, request.remote_addr)
        db.session.commit()
        flash(_("已签署保密协议，现在可以查看详细技术方案和附件。"), "success")
        return redirect(
            url_for("listings.detail", kind="achievement", listing_id=listing.id, _anchor="confidential-heading")
        )
    return render_template(
        "inquiries/nda.html",
        listing=listing,
        form=form,
        clauses=nda.NDA_CLAUSES,
        title=nda.NDA_TITLE,
        version=nda.NDA_VERSION,
        signed=nda.signature(current_user, listing),
    ), 422 if request.method == "POST" else 200


@bp.route("/achievements/<int:listing_id>/nda/required", methods=["POST"])
@login_required
def nda_require(listing_id):
    """The owner switches "NDA required" on or off for the detailed tier of an achievement."""
    listing = load_listing(listing_id, kind="achievement")
    if current_user.id != listing.owner_id:
        abort(403)
    required = request.form.get("required") == "1"
    try:
        nda.set_required(listing, current_user, required)
    except InquiryError as err:
        abort(400, str(err))
    db.session.commit()
    flash(_("已要求先签署保密协议才能查看详细资料。") if required else _("已取消保密协议要求。"), "success")
    return redirect(
        url_for("listings.detail", kind="achievement", listing_id=listing.id, _anchor="confidential-heading")
    )
