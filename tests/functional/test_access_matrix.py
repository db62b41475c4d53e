"""Access matrix: every route, requested as a visitor, each role, another owner and an operator.

Each cell runs against fresh data, so a POST that succeeds (usually 302) cannot disturb another cell.
A test walks app.url_map: a new route without an entry here fails the suite until someone decides who may use it.

Actors:  visitor | owner (researcher who owns the achievements) | company (owns the need) |
         other (researcher of another verified organisation) | operator |
         pending (researcher who joined the owner's verified organisation; membership not yet confirmed, so
         none of its standing: no confidential tier, no submitting under its name). A row without a "pending"
         cell expects what "other" gets.
"""

import pytest

from marketplace.extensions import db

ACTORS = ("visitor", "owner", "company", "other", "operator", "pending")
LOGIN = 302  # visitors are sent to the sign-in page

# Helpers to write rows compactly: public (everyone 200), owner_only, operator_only.
PUBLIC = dict.fromkeys(ACTORS, 200)


def owner_only(ok=200, visitor=LOGIN):
    return {"visitor": visitor, "owner": ok, "company": 403, "other": 403, "operator": 403, "pending": 403}


def operator_only(ok=200):
    return {"visitor": LOGIN, "owner": 403, "company": 403, "other": 403, "operator": ok, "pending": 403}


def signed_in(ok=200):
    return {"visitor": LOGIN, "owner": ok, "company": ok, "other": ok, "operator": ok, "pending": ok}


# inquiries: the two parties and operators read; nobody else (the visitor is sent to sign in)
PARTIES = {"visitor": LOGIN, "owner": 200, "company": 200, "other": 403, "operator": 200}
NOBODY = {"visitor": LOGIN, "owner": 403, "company": 403, "other": 403, "operator": 403}

