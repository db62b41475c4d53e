"""Load the demo catalogue: organisations, demo accounts and listings. Functions flush, never commit.

Everything is keyed (organisations by name, users by e-mail, listings by external id), so loading
again adds only what is missing and never duplicates. Listings are created directly with the models,
with an "import" event (and an "approve" or "reject" by the demo operator), and a search-index change
record in the same transaction.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func

from .. import taxonomy
from ..accounts.models import Organisation, User
from ..accounts.services import OPERATOR_ORG_NAME, create_organisation, create_user, normalise_email
from ..accounts.validation import credit_code_check_char
from ..extensions import db
from ..listings.changes import record_change
from ..listings.models import Achievement, Listing, ListingEvent, Need
from ..listings.services import find_or_create_tags
from ..models_base import utcnow
from . import catalogue

log = logging.getLogger(__name__)

DEMO_PASSWORD = "jxtm-demo-2026"
IMPORT_REASON = "演示数据"
# Region -> administrative division code, used to build well-formed 统一社会信用代码.
DIVISION_CODES = {
    "nanchang": "360100",
    "jingdezhen": "360200",
    "pingxiang": "360300",
    "jiujiang": "360400",
    "xinyu": "360500",
    "yingtan": "360600",
    "ganzhou": "360700",
    "jian": "360800",
    "yichun": "360900",
    "fuzhou": "361000",
    "shangrao": "361100",
    "outside": "310000",
}


@dataclass
class LoadResult:
    organisations: int = 0
    users: int = 0
    achievements: int = 0
    needs: int = 0
    skipped: bool = False
    by_status: dict = field(default_factory=dict)


def organisation_specs():
    """The demo organisations with their people; the operators join the market's own organisation."""
    specs = catalogue.read_json("organisations.json")
    for spec in specs:
        if spec.get("operator_org"):
            spec["name"] = OPERATOR_ORG_NAME
    return specs


def demo_logins():
    """(role, e-mail, organisation) of the demo account of each role; all use DEMO_PASSWORD."""
    logins = []
    for org in organisation_specs():
        for person in org["people"]:
            if person.get("login"):
                logins.append((person["role"], person["email"], org["name"]))
    order = list(taxonomy.ROLES)
    return sorted(logins, key=lambda row: order.index(row[0]))


def has_listings():
    return db.session.execute(db.select(func.count()).select_from(Listing)).scalar() > 0


def credit_code(org_type, region, serial):
    """A well-formed unified social credit code (GB 32100-2015 check character) for demo organisations."""
    prefix = "91" if org_type in ("enterprise", "investor") else "12"
    body = f"{prefix}{DIVISION_CODES[region]}{serial:09d}"
    return body + credit_code_check_char(body)


def ensure_organisations(specs, result):
    """Create the organisations (and their people) that do not exist yet; returns name -> Organisation."""
    by_name = {}
    for serial, spec in enumerate(specs, start=1):
        org = db.session.execute(db.select(Organisation).filter_by(name=spec["name"])).scalar_one_or_none()
        if org is None:
            org = create_organisation(
                name=spec["name"],
                org_type=spec["org_type"],
                region=spec["region"],
                qualifications=spec.get("qualifications", ()),
                description=spec.get("description", ""),
                website=spec.get("website"),
                credit_code=credit_code(spec["org_type"], spec["region"], 8800 + serial),
            )
            org.verification_status = spec.get("verification", "verified")
            if org.is_verified:
                org.verified_at = utcnow()
            result.organisations += 1
        by_name[org.name] = org
    return by_name


def ensure_users(specs, orgs, result, password=DEMO_PASSWORD):
    """Create the demo people that do not exist yet; returns e-mail -> User."""
    by_email = {}
    for spec in specs:
        for person in spec["people"]:
            email = normalise_email(person["email"])
            user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
            if user is None:
                user = create_user(
                    email=email,
                    password=password,
                    name=person["name"],
                    role=person["role"],
                    organisation=orgs[spec["name"]],
                    phone=_phone(len(by_email)),
                    membership_status=person.get("membership", "active"),
                )
                result.users += 1
            by_email[email] = user
    return by_email


def _phone(n):
    return f"0791-8{(6123457 + n * 7919) % 10_000_000:07d}"


def _is_verified(spec):
    return spec.get("verification", "verified") == "verified"


