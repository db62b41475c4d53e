"""Composite indexes for public lists, home page and counts; fresh planner statistics.

Revision ID: perf_listing_indexes
Revises: 3d831d0dab1e
Create Date: 2026-11-30
"""
from alembic import op

revision = "perf_listing_indexes"
down_revision = "refactor_tag_display_form"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index("ix_listings_public_newest", ["status", "kind", "published_at", "id", "valid_until"],
                              unique=False)
        batch_op.create_index("ix_listings_org_newest", ["organisation_id", "status", "published_at", "id"],
                              unique=False)
        # status and (status, kind) are prefixes of ix_listings_public_newest; kind alone is never queried
        batch_op.drop_index("ix_listings_status")
        batch_op.drop_index("ix_listings_kind")
    # Statistics for the planner (an existing database may hold 100k listings): SQLite's ANALYZE bounded by
    # analysis_limit, PostgreSQL's ANALYZE of the table.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=2000")
        op.execute("ANALYZE listings")
    else:
        op.execute("ANALYZE listings")


def downgrade():
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index("ix_listings_kind", ["kind"], unique=False)
        batch_op.create_index("ix_listings_status", ["status"], unique=False)
        batch_op.drop_index("ix_listings_org_newest")
        batch_op.drop_index("ix_listings_public_newest")