# endpoint -> list of (method, url template, expected status per actor)
MATRIX = {
    "main.index": [("GET", "/", PUBLIC)],
    "main.healthz": [("GET", "/healthz", PUBLIC)],
    "main.set_language": [("GET", "/lang/en", dict.fromkeys(ACTORS, 302))],
    "listings.achievements": [("GET", "/achievements", PUBLIC)],
    "listings.needs": [("GET", "/needs", PUBLIC)],
    "listings.detail": [
        ("GET", "/achievements/{ach_pub}", PUBLIC),
        (
            "GET",
            "/achievements/{ach_draft}",
            {"visitor": 404, "owner": 200, "company": 404, "other": 404, "operator": 200},
        ),
        ("GET", "/needs/{need_draft}", {"visitor": 404, "owner": 404, "company": 200, "other": 404, "operator": 200}),
        ("GET", "/needs/{ach_pub}", dict.fromkeys(ACTORS, 404)),  # right id, wrong kind
    ],
    "listings.create": [
        ("GET", "/achievements/new", {"visitor": LOGIN, "owner": 200, "company": 403, "other": 200, "operator": 403}),
        ("GET", "/needs/new", {"visitor": LOGIN, "owner": 403, "company": 200, "other": 403, "operator": 403}),
    ],
    "listings.edit": [
        ("GET", "/achievements/{ach_draft}/edit", owner_only()),
        ("POST", "/achievements/{ach_draft}/edit", owner_only(ok=200)),  # empty form: re-rendered with errors
        (
            "GET",
            "/needs/{need_draft}/edit",
            {"visitor": LOGIN, "owner": 403, "company": 200, "other": 403, "operator": 403},
        ),
    ],
    "listings.submit": [
        ("POST", "/achievements/{ach_draft}/submit", owner_only(ok=302)),
        # the pending member's own draft: answered (302 back with the reason) but never submitted, see
        # test_a_pending_member_never_submits_under_the_organisations_name below
        ("POST", "/achievements/{pending_draft}/submit", {**owner_only(ok=403), "pending": 302}),
    ],
    "listings.withdraw": [("POST", "/achievements/{ach_pub}/withdraw", owner_only(ok=302))],
    "listings.extend": [("GET", "/achievements/{ach_pub}/extend", owner_only())],
    "listings.delete": [("POST", "/achievements/{ach_draft}/delete", owner_only(ok=302))],
    "listings.attachment": [
        # confidential tier: members of verified organisations, the owner and operators
        (
            "GET",
            "/attachments/{att}",
            {"visitor": 403, "owner": 200, "company": 200, "other": 200, "operator": 200, "pending": 403},
        ),
    ],
    "listings.delete_attachment": [("POST", "/attachments/{att}/delete", owner_only(ok=302))],
    "listings.organisation": [("GET", "/orgs/{org}", PUBLIC)],
    # signed-in users are sent on from the sign-in and registration pages
    "accounts.login": [("GET", "/account/login", {**dict.fromkeys(ACTORS, 302), "visitor": 200})],
    "accounts.logout": [("POST", "/account/logout", dict.fromkeys(ACTORS, 302))],
    "accounts.register": [("GET", "/account/register", {**dict.fromkeys(ACTORS, 302), "visitor": 200})],
    "accounts.reset_request": [("GET", "/account/reset", PUBLIC)],
    # a forged or used token: a page that says so
    "accounts.reset_with_token": [("GET", "/account/reset/not-a-token", dict.fromkeys(ACTORS, 400))],
    "accounts.profile": [("GET", "/account/profile", signed_in())],
    "accounts.password": [("GET", "/account/password", signed_in())],
    "accounts.organisation": [("GET", "/account/organisation", signed_in())],
    "accounts.email": [
        ("GET", "/account/email", signed_in()),
        ("POST", "/account/email", signed_in(ok=200)),  # empty form: re-rendered with errors
    ],
    "accounts.devices": [("GET", "/account/sessions", signed_in())],
    # a session of the owner: only the owner may end it (the others get 403, a missing id 404)
    "accounts.revoke_device": [("POST", "/account/sessions/{owner_session}/revoke", owner_only(ok=302))],
    "accounts.revoke_other_devices": [("POST", "/account/sessions/revoke-others", signed_in(ok=302))],
    "accounts.organisation_verification": [
        ("POST", "/account/organisation/verification", {**signed_in(ok=302), "pending": 403}),  # confirmed only
    ],
    "workspace.index": [("GET", "/me/", signed_in())],
    "operators.index": [("GET", "/ops/", operator_only())],
    "operators.moderation": [("GET", "/ops/moderation", operator_only())],
    "operators.moderation_review": [("GET", "/ops/moderation/{ach_submitted}", operator_only())],
    "operators.moderation_decide": [
        # an empty decision is refused with a reason
        ("POST", "/ops/moderation/{ach_submitted}/decide", operator_only(ok=400)),
    ],
    "operators.organisations": [("GET", "/ops/organisations", operator_only())],
    "operators.organisation": [("GET", "/ops/organisations/{org}", operator_only())],
    "operators.verify": [("POST", "/ops/organisations/{org}/verify", operator_only(ok=302))],
    "operators.reject": [("POST", "/ops/organisations/{org}/reject", operator_only(ok=400))],  # reason required
    "operators.users": [("GET", "/ops/users", operator_only())],
    "operators.approve": [("POST", "/ops/users/{other_user}/approve", operator_only(ok=302))],
    "operators.disable": [("POST", "/ops/users/{other_user}/disable", operator_only(ok=302))],
    "operators.enable": [("POST", "/ops/users/{other_user}/enable", operator_only(ok=302))],
    "operators.unlock": [("POST", "/ops/users/{other_user}/unlock", operator_only(ok=302))],
    "operators.outbox": [("GET", "/ops/outbox", operator_only())],
    "operators.outbox_message": [("GET", "/ops/outbox/{outbox_name}", operator_only())],
    "operators.exports": [("GET", "/ops/exports", operator_only())],
    "search.results": [("GET", "/search/?q=石墨烯", PUBLIC)],
    "matching.index": [("GET", "/matches/", signed_in())],
    "matching.board": [("GET", "/matches/board", operator_only())],
    "matching.notifications": [("GET", "/matches/notifications", signed_in(ok=301))],  # moved to /notifications/
    "notifications.index": [("GET", "/notifications/", signed_in())],
    "notifications.settings": [
        ("GET", "/notifications/settings", signed_in()),
        ("POST", "/notifications/settings", signed_in(ok=302)),
    ],
    "matching.suggest_tags": [("GET", "/matches/suggest-tags?text=石墨烯电池", signed_in())],
    "matching.dismiss": [("POST", "/matches/listings/{ach_pub}/dismiss", owner_only(ok=302))],
    "matching.follow": [("POST", "/matches/follow/{ach_pub}", signed_in(ok=302))],  # anyone may follow a listing
    "matching.save_search": [("POST", "/matches/searches", signed_in(ok=302))],
    "matching.delete_search": [("POST", "/matches/searches/{saved_search}/delete", owner_only(ok=302))],
    "audit.index": [("GET", "/ops/audit/", operator_only())],
    "audit.export": [("GET", "/ops/audit/export?format=csv", operator_only())],
    # everyone's organisation in this world is already verified: the page sends them back to "my organisation";
    # a member whose membership is not confirmed may not speak for the organisation
    "verification.request_page": [
        ("GET", "/account/organisation/verify", {**signed_in(ok=302), "pending": 403}),
        ("POST", "/account/organisation/verify", {**signed_in(ok=302), "pending": 403}),
    ],
    "privacy.policy": [("GET", "/privacy", PUBLIC)],
    "privacy.collection": [("GET", "/privacy/collection", PUBLIC)],
    "privacy.account": [("GET", "/account/privacy", signed_in())],
    "privacy.consent": [("POST", "/account/privacy/consent", signed_in(ok=302))],
    "privacy.download": [
        ("GET", "/account/privacy/data.json", signed_in()),
        ("GET", "/account/privacy/data.xlsx", signed_in()),
    ],
    # an empty form (no password): refused with a reason, nothing deleted
    "privacy.delete": [("POST", "/account/privacy/delete", signed_in(ok=400))],
    # evidence files: operators only, not even the organisation's own members
    "verification.evidence_file": [("GET", "/ops/organisations/{org}/evidence/{evidence}", operator_only())],
    # inquiries: owner = the achievement's owner (recipient), company = the sender, other = unrelated
    "inquiries.create": [
        (
            "GET",
            "/inquiries/new/{ach_pub}",
            {"visitor": LOGIN, "owner": 403, "company": 200, "other": 403, "operator": 403},
        ),  # company: "already sent" page
        (
            "GET",
            "/inquiries/new/{ach_draft}",
            {"visitor": LOGIN, "owner": 403, "company": 404, "other": 404, "operator": 403},
        ),
    ],
    "inquiries.detail": [("GET", "/inquiries/{inquiry}", PARTIES)],
    "inquiries.decide": [("POST", "/inquiries/{inquiry}/decide", {**NOBODY, "owner": 400})],  # no decision
    "inquiries.post_message": [
        ("POST", "/inquiries/{inquiry}/messages", NOBODY),  # not accepted yet
        ("POST", "/inquiries/{inquiry_accepted}/messages", {**NOBODY, "owner": 422, "company": 422}),  # empty
    ],
    "inquiries.attachment": [("GET", "/inquiries/files/{inquiry_att}", PARTIES)],
    "inquiries.inbox": [("GET", "/inbox", signed_in())],
    "inquiries.analytics_page": [("GET", "/ops/analytics", operator_only())],
    "inquiries.analytics_export": [
        ("GET", "/ops/analytics/funnel.csv", operator_only()),
        ("GET", "/ops/analytics/industry.xlsx", operator_only()),
        ("GET", "/ops/analytics/nothing.csv", {**operator_only(404)}),
    ],
    "inquiries.owner_analytics": [("GET", "/me/analytics", signed_in())],
    "inquiries.block": [("POST", "/inquiries/{inquiry}/block", {**NOBODY, "owner": 302, "company": 302})],
    "inquiries.report_listing": [("POST", "/reports/listing/{ach_pub}", signed_in(ok=302))],
    "inquiries.report_message": [
        ("POST", "/reports/message/{message}", {**PARTIES, "owner": 302, "company": 302, "operator": 302})
    ],
    "inquiries.reports": [("GET", "/ops/reports", operator_only())],
    "inquiries.resolve_report": [("POST", "/ops/reports/{report}/resolve", operator_only(ok=302))],
    "inquiries.grant_broker": [("POST", "/ops/brokers/{other_user}", operator_only(ok=302))],
    "inquiries.assign_broker": [("POST", "/inquiries/{inquiry_accepted}/broker", operator_only(ok=302))],
    "inquiries.deal_move": [
        ("POST", "/inquiries/{inquiry}/deal", NOBODY),  # not accepted: no deal yet
        ("POST", "/inquiries/{inquiry_accepted}/deal", {**NOBODY, "owner": 400, "company": 400}),  # no action
    ],
    # the board's pairs: operators (and the pair's assigned broker; no actor here is one); no action given: 400
    "inquiries.pair_action": [("POST", "/broker/pairs/{need_draft}/{ach_pub}", operator_only(ok=400))],
    "inquiries.introduce": [("GET", "/broker/pairs/{need_draft}/{ach_pub}/introduce", operator_only())],
    "inquiries.broker_desk": [("GET", "/broker/desk", operator_only())],
    # follow-ups: written by the inquiry's broker and operators (an empty form is re-rendered with errors)
    "inquiries.add_followup": [("POST", "/inquiries/{inquiry_accepted}/followups", {**NOBODY, "operator": 422})],
    "inquiries.deal_correct": [("POST", "/inquiries/{inquiry_accepted}/deal/correct", operator_only(ok=302))],
    # an achievement whose owner requires the NDA: members of verified organisations may sign, not the owner
    "inquiries.nda_sign": [
        ("GET", "/achievements/{ach_nda}/nda", {**signed_in(), "owner": 403, "pending": 403}),
        ("GET", "/achievements/{ach_pub}/nda", {**signed_in(404)}),  # no NDA required
    ],
    "inquiries.nda_require": [("POST", "/achievements/{ach_pub}/nda/required", owner_only(ok=302))],
    # events (issue 8): public pages, participants, operators
    "events.index": [("GET", "/events/", PUBLIC), ("GET", "/events/?when=past", PUBLIC)],
    "events.detail": [
        ("GET", "/events/{event}", PUBLIC),
        ("GET", "/events/{event_draft}", {**dict.fromkeys(ACTORS, 404), "operator": 200}),
    ],
    # signed-in registrants: a flash and a redirect (the owner is already registered); operators run events
    "events.register": [("POST", "/events/{event}/register", {**signed_in(ok=302), "operator": 403})],
    "events.cancel": [("POST", "/events/{event}/cancel", signed_in(ok=302))],
    "events.badge": [("GET", "/events/{event}/badge", {**owner_only(), "company": 200})],  # own confirmed seat
    "events.mine": [("GET", "/events/mine", signed_in())],
    "events.manage": [("GET", "/events/manage", operator_only())],
    "events.create": [("GET", "/events/new", operator_only()), ("POST", "/events/new", operator_only())],
    "events.edit": [
        ("GET", "/events/{event}/edit", operator_only()),
        ("POST", "/events/{event}/edit", operator_only()),
    ],  # empty form: re-rendered with errors
    "events.change_status": [("POST", "/events/{event_draft}/status/open", operator_only(ok=302))],
    "events.checkin": [("GET", "/events/{event}/checkin", operator_only())],
    "events.checkin_csv": [("GET", "/events/{event}/checkin.csv", operator_only())],
    "events.tick": [("POST", "/events/{event}/checkin/{registration}", operator_only(ok=302))],
    "events.scan": [
        ("GET", "/events/{event}/scan", operator_only()),
        ("POST", "/events/{event}/scan", operator_only(ok=400)),
    ],  # no code: refused with a reason
    "events.lineup_page": [("GET", "/events/{event}/lineup", operator_only())],
    "events.lineup_add": [("POST", "/events/{event}/lineup/add", operator_only(ok=400))],  # no listing given
    "events.presenter_move": [("POST", "/events/{event}/presenters/{presenter}/move/up", operator_only(ok=302))],
    "events.presenter_remove": [("POST", "/events/{event}/presenters/{presenter}/remove", operator_only(ok=302))],
    "events.presenters_invite": [("POST", "/events/{event}/presenters/invite", operator_only(ok=302))],
    "events.invitations_send": [("POST", "/events/{event}/invitations", operator_only(ok=302))],
    # only the presenting achievement's owner answers the invitation
    "events.presenter_respond": [("POST", "/events/{event}/presenters/{presenter}/respond", owner_only(ok=302))],
    # 1:1 meetings: confirmed participants (owner and company are registered; other is not), the parties
    "events.meetings_page": [("GET", "/events/{event}/meetings", {**owner_only(), "company": 200})],
    "events.meeting_request": [("POST", "/events/{event}/meetings/request", {**owner_only(302), "company": 302})],
    "events.meeting_respond": [
        ("POST", "/events/{event}/meetings/{meeting}/respond", {**owner_only(302), "owner": 403, "company": 302})
    ],  # the recipient only
    "events.meeting_cancel": [
        ("POST", "/events/{event}/meetings/{meeting}/cancel", {**owner_only(302), "company": 302})
    ],
    "events.meeting_availability": [
        ("POST", "/events/{event}/meetings/availability", {**owner_only(302), "company": 302})
    ],
    "events.agenda_ics": [("GET", "/events/{event}/agenda.ics", {**owner_only(), "company": 200})],
    "events.meetings_setup": [
        ("GET", "/events/{event}/meetings/setup", operator_only()),
        ("POST", "/events/{event}/meetings/setup", operator_only()),
    ],  # errors re-rendered
    "events.meetings_caps": [("POST", "/events/{event}/meetings/caps", operator_only(ok=302))],
    "events.meetings_schedule": [("POST", "/events/{event}/meetings/schedule", operator_only(ok=302))],
    # expert pool: operators keep it; a score sheet is the assigned expert's alone (no actor here is an expert)
    "events.experts_list": [("GET", "/events/experts", operator_only())],
    "events.expert_create": [
        ("GET", "/events/experts/new", operator_only()),
        ("POST", "/events/experts/new", operator_only()),
    ],  # errors re-rendered
    "events.expert_edit": [("GET", "/events/experts/{expert}/edit", operator_only())],
    "events.reviews_page": [("GET", "/events/{event}/reviews", operator_only())],
    "events.expert_assign": [("POST", "/events/{event}/presenters/{presenter}/assign", operator_only(ok=400))],
    "events.my_reviews": [("GET", "/events/reviews/mine", {**dict.fromkeys(ACTORS, 403), "visitor": LOGIN})],
    "events.review_sheet": [("GET", "/events/reviews/{review}", {**dict.fromkeys(ACTORS, 403), "visitor": LOGIN})],
    "events.event_report": [
        ("GET", "/events/{event}/report", operator_only()),
        ("POST", "/events/{event}/report", operator_only()),
    ],  # no kind: refused, re-rendered
    "events.yearly_plan": [("GET", "/events/plan", operator_only())],
    "events.criteria_edit": [
        ("GET", "/events/{event}/criteria", operator_only()),
        ("POST", "/events/{event}/criteria", operator_only()),  # no lines: refused, re-rendered
    ],
    # technology assessments: an investor (not an actor here) asked about the owner's achievement
    "events.assessment_new": [
        ("GET", "/events/assessments/request/{ach_pub}", {**dict.fromkeys(ACTORS, 403), "visitor": LOGIN})
    ],
    "events.assessments_mine": [("GET", "/events/assessments", signed_in())],
    "events.assessments_queue": [("GET", "/events/assessments/queue", operator_only())],
    "events.assessment_detail": [
        ("GET", "/events/assessments/{assessment_request}", {**operator_only(), "owner": 200})
    ],  # requester, owner, operators
    "events.assessment_assign": [
        ("POST", "/events/assessments/{assessment_request}/assign", operator_only(ok=400))
    ],  # no expert given
    "events.assessment_sheet": [
        ("GET", "/events/assessments/sheet/{assessment}", {**dict.fromkeys(ACTORS, 403), "visitor": LOGIN})
    ],  # the assigned expert only
}

