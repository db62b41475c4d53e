"""Index for the owner's workspace: listings by owner and state (/me/ counts them grouped by state).

With only the single-column owner index, SQLite at 10,000 listings chose to scan the whole public-list index to
avoid sorting for GROUP BY status (7 ms a view); (owner_id, status) gives both the rows and their order.

Revision ID: listing_owner_status_index
Revises: listing_price_indexes
Create Date: 2026-12-01
"""
from alembic import op

revision = "listing_owner_status_index"
down_revision = "listing_price_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_listings_owner_status", "listings", ["owner_id", "status"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=2000")
    op.execute("ANALYZE listings")


def downgrade():
    op.drop_index("ix_listings_owner_status", table_name="listings")
