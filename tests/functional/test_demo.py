"""The demo catalogue: what `make run` shows a first-time visitor, loaded by the same functions as here."""

from sqlalchemy import func

from marketplace import taxonomy
from marketplace.accounts.models import Organisation, User
from marketplace.accounts.services import authenticate
from marketplace.demo import services
from marketplace.extensions import db
from marketplace.listings.models import Listing, ListingChange, ListingEvent


def _count(model, *where):
    return db.session.execute(db.select(func.count()).select_from(model).where(*where)).scalar()


def _published(kind):
    return _count(Listing, Listing.kind == kind, Listing.status == "published")


def _load():
    result = services.load_demo()
    db.session.commit()
    return result


def test_demo_catalogue_is_big_and_varied_enough_to_explore(app):
    _load()

    assert _published("achievement") >= 100
    assert _published("need") >= 40
    published = db.select(Listing).where(Listing.status == "published")
    listings = db.session.execute(published).scalars().all()
    assert {listing.region for listing in listings} >= set(taxonomy.REGIONS) - {"outside"}
    assert {"national_02", "national_03"} <= {listing.source_programme for listing in listings}
    assert len({listing.industry for listing in listings}) >= 15
    assert len({listing.maturity for listing in listings if listing.kind == "achievement"}) == len(taxonomy.MATURITIES)
    assert len({listing.price_band for listing in listings}) == len(taxonomy.PRICE_BANDS)
    assert all(listing.tags for listing in listings)
    assert all(listing.cooperation_mask for listing in listings)
    # The moderation queue and the workspaces are not empty.
    for status in ("submitted", "draft", "rejected"):
        assert _count(Listing, Listing.status == status) > 0


def test_flagship_listings_cover_the_seed_priorities(app):
    _load()

    titles = " ".join(db.session.execute(db.select(Listing.title).where(Listing.status == "published")).scalars())
    for term in ("NB-IoT", "MEMS", "稀土永磁", "硬质合金", "热敏灸", "中药", "轨道交通", "航空复合材料", "VR"):
        assert term in titles
    meter = db.session.execute(db.select(Listing).where(Listing.external_id == "demo-need-nbiot-meter")).scalar_one()
    assert meter.organisation.name == "鹰潭智联物联网科技有限公司"
    assert meter.region == "yingtan"
    assert "远程抄表" in meter.tag_names


def test_home_page_shows_the_flagship_listings_first(app, client):
    _load()

    page = client.get("/").get_data(as_text=True)

    flagship = (
        db.session.execute(db.select(Listing.title).where(Listing.external_id.not_like("demo-csl-%"))).scalars().all()
    )
    csl = (
        db.session.execute(
            db.select(Listing.title).where(Listing.external_id.like("demo-csl-%"), Listing.status == "published")
        )
        .scalars()
        .all()
    )
    assert sum(title in page for title in flagship) >= 6
    assert not any(title in page for title in csl)
    assert f"已发布科技成果 <strong>{_published('achievement')}</strong>" in page


def test_every_demo_login_signs_in_with_the_documented_password(app):
    _load()

    logins = services.demo_logins()
    assert {role for role, _email, _org in logins} == set(taxonomy.ROLES)
    for role, email, _org in logins:
        user = authenticate(email, services.DEMO_PASSWORD)
        assert user is not None and user.role == role
        assert user.organisation.is_verified
    assert authenticate(logins[0][1], "wrong password") is None


def test_demo_accounts_have_work_in_progress(app):
    _load()

    for role in ("researcher", "company"):
        email = next(e for r, e, _o in services.demo_logins() if r == role)
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        statuses = set(db.session.execute(db.select(Listing.status).where(Listing.owner_id == user.id)).scalars())
        assert {"published", "draft", "submitted"} <= statuses


def test_organisations_are_mostly_verified_with_real_cities(app):
    _load()

    orgs = db.session.execute(db.select(Organisation)).scalars().all()
    by_name = {org.name: org for org in orgs}
    assert by_name["江西理工大学"].region == "ganzhou"
    assert by_name["景德镇陶瓷大学"].region == "jingdezhen"
    assert by_name["井冈山大学"].region == "jian"
    unverified = [org for org in orgs if not org.is_verified]
    assert 0 < len(unverified) < len(orgs) // 5
    # The operators' verification and membership queues have something in them.
    assert any(org.verification_status == "pending" for org in unverified)
    assert _count(User, User.membership_status == "pending") > 0
    assert {org.org_type for org in orgs} == set(taxonomy.ORG_TYPES)
    companies = [org for org in orgs if org.org_type == "enterprise"]
    assert {org.region for org in companies} >= set(taxonomy.REGIONS) - {"outside"}
    assert any("gazelle" in org.qualification_codes for org in companies)
    # Listings of unverified organisations wait for verification; none is public.
    assert not any(item.status == "published" for org in unverified for item in _listings_of(org))


def _listings_of(org):
    return db.session.execute(db.select(Listing).where(Listing.organisation_id == org.id)).scalars().all()


def test_listings_have_an_audit_trail_and_reach_the_search_index(app):
    _load()

    total = _count(Listing)
    assert _count(ListingChange) == total
    assert _count(ListingEvent, ListingEvent.action == "import") == total
    assert _count(ListingEvent, ListingEvent.action == "approve") == _count(Listing, Listing.status == "published")
    rejected = db.session.execute(db.select(Listing).where(Listing.status == "rejected")).scalars().first()
    assert rejected.rejection_reason


def test_loading_again_keeps_the_data_and_never_duplicates(app):
    first = _load()
    counts = (_count(Listing), _count(User), _count(Organisation))

    second = _load()
    assert second.skipped
    forced = services.load_demo(force=True)
    db.session.commit()

    assert not first.skipped and first.achievements + first.needs == counts[0]
    assert (forced.achievements, forced.needs, forced.users, forced.organisations) == (0, 0, 0, 0)
    assert (_count(Listing), _count(User), _count(Organisation)) == counts


def test_force_adds_the_catalogue_next_to_existing_listings(app, factory):
    factory.listing("achievement", title="已有的成果")

    assert services.load_demo().skipped
    services.load_demo(force=True)
    db.session.commit()

    assert _published("achievement") >= 101


def test_cli_loads_once_and_prints_the_logins(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "achievements" in result.output
    again = runner.invoke(args=["demo", "load"])
    assert "nothing loaded" in again.output

    logins = runner.invoke(args=["demo", "logins"])
    assert services.DEMO_PASSWORD in logins.output
    assert "operator@demo.jxtm.cn" in logins.output


def test_credit_codes_are_well_formed():
    # 91350100M000100Y43 is the example code published with GB 32100-2015.
    from marketplace.accounts.validation import credit_code_check_char, credit_code_problem

    assert credit_code_check_char("91350100M000100Y4") == "3"
    code = services.credit_code("enterprise", "ganzhou", 42)
    assert len(code) == 18 and code.startswith("91360700")
    assert credit_code_problem(code) is None  # the same check the registration form applies