# Served by extensions, not by our code.
UNCHECKED = {"static", "bootstrap.static"}

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _world(factory, app):
    """The objects every cell refers to, built fresh for each cell."""
    from marketplace.listings.models import Attachment
    from marketplace.mail import send_mail

    owner = factory.user("researcher")
    company = factory.user("company")
    other = factory.user("researcher")
    operator = factory.user("operator")
    pending = factory.user("researcher", org=owner.organisation, membership_status="pending")
    pending_draft = factory.listing("achievement", owner=pending, status="draft")
    ach_pub = factory.listing("achievement", owner=owner, status="published")
    ach_draft = factory.listing("achievement", owner=owner, status="draft")
    ach_submitted = factory.listing("achievement", owner=owner, status="submitted")
    need_draft = factory.listing("need", owner=company, status="draft")

    import os
    import uuid

    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    stored = uuid.uuid4().hex
    with open(os.path.join(app.config["UPLOAD_FOLDER"], stored), "wb") as fh:
        fh.write(PDF_BYTES)
    att = Attachment(
        listing_id=ach_pub.id,
        stored_name=stored,
        original_name="石墨烯报告.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by_id=owner.id,
    )
    db.session.add(att)
    db.session.commit()

    send_mail("someone@example.cn", "测试邮件", "正文")
    outbox_name = sorted(os.listdir(app.config["OUTBOX_DIR"]))[-1]

    saved_search = _saved_search(owner)
    owner_session = _session_of(owner)
    evidence = _evidence(owner, app)
    inquiry, inquiry_accepted, inquiry_att = _inquiries(app, company, ach_pub, factory)
    ach_nda = _nda_achievement(factory, owner)
    message, report = _message_and_report(inquiry_accepted, company, other)
    event_ids = _events(operator, owner, ach_pub, company, factory.user("investor"))
    ids = dict(
        **event_ids,
        message=message,
        report=report,
        ach_nda=ach_nda,
        inquiry=inquiry,
        inquiry_accepted=inquiry_accepted,
        inquiry_att=inquiry_att,
        evidence=evidence,
        ach_pub=ach_pub.id,
        ach_draft=ach_draft.id,
        ach_submitted=ach_submitted.id,
        need_draft=need_draft.id,
        att=att.id,
        org=owner.organisation_id,
        other_user=other.id,
        outbox_name=outbox_name,
        saved_search=saved_search,
        pending_draft=pending_draft.id,
        owner_session=owner_session,
    )
    users = dict(owner=owner, company=company, other=other, operator=operator, pending=pending)
    return ids, users