class _Owners:
    """Chooses an owner for a listing: the named organisation's member, else one whose field fits."""

    def __init__(self, org_specs, users):
        self.members = {}
        self.by_industry = {}
        for spec in org_specs:
            people = [users[normalise_email(p["email"])] for p in spec["people"]]
            if not people:
                continue
            self.members[spec["name"]] = people[0]
            if _is_verified(spec):
                for industry in spec.get("industries", ()):
                    self.by_industry.setdefault((spec["org_type"] == "enterprise", industry), []).append(people[0])
        self.unverified = [self.members[s["name"]] for s in org_specs if not _is_verified(s) and s["people"]]

    def pick(self, spec, rng, company, demo_user, serial):
        if spec.get("org"):
            return self.members[spec["org"]]
        if spec["status"] != "published":
            slot = serial % 4
            if slot in (1, 2) or (slot == 0 and not company):
                return demo_user  # the demo accounts' workspaces show drafts, items under review, a rejection
            if slot == 3 and company and self.unverified:
                return rng.choice(self.unverified)  # waits for its organisation to be verified
        candidates = self.by_industry.get((company, spec["industry"]))
        if not candidates:
            candidates = [
                u for (is_company, _i), users in self.by_industry.items() if is_company == company for u in users
            ]
        return rng.choice(sorted(set(candidates), key=lambda u: u.email))


class _Tags:
    def __init__(self):
        self.cache = {}

    def all(self, names):
        return find_or_create_tags(names, self.cache)


def _events(listing, status, operator, times):
    """The state log of an imported listing: import, then the operator's decision."""
    first = "draft" if status == "draft" else "submitted"
    events = [
        ListingEvent(
            actor=None,
            from_status=None,
            to_status=first,
            action="import",
            reason=IMPORT_REASON,
            created_at=times["created_at"],
        )
    ]
    if status == "published":
        events.append(
            ListingEvent(
                actor=operator,
                from_status="submitted",
                to_status="published",
                action="approve",
                created_at=times["published_at"],
            )
        )
    elif status == "rejected":
        events.append(
            ListingEvent(
                actor=operator,
                from_status="submitted",
                to_status="rejected",
                action="reject",
                reason=catalogue.REJECTION_REASON,
                created_at=times["submitted_at"],
            )
        )
    listing.events.extend(events)


def create_listing(spec, owner, operator, tags, now=None):
    """Create one listing from a catalogue spec with its events and index change record (flushes)."""
    now = now or utcnow()
    rng = catalogue.rng_for(spec["external_id"])
    kind = "need" if "deadline_days" in spec else "achievement"
    status = spec["status"]
    times = catalogue.timeline(rng, now, status, recent=spec.get("flagship", False))
    columns = {
        k: v for k, v in spec.items() if k not in {"org", "tags", "cooperation_modes", "deadline_days", "flagship"}
    }
    cls = Need if kind == "need" else Achievement
    listing = cls(owner=owner, organisation=owner.organisation, region=owner.organisation.region, **columns, **times)
    listing.cooperation_modes = spec["cooperation_modes"]
    listing.valid_until = date.today() + timedelta(days=rng.randint(180, 720))
    listing.contact_name = owner.name
    listing.contact_phone = owner.phone
    listing.contact_email = owner.email
    if kind == "achievement":
        listing.lead_institution = owner.organisation.name
    elif spec.get("deadline_days"):
        listing.deadline = date.today() + timedelta(days=spec["deadline_days"])
    if status == "rejected":
        listing.rejection_reason = catalogue.REJECTION_REASON
    listing.tags = tags.all(spec["tags"])
    _events(listing, status, operator, times)
    db.session.add(listing)
    db.session.flush()
    record_change(listing.id)
    return listing


def load_demo(force=False):
    """Load the demo catalogue. Without force, nothing happens when the market already has listings.

    With force, whatever is missing is added (existing organisations, users and listings are kept).
    """
    result = LoadResult()
    if has_listings() and not force:
        result.skipped = True
        return result
    org_specs = organisation_specs()
    orgs = ensure_organisations(org_specs, result)
    users = ensure_users(org_specs, orgs, result)
    logins = {role: users[normalise_email(email)] for role, email, _org in demo_logins()}
    operator = logins["operator"]
    for org in orgs.values():
        if org.is_verified and org.verified_by_id is None:
            org.verified_by_id = operator.id

    existing = set(
        db.session.execute(
            db.select(Listing.external_id).where(Listing.external_id.like(f"{catalogue.EXTERNAL_PREFIX}%"))
        ).scalars()
    )
    owners = _Owners(org_specs, users)
    tags = _Tags()
    achievements = catalogue.achievement_specs()
    vocabulary = {tag for spec in achievements for tag in spec["tags"]}
    now = utcnow()
    for kind, specs in (("achievement", achievements), ("need", catalogue.need_specs(vocabulary))):
        company = kind == "need"
        demo_user = logins["company" if company else "researcher"]
        serial = 0
        for spec in specs:
            if spec["status"] != "published":
                serial += 1
            if spec["external_id"] in existing:
                continue
            owner = owners.pick(spec, catalogue.rng_for(spec["external_id"]), company, demo_user, serial)
            create_listing(spec, owner, operator, tags, now=now)
            setattr(result, kind + "s", getattr(result, kind + "s") + 1)
            result.by_status[spec["status"]] = result.by_status.get(spec["status"], 0) + 1
    from ..events.demo import load_demo_events

    load_demo_events(operator)
    log.info("demo catalogue loaded: %s", result)
    return result
