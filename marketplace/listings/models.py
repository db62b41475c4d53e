"""Achievements (科技成果) and needs (技术需求): one table, single-table inheritance on `kind`.

Both kinds share the lifecycle, tags, attachments, price/budget and the state log, which lets search,
facets and matching treat them alike.
"""

from sqlalchemy.sql.elements import Grouping

from .. import taxonomy
from ..extensions import db
from ..models_base import utcnow

listing_tags = db.Table(
    "listing_tags",
    db.Column("listing_id", db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True),
    db.Column("tag_id", db.Integer, db.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


def _match_key(context):
    from .tags import tag_key

    return tag_key(context.get_current_parameters()["name"])


class Tag(db.Model):
    """A keyword: `name` as first typed (NB-IoT), `match_key` the case- and width-folded form it is unique by."""

    __tablename__ = "tags"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(40), nullable=False)  # shown
    match_key = db.Column(db.String(40), nullable=False, unique=True, default=_match_key)  # tags.tag_key(name)

    def __repr__(self):
        return f"<Tag {self.name}>"


class Listing(db.Model):
    __tablename__ = "listings"
    # Public lists, home page and counts (listings.queries.public_listings / organisation_listings): equality on
    # status and kind (or organisation), newest first. The index gives the order (no sort of the whole set) and
    # carries valid_until, so counts never touch the table. Plans are checked by tests/functional/test_query_plans.
    __table_args__ = (
        db.Index("ix_listings_public_newest", "status", "kind", "published_at", "id", "valid_until"),
        db.Index("ix_listings_org_newest", "organisation_id", "status", "published_at", "id"),
        db.Index("ix_listings_owner_status", "owner_id", "status"),  # the owner's workspace, counted by state
    )

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(20), nullable=False)  # achievement | need (indexed by ix_listings_public_newest)
    external_id = db.Column(db.String(64), unique=True)  # set by bulk import; idempotency key
    title = db.Column(db.String(200), nullable=False)
    summary = db.Column(db.Text, nullable=False, default="")  # public text
    description = db.Column(db.Text, nullable=False, default="")  # achievements: confidential tier
    industry = db.Column(db.String(30), nullable=False, index=True)
    region = db.Column(db.String(20), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False, default="draft")  # indexed by ix_listings_public_newest
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False, index=True)

    price_wan = db.Column(db.Numeric(12, 2))  # achievements: asking price; needs: budget (万元)
    price_negotiable = db.Column(db.Boolean, nullable=False, default=False)
    cooperation_mask = db.Column(db.Integer, nullable=False, default=0)  # taxonomy.COOPERATION_BITS
    valid_until = db.Column(db.Date)  # expires automatically after this day

    # never public; a later issue adds a consent-based contact flow
    contact_name = db.Column(db.String(60))
    contact_phone = db.Column(db.String(30))
    contact_email = db.Column(db.String(254))

    # Edits to a published listing wait here for review while the published version stays online.
    pending_revision = db.Column(db.JSON)
    revision_submitted_at = db.Column(db.DateTime)

    rejection_reason = db.Column(db.String(500))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    submitted_at = db.Column(db.DateTime)
    published_at = db.Column(db.DateTime, index=True)

    # --- achievements ---
    maturity = db.Column(db.String(20), index=True)  # taxonomy.MATURITIES
    trl = db.Column(db.Integer)  # 1-9
    ip_type = db.Column(db.String(30))
    ip_numbers = db.Column(db.String(300))
    ip_status = db.Column(db.String(20))
    source_programme = db.Column(db.String(30), index=True)
    project_number = db.Column(db.String(60))
    acceptance_status = db.Column(db.String(20))
    lead_institution = db.Column(db.String(120))

    # --- needs ---
    indicators = db.Column(db.Text)  # 技术指标
    deadline = db.Column(db.Date)
    min_maturity = db.Column(db.String(20))
    hide_org_name = db.Column(db.Boolean, nullable=False, default=False)

    owner = db.relationship("User", foreign_keys=[owner_id])
    organisation = db.relationship("Organisation", foreign_keys=[organisation_id])
    tags = db.relationship("Tag", secondary=listing_tags, lazy="selectin", order_by="Tag.name")
    attachments = db.relationship(
        "Attachment", back_populates="listing", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    events = db.relationship(
        "ListingEvent", back_populates="listing", cascade="all, delete-orphan", order_by="ListingEvent.id"
    )

    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "listing"}

    @property
    def cooperation_modes(self):
        return taxonomy.modes_from_mask(self.cooperation_mask)

    @cooperation_modes.setter
    def cooperation_modes(self, codes):
        self.cooperation_mask = taxonomy.mask_from_modes(codes)

    @property
    def price_band(self):
        return taxonomy.price_band(self.price_wan, self.price_negotiable)

    @property
    def tag_names(self):
        return [t.name for t in self.tags]

    @property
    def is_published(self):
        return self.status == "published"

    def __repr__(self):
        return f"<{type(self).__name__} {self.id} {self.status} {self.title[:20]}>"


