"""matching: calibrated percent of each stored suggestion

Revision ID: matching_percent
Revises: 3d831d0dab1e
Create Date: 2026-11-30 14:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'matching_percent'
down_revision = 'events_roadshows'
branch_labels = None
depends_on = None


def upgrade():
    # Rows stored before this revision read 0 until `flask match refresh` (or the updater) recomputes them.
    with op.batch_alter_table('match_suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('percent', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('match_suggestions', schema=None) as batch_op:
        batch_op.drop_column('percent')