def _session_of(user):
    """A signed-in browser of the user, other than the one the cell signs in with."""
    from marketplace.accounts.models import AuthSession

    auth = AuthSession(user_id=user.id, user_agent="Mozilla/5.0 (Windows NT 10.0) Chrome/120.0")
    db.session.add(auth)
    db.session.commit()
    return auth.id


def _evidence(user, app):
    import os
    import uuid

    from marketplace.verification.models import VerificationEvidence

    stored = uuid.uuid4().hex
    with open(os.path.join(app.config["UPLOAD_FOLDER"], stored), "wb") as fh:
        fh.write(PDF_BYTES)
    item = VerificationEvidence(
        organisation_id=user.organisation_id,
        kind="business_licence",
        credit_code="91360100MA35ABCDE0",
        stored_name=stored,
        original_name="营业执照.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by_id=user.id,
    )
    db.session.add(item)
    db.session.commit()
    return item.id


def _events(operator, registrant, achievement, company, investor):
    """A public event the owner and the company registered for, where the owner presents (invited) and asked the
    company for a meeting; and a draft event."""
    from events_support import make_event

    from marketplace.events import assessments, experts, lineup, meetings, services

    event = make_event(operator)
    draft = make_event(operator, status="draft")
    registration = services.register(event.id, registrant)
    presenter = lineup.add_presenter(event.id, achievement)
    lineup.invite_presenters(event.id)
    services.register(event.id, company)
    meeting = meetings.request_meeting(event, registrant, company)
    expert = experts.create_expert("评审专家", f"expert{event.id}@example.cn", company.organisation)
    review, _created = experts.assign(expert, presenter)
    assessment_request = assessments.request_assessment(investor, achievement, "请评估产业化前景")
    assessment, _created = assessments.assign(assessment_request, expert)
    db.session.commit()
    return dict(
        assessment_request=assessment_request.id,
        assessment=assessment.id,
        event=event.id,
        event_draft=draft.id,
        registration=registration.id,
        presenter=presenter.id,
        meeting=meeting.id,
        expert=expert.id,
        review=review.id,
    )


