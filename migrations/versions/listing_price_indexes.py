"""Indexes for the price sorts of the public lists (price ascending / descending, 面议 last, newest first on ties).

Revision ID: listing_price_indexes
Revises: deals_brokers
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "listing_price_indexes"
down_revision = "deals_brokers"
branch_labels = None
depends_on = None

# The ORDER BY term of queries.apply_sort (models.negotiable_last), as each database spells it.
NEGOTIABLE_LAST = {
    "sqlite": "(price_negotiable IS 1 OR price_wan IS NULL)",
    "postgresql": "(price_negotiable IS true OR price_wan IS NULL)",
}


def upgrade():
    negotiable_last = sa.text(NEGOTIABLE_LAST[op.get_bind().dialect.name])
    for name, price in (("ix_listings_public_price_asc", "price_wan"), ("ix_listings_public_price_desc", "price_wan DESC")):
        op.create_index(
            name,
            "listings",
            ["status", "kind", negotiable_last, sa.text(price), sa.text("published_at DESC"), sa.text("id DESC")],
            unique=False,
        )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=2000")
    op.execute("ANALYZE listings")


def downgrade():
    op.drop_index("ix_listings_public_price_desc", table_name="listings")
    op.drop_index("ix_listings_public_price_asc", table_name="listings")
