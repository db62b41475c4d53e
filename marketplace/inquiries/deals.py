"""The deal pipeline of an accepted inquiry: 洽谈中 → 意向达成 → 签约 → 已登记, or 终止 with a reason.

Plain functions that flush, never commit. A move is an atomic UPDATE guarded by the stage the actor saw, so
two concurrent moves never both win; every move and every operator's correction is recorded (services.record).
"""

from flask_babel import gettext as _

from ..extensions import db
from ..models_base import utcnow
from ..notifications import services as notifications
from .models import Inquiry
from .pipeline import DEAL_TRANSITIONS, STAGES, steps_reached
from .services import InquiryError, record

CONTRACT_FIELDS = ("contract_type", "amount_wan", "signed_on", "registration_number", "registry")


def can_move(user, inquiry):
    return inquiry.status == "accepted" and (inquiry.is_party(user) or user.id == inquiry.broker_id)


def _contract_data(values):
    """Contract values as JSON-safe text for the history (amounts stay exact: Decimal -> string)."""
    return {k: (str(v) if v is not None else None) for k, v in values.items()}


def _tell_others(inquiry, actor, stage):
    for user_id in {inquiry.sender_id, inquiry.recipient_id, inquiry.broker_id} - {actor.id, None}:
        notifications.notify(
            user_id,
            "deal_stage",
            {"title": inquiry.listing.title, "stage": stage},
            endpoint="inquiries.detail",
            values={"inquiry_id": inquiry.id},
            listing=inquiry.listing,
        )


def move(inquiry, actor, action, seen_stage, reason=None, contract=None):
    """Move the deal one step. `seen_stage` is the stage the actor's page showed: if someone moved it since,
    the move is refused (exactly one of two concurrent moves wins)."""
    if not can_move(actor, inquiry):
        raise InquiryError(_("只有双方和指派的技术经纪人可以更新交易进展。"))
    sources, to_stage = DEAL_TRANSITIONS[action]
    if seen_stage not in sources:
        raise InquiryError(_("当前阶段（%(stage)s）不能执行此操作。", stage=STAGES.get(seen_stage, seen_stage)))
    values = {"stage": to_stage, "stage_changed_at": utcnow(), "last_activity_at": utcnow()}
    for step in steps_reached(to_stage):  # the first time only
        column = getattr(Inquiry, f"{step}_at")
        values[column.key] = db.func.coalesce(column, values["stage_changed_at"])
    if action == "terminate":
        reason = (reason or "").strip()
        if not reason:
            raise InquiryError(_("终止洽谈时请填写原因，双方都会看到它。"))
    if action == "register":
        if not contract or any(contract.get(k) in (None, "") for k in CONTRACT_FIELDS):
            raise InquiryError(_("登记时请填写合同类型、金额、签订日期、登记编号和登记机构。"))
        values.update({k: contract[k] for k in CONTRACT_FIELDS})
    done = db.session.execute(
        db.update(Inquiry)
        .where(Inquiry.id == inquiry.id, Inquiry.stage == seen_stage, Inquiry.status == "accepted")
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InquiryError(_("交易进展已被他人更新，请刷新页面后再试。"))
    db.session.refresh(inquiry)
    record(
        inquiry,
        actor,
        action,
        seen_stage,
        to_stage,
        reason,
        data=_contract_data(contract) if action == "register" else None,
    )
    _tell_others(inquiry, actor, to_stage)
    return inquiry


def correct(inquiry, operator, stage, contract, reason):
    """Operators correct a deal's stage or contract data; the old and new values are recorded with the reason."""
    if not getattr(operator, "is_operator", False):
        raise InquiryError(_("只有运营人员可以更正交易信息。"))
    if inquiry.status != "accepted" or stage not in STAGES:
        raise InquiryError(_("只有已接受的意向有交易信息可以更正。"))
    reason = (reason or "").strip()
    if not reason:
        raise InquiryError(_("更正时请填写原因。"))
    db.session.refresh(inquiry, with_for_update=True)
    before = {"stage": inquiry.stage, **{k: getattr(inquiry, k) for k in CONTRACT_FIELDS}}
    after = {"stage": stage, **{k: contract.get(k) for k in CONTRACT_FIELDS}}
    for key, value in after.items():
        setattr(inquiry, key, value)
    inquiry.stage_changed_at = utcnow()
    for step in steps_reached(stage):
        setattr(inquiry, f"{step}_at", getattr(inquiry, f"{step}_at") or inquiry.stage_changed_at)
    db.session.flush()
    record(
        inquiry,
        operator,
        "correct",
        before["stage"],
        stage,
        reason,
        data={"before": _contract_data(before), "after": _contract_data(after)},
    )
    return inquiry