def negotiable_last():
    """ORDER BY term of the price sorts: false for a listing with a price, true for 面议 (negotiable or no price).

    The very expression of the price indexes below, which SQLite and PostgreSQL then read in order instead of
    sorting the whole public set. A boolean, not a CASE: PostgreSQL prints a CASE of an index back on several
    lines, which the migration test (alembic) cannot compare equal to the model's."""
    return db.or_(Listing.price_negotiable.is_(True), Listing.price_wan.is_(None))


# The price sorts of the public lists (queries.apply_sort): equality on status and kind, then the sort's own terms,
# so that the first page is read in index order. One index per direction (the tie-break is newest first in both).
# Grouping: PostgreSQL wants an expression of an index in parentheses.
db.Index(
    "ix_listings_public_price_asc",
    Listing.status,
    Listing.kind,
    Grouping(negotiable_last()),
    Listing.price_wan,
    Listing.published_at.desc(),
    Listing.id.desc(),
)
db.Index(
    "ix_listings_public_price_desc",
    Listing.status,
    Listing.kind,
    Grouping(negotiable_last()),
    Listing.price_wan.desc(),
    Listing.published_at.desc(),
    Listing.id.desc(),
)


class Achievement(Listing):
    __mapper_args__ = {"polymorphic_identity": "achievement"}


class Need(Listing):
    __mapper_args__ = {"polymorphic_identity": "need"}


class Attachment(db.Model):
    """A PDF or image stored under a generated name; the original file name is kept as data only."""

    __tablename__ = "attachments"

    id = db.Column(db.Integer, primary_key=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    stored_name = db.Column(db.String(64), nullable=False, unique=True)
    original_name = db.Column(db.String(255), nullable=False)
    content_type = db.Column(db.String(50), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    listing = db.relationship("Listing", back_populates="attachments")


class ListingEvent(db.Model):
    """One state change (or revision decision) of a listing: who, when, why."""

    __tablename__ = "listing_events"

    id = db.Column(db.Integer, primary_key=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"))  # None: the system (expiry, import)
    from_status = db.Column(db.String(20))
    to_status = db.Column(db.String(20), nullable=False)
    action = db.Column(db.String(30), nullable=False)  # create, submit, approve, reject, withdraw, expire, ...
    reason = db.Column(db.String(500))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    listing = db.relationship("Listing", back_populates="events")
    actor = db.relationship("User")


class ListingChange(db.Model):
    """The change log: one row per change of a listing's content or status (deletions too), written in the
    same transaction as the change by listings.changes.record_changes, consumed after commit by the search index
    (search/apply.py) and the suggestions (matching/services.py, matching/pools.py).

    Rows are never updated by the consumers: each consumer remembers the last change id it applied, so several
    hosts can each keep their own copy in step from the same log. (The table keeps the name it was released
    with, from when only search read it.)
    """

    __tablename__ = "index_changes"

    id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    listing_id = db.Column(db.Integer, nullable=False, index=True)  # no FK: deletes are logged too
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
