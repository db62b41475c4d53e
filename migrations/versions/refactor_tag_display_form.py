"""tags keep the form the owner typed; unique by a case- and width-folded match key

Existing tag names were stored case-folded, so their key is their name.

Revision ID: refactor_tag_display_form
Revises: 3d831d0dab1e
Create Date: 2026-11-30 14:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "refactor_tag_display_form"
down_revision = "3d831d0dab1e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("match_key", sa.String(length=40), nullable=True))
    tags = sa.table("tags", sa.column("name", sa.String), sa.column("match_key", sa.String))
    op.execute(tags.update().values(match_key=tags.c.name))
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.alter_column("match_key", existing_type=sa.String(length=40), nullable=False)
        batch_op.drop_constraint("uq_tags_name", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_tags_match_key"), ["match_key"])


def downgrade():
    tags = sa.table("tags", sa.column("name", sa.String), sa.column("match_key", sa.String))
    op.execute(tags.update().values(name=tags.c.match_key))
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_tags_match_key"), type_="unique")
        batch_op.create_unique_constraint("uq_tags_name", ["name"])
        batch_op.drop_column("match_key")
