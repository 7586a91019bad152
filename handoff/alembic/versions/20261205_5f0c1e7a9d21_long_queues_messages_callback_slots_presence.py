"""long queues: left messages, callback slots, agent presence

Revision ID: 5f0c1e7a9d21
Revises: f5986c1fa9f4
Create Date: 2026-12-05 11:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5f0c1e7a9d21'
down_revision = 'f5986c1fa9f4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'mode',
                sa.Enum('live', 'message', name='handoffmode', native_enum=False, length=8),
                nullable=False,
                server_default='live',
            )
        )
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('keep_open_until', sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table('callback_tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handoff_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('done_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_callback_tickets_handoff_id'), ['handoff_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_callback_tickets_handoff_id_handoffs'),
            'handoffs',
            ['handoff_id'],
            ['id'],
            ondelete='SET NULL',
        )

    op.create_table(
        'agent_presence',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['agent_id'], ['agents.id'],
            name=op.f('fk_agent_presence_agent_id_agents'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_presence')),
    )
    with op.batch_alter_table('agent_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_presence_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_agent_presence_started_at'), ['started_at'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_agent_presence_ended_at'), ['ended_at'], unique=False)
    # Staff online while this runs count from their last heartbeat, not from nothing.
    op.execute(
        "INSERT INTO agent_presence (agent_id, started_at) "
        "SELECT id, COALESCE(last_seen_at, CURRENT_TIMESTAMP) FROM agents WHERE online"
    )


def downgrade() -> None:
    op.drop_table('agent_presence')
    with op.batch_alter_table('callback_tickets', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_callback_tickets_handoff_id_handoffs'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_callback_tickets_handoff_id'))
        batch_op.drop_column('note')
        batch_op.drop_column('done_at')
        batch_op.drop_column('handoff_id')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('keep_open_until')
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_column('due_at')
        batch_op.drop_column('mode')