def _saved_search(user):
    from marketplace.matching import alerts

    saved = alerts.save_search(user, "石墨烯", {})
    db.session.commit()
    return saved.id


def _message_and_report(inquiry_id, company, reporter):
    """A message of the company in the accepted thread, and another user's open report on the listing."""
    from marketplace.inquiries.models import Inquiry, Message, Report

    message = Message(inquiry_id=inquiry_id, sender_id=company.id, body="您好，期待合作。")
    db.session.add(message)
    db.session.flush()
    listing_id = db.session.get(Inquiry, inquiry_id).listing_id
    report = Report(reporter_id=reporter.id, target_type="listing", listing_id=listing_id, reason="虚假信息")
    db.session.add(report)
    db.session.commit()
    return message.id, report.id


def _nda_achievement(factory, owner):
    from marketplace.inquiries.models import NdaRequirement

    listing = factory.listing("achievement", owner=owner, status="published")
    db.session.add(NdaRequirement(listing_id=listing.id, set_by_id=owner.id))
    db.session.commit()
    return listing.id


def _inquiries(app, company, ach_pub, factory):
    """A pending inquiry of the company on the owner's achievement (with a file), and an accepted one."""
    import os
    import uuid

    from marketplace.inquiries.models import Inquiry, InquiryAttachment

    values = dict(
        cooperation_mode="transfer", budget_range="from_50", timeline="within_6m", message="希望洽谈技术转让。"
    )
    pending = Inquiry(listing_id=ach_pub.id, sender_id=company.id, recipient_id=ach_pub.owner_id, **values)
    other_ach = factory.listing("achievement", owner=ach_pub.owner, status="published")
    accepted = Inquiry(
        listing_id=other_ach.id,
        sender_id=company.id,
        recipient_id=ach_pub.owner_id,
        status="accepted",
        stage="negotiating",
        **values,
    )
    db.session.add_all([pending, accepted])
    db.session.flush()
    stored = uuid.uuid4().hex
    with open(os.path.join(app.config["UPLOAD_FOLDER"], stored), "wb") as fh:
        fh.write(PDF_BYTES)
    att = InquiryAttachment(
        inquiry_id=pending.id,
        stored_name=stored,
        original_name="意向书.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by_id=company.id,
    )
    db.session.add(att)
    db.session.commit()
    return pending.id, accepted.id, att.id


