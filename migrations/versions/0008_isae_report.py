"""ISAE report: audit firms, sign-offs, per-language texts, signatures, issued PDFs.

Existing single-language texts become the English ones (result texts and management comments
of tests with deviations, exclusion reasons); the profile's signatory line
becomes the signatory's name; the old free-text auditor's report and the profile's auditor firm
are dropped (the structured report and the audit firm replace them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:20:28.365255

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_firm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('cvr', sa.String(length=8), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_firm')),
    sa.UniqueConstraint('name', name=op.f('uq_audit_firm_name'))
    )
    op.create_table('audit_firm_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('mne', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['firm_id'], ['audit_firm.id'], name=op.f('fk_audit_firm_member_firm_id_audit_firm')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_audit_firm_member_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_firm_member')),
    sa.UniqueConstraint('user_id', name=op.f('uq_audit_firm_member_user_id'))
    )
    with op.batch_alter_table('audit_firm_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_firm_member_firm_id'), ['firm_id'], unique=False)

    op.create_table('issued_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_issued_report_engagement_id_engagement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_report')),
    sa.UniqueConstraint('engagement_id', 'lang', name=op.f('uq_issued_report_engagement_id_lang'))
    )
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_report_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('objective_opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('achieved', sa.Boolean(), nullable=False),
    sa.Column('criterion', sa.String(length=1), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=True),
    sa.Column('reason_da', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_objective_opinion_engagement_id_engagement')),
    sa.ForeignKeyConstraint(['group_id'], ['control_group.id'], name=op.f('fk_objective_opinion_group_id_control_group')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_objective_opinion_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objective_opinion')),
    sa.UniqueConstraint('engagement_id', 'group_id', name=op.f('uq_objective_opinion_engagement_id_group_id'))
    )
    with op.batch_alter_table('objective_opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objective_opinion_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('report_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('title_da', sa.String(length=200), nullable=True),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_report_signature_engagement_id_engagement')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_report_signature_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_signature')),
    sa.UniqueConstraint('engagement_id', 'party', name=op.f('uq_report_signature_engagement_id_party'))
    )
    with op.batch_alter_table('report_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_signature_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('report_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=True),
    sa.Column('text_da', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_report_text_engagement_id_engagement')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_report_text_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_text')),
    sa.UniqueConstraint('engagement_id', 'key', name=op.f('uq_report_text_engagement_id_key'))
    )
    with op.batch_alter_table('report_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_text_engagement_id'), ['engagement_id'], unique=False)

    with op.batch_alter_table('control', schema=None) as batch_op:
        batch_op.add_column(sa.Column('test_performed_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('test_performed_da', sa.Text(), nullable=True))

    with op.batch_alter_table('control_test', schema=None) as batch_op:
        batch_op.add_column(sa.Column('test_performed_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('test_performed_da', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('result_text_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('result_text_da', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('management_comment_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('management_comment_da', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('judgement_justification', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('no_occurrences_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_control_test_reviewed_by_id_user'), 'user', ['reviewed_by_id'], ['id'])
    op.execute("UPDATE control_test SET result_text_en = result_text, "
               "management_comment_en = management_comment "
               "WHERE conclusion IN ('not_material', 'material')")
    with op.batch_alter_table('control_test', schema=None) as batch_op:
        batch_op.drop_column('management_comment')
        batch_op.drop_column('result_text')

    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('firm_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_engagement_firm_id'), ['firm_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_engagement_partner_id_user'), 'user', ['partner_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_engagement_firm_id_audit_firm'), 'audit_firm', ['firm_id'], ['id'])
        batch_op.drop_column('auditor_report')

    with op.batch_alter_table('objective_exclusion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reason_da', sa.Text(), nullable=True))
    op.execute("UPDATE objective_exclusion SET reason_en = reason")
    with op.batch_alter_table('objective_exclusion', schema=None) as batch_op:
        batch_op.drop_column('reason')

    with op.batch_alter_table('organisation_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('signatory_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('signatory_title_en', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('signatory_title_da', sa.String(length=200), nullable=True))
    op.execute("UPDATE organisation_profile SET signatory_name = signatory")
    with op.batch_alter_table('organisation_profile', schema=None) as batch_op:
        batch_op.drop_column('signatory')
        batch_op.drop_column('auditor_firm')



def downgrade():
    with op.batch_alter_table('organisation_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auditor_firm', sa.VARCHAR(length=200), nullable=True))
        batch_op.add_column(sa.Column('signatory', sa.VARCHAR(length=200), nullable=True))
    op.execute("UPDATE organisation_profile SET signatory = signatory_name")
    with op.batch_alter_table('organisation_profile', schema=None) as batch_op:
        batch_op.drop_column('signatory_title_da')
        batch_op.drop_column('signatory_title_en')
        batch_op.drop_column('signatory_name')
        batch_op.drop_column('city')

    with op.batch_alter_table('objective_exclusion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.TEXT(), nullable=False, server_default=''))
    op.execute("UPDATE objective_exclusion SET reason = COALESCE(reason_en, reason_da, '')")
    with op.batch_alter_table('objective_exclusion', schema=None) as batch_op:
        batch_op.drop_column('reason_da')
        batch_op.drop_column('reason_en')

    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auditor_report', sa.TEXT(), nullable=True))
        batch_op.drop_constraint(batch_op.f('fk_engagement_firm_id_audit_firm'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_engagement_partner_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_engagement_firm_id'))
        batch_op.drop_column('partner_id')
        batch_op.drop_column('firm_id')

    with op.batch_alter_table('control_test', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_text', sa.TEXT(), nullable=True))
        batch_op.add_column(sa.Column('management_comment', sa.TEXT(), nullable=True))
    op.execute("UPDATE control_test SET result_text = COALESCE(result_text_en, result_text_da), "
               "management_comment = COALESCE(management_comment_en, management_comment_da)")
    with op.batch_alter_table('control_test', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_control_test_reviewed_by_id_user'), type_='foreignkey')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('no_occurrences_note')
        batch_op.drop_column('judgement_justification')
        batch_op.drop_column('management_comment_da')
        batch_op.drop_column('management_comment_en')
        batch_op.drop_column('result_text_da')
        batch_op.drop_column('result_text_en')
        batch_op.drop_column('test_performed_da')
        batch_op.drop_column('test_performed_en')

    with op.batch_alter_table('control', schema=None) as batch_op:
        batch_op.drop_column('test_performed_da')
        batch_op.drop_column('test_performed_en')

    with op.batch_alter_table('report_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_text_engagement_id'))

    op.drop_table('report_text')
    with op.batch_alter_table('report_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_signature_engagement_id'))

    op.drop_table('report_signature')
    with op.batch_alter_table('objective_opinion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objective_opinion_engagement_id'))

    op.drop_table('objective_opinion')
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_report_engagement_id'))

    op.drop_table('issued_report')
    with op.batch_alter_table('audit_firm_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_firm_member_firm_id'))

    op.drop_table('audit_firm_member')
    op.drop_table('audit_firm')
