"""Audit trail: keyed and append-only (issue 11).

* ``audit_entries.algorithm``: how each entry's hash was made. Existing rows become "sha256"
  (the plain chain they were written with; they are not re-sealed, which would vouch for
  history nobody checked). New entries are "hmac-sha256" under the audit key
  (data/audit_key.py), and the first of them covers the last plain entry's hash: from then on
  an edit anywhere before it breaks the chain too. Until that first keyed entry, an upgraded
  trail is only as strong as the plain chain was (``returnsdesk audit verify`` says so).
* ``audit_seal``: one row holding the newest entry's sequence and hash under the key,
  rewritten in the same transaction as every append, so deleting the newest entries shows.
* Triggers refusing UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) of ``audit_entries``:
  a mistake or a casual edit fails loudly. Someone who can drop a trigger can still tamper;
  the keyed chain and the seal make that visible.

PostgreSQL privileges. The station's role owns nothing: IT runs migrations with an owner role
and grants the station's role only what it needs on the audit tables::

    GRANT SELECT, INSERT ON audit_entries TO returnsdesk_station;
    GRANT SELECT, INSERT, UPDATE ON audit_seal TO returnsdesk_station;

(no UPDATE, DELETE or TRUNCATE on ``audit_entries``, and no ownership, since an owner can drop
the trigger). The other tables keep SELECT, INSERT, UPDATE, DELETE as before (docs/it-guide.md).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSED = "audit_entries is append-only"

_SQLITE_TRIGGERS = {
    "audit_entries_no_update": "UPDATE",
    "audit_entries_no_delete": "DELETE",
}

_POSTGRES_FUNCTION = f"""
CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{_REFUSED}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_POSTGRES_TRIGGERS = {
    "audit_entries_no_update_delete": "BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW",
    "audit_entries_no_truncate": "BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT",
}


def upgrade() -> None:
    op.add_column(
        "audit_entries",
        sa.Column("algorithm", sa.String(length=16), nullable=False, server_default="sha256"),
    )
    op.create_table(
        "audit_seal",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("head_sequence", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("legacy_until", sa.Integer(), nullable=False),
        sa.Column("sealed_at", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_seal")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        for name, when in _POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION audit_entries_append_only()")
    else:
        for name, statement in _SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {statement} ON audit_entries"
                f" BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in _POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("audit_seal")
    # Keyed entries stay, but 0008's code would verify them as plain hashes and fail.
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("algorithm")