CELLS = [
    pytest.param(
        endpoint, method, url, actor, expected.get(actor, expected.get("other")), id=f"{endpoint}-{method}-{i}-{actor}"
    )
    for endpoint, rows in MATRIX.items()
    for i, (method, url, expected) in enumerate(rows)
    for actor in ACTORS
]


@pytest.mark.parametrize("endpoint,method,url,actor,expected", CELLS)
def test_access(app, client, factory, login, endpoint, method, url, actor, expected):
    ids, users = _world(factory, app)
    if actor != "visitor":
        login(users[actor])
    target = url.format(**ids)
    resp = client.open(target, method=method, data={} if method == "POST" else None)
    assert resp.status_code == expected, f"{actor} {method} {target}: {resp.status_code}, expected {expected}"
    if expected == LOGIN and actor == "visitor" and not target.startswith(("/lang", "/account")):
        assert "/account/login" in resp.headers["Location"]


MISSING = 987654


@pytest.mark.parametrize("actor", ["owner", "operator"])
def test_missing_ids_are_404(app, client, factory, login, actor):
    """Every route that takes an id answers 404 for an id that does not exist (never 500, never 200)."""
    ids, users = _world(factory, app)
    login(users[actor])
    missing = {key: MISSING for key in ids}
    missing["outbox_name"] = "20990101-000000-deadbeef.eml"
    failures = []
    for rows in MATRIX.values():
        for method, url, expected in rows:
            if "{" not in url or expected.get(actor) == 403:
                continue
            resp = client.open(url.format(**missing), method=method, data={} if method == "POST" else None)
            if resp.status_code != 404:
                failures.append(f"{method} {url}: {resp.status_code}")
    assert not failures, failures


def test_every_route_has_an_entry(app):
    """A new route must be added to MATRIX (decide who may use it) before the suite passes."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - UNCHECKED
    missing = sorted(endpoints - set(MATRIX))
    assert not missing, f"routes without an access-matrix entry: {missing}"
    stale = sorted(set(MATRIX) - endpoints)
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def test_a_pending_member_never_submits_under_the_organisations_name(app, client, factory, login):
    """The rule behind the pending cells: the organisation's standing needs a confirmed membership."""
    from marketplace.listings.models import Listing

    ids, users = _world(factory, app)
    login(users["pending"])
    client.post(f"/achievements/{ids['pending_draft']}/submit")
    db.session.expire_all()
    assert db.session.get(Listing, ids["pending_draft"]).status == "draft"
