"""Matching: precomputed suggestions, dismissals, per-listing matching attributes, follows and saved searches.

Their notifications live in marketplace.notifications."""

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models_base import utcnow

# The one table of dismissal reasons: code -> (label, score added to similar candidates later; None: no demotion).
DISMISS_REASONS = {
    "irrelevant": (_l("不相关"), -0.25),
    "maturity": (_l("成熟度不够"), -0.15),
    "price": (_l("价格不合适"), -0.15),
    "contacted": (_l("已联系"), None),
    "other": (_l("其他"), -0.1),
}


class MatchProfile(db.Model):
    """What the matcher keeps about a listing beyond the listing itself.

    `discipline`/`category` come from bulk imports that carry them (the CSL format's field/category); a listing
    without a profile is grouped by its industry.
    """

    __tablename__ = "match_profiles"

    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    discipline = db.Column(db.String(60))
    category = db.Column(db.String(30))
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Suggestion(db.Model):
    """One precomputed pair, stored from the side of `listing` (the one whose owner sees it)."""

    __tablename__ = "match_suggestions"
    __table_args__ = (db.UniqueConstraint("listing_id", "candidate_id", name="uq_match_suggestions_pair"),)

    id = db.Column(db.Integer, primary_key=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    candidate_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    rank = db.Column(db.Integer, nullable=False)
    score = db.Column(db.Float, nullable=False)  # the ranker's raw score: orders a listing's suggestions
    percent = db.Column(db.Integer, nullable=False, default=0, server_default="0")  # calibration.percent: shown
    factors = db.Column(db.JSON, nullable=False, default=list)  # explain.factor_items
    computed_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    listing = db.relationship("Listing", foreign_keys=[listing_id])
    candidate = db.relationship("Listing", foreign_keys=[candidate_id])


class Dismissal(db.Model):
    """A user said a pair does not fit; the pair never comes back for that user."""

    __tablename__ = "match_dismissals"
    __table_args__ = (db.UniqueConstraint("user_id", "listing_id", "candidate_id", name="uq_match_dismissals"),)

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False)
    candidate_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False)
    reason = db.Column(db.String(20), nullable=False)  # DISMISS_REASONS
    note = db.Column(db.String(200))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")
    listing = db.relationship("Listing", foreign_keys=[listing_id])
    candidate = db.relationship("Listing", foreign_keys=[candidate_id])


class MatchState(db.Model):
    """Progress of the suggestion updater through the ListingChange log (one row per consumer name)."""

    __tablename__ = "match_state"

    name = db.Column(db.String(40), primary_key=True)
    last_change_id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"), nullable=False, default=0)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Follow(db.Model):
    """A user follows a listing's suggestions: told when a newly published listing enters them."""

    __tablename__ = "match_follows"
    __table_args__ = (db.UniqueConstraint("user_id", "listing_id", name="uq_match_follows"),)

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    listing = db.relationship("Listing")


class SavedSearch(db.Model):
    """A query with facets; a newly published listing that matches it is notified to its owner."""

    __tablename__ = "match_saved_searches"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    query = db.Column(db.String(200), nullable=False, default="")
    filters = db.Column(db.JSON, nullable=False, default=dict)  # URL argument -> [codes] (listings/filters.py)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def label(self):
        """The search in words, with Chinese labels: "导热 · 科技成果 · 新材料"."""
        from ..listings.filters import describe

        return describe(self.query, self.filters or {})

    @property
    def url_args(self):
        """The search page's arguments that run this search again."""
        from ..listings.filters import read

        args = read(self.filters or {})
        return {"q": self.query, **args} if self.query else args
