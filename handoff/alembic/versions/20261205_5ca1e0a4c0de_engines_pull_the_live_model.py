"""engines pull the live model: model archives, the engine's model per gateway

Revision ID: 5ca1e0a4c0de
Revises: c00f9ae313a9
Create Date: 2026-12-05 11:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5ca1e0a4c0de'
down_revision = 'c00f9ae313a9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'content_model_archives',
        sa.Column('model_id', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('model_id', name=op.f('pk_content_model_archives')),
    )
    with op.batch_alter_table('content_gateways', schema=None) as batch_op:
        batch_op.add_column(sa.Column('engine_model', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('content_gateways', schema=None) as batch_op:
        batch_op.drop_column('engine_model')
    op.drop_table('content_model_archives')
