"""Labels: the print_jobs queue, and each inspected unit's license plate.

Units inspected before this revision get their license plate too (the same function of their
id as ``returnsdesk.domain.labels.license_plate``, copied here so this script never changes), so
their labels can be reprinted and their plates found in the shift history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:56:49.327594
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnsdesk.data.types

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("parcel_id", sa.Uuid(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("license_plate", sa.String(length=16), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("printer", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued", "printed", "failed", name="printjobstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", returnsdesk.data.types.UTCDateTime(), nullable=False),
        sa.Column("printed_at", returnsdesk.data.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
            name=op.f("fk_print_jobs_parcel_id_parcels"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_print_jobs_station_id_stations"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_jobs")),
    )
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_jobs_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_print_jobs_license_plate"), ["license_plate"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_print_jobs_parcel_id"), ["parcel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_jobs_station_id"), ["station_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_jobs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_jobs_unit_id"), ["unit_id"], unique=False)

    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("license_plate", sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_inspections_license_plate"), ["license_plate"]
        )
    _backfill_license_plates()


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _plate(unit_id: uuid.UUID) -> str:
    bits = unit_id.int & ((1 << 50) - 1)
    chars = []
    for _ in range(10):
        bits, digit = divmod(bits, 32)
        chars.append(_CROCKFORD[digit])
    return "LP" + "".join(reversed(chars))


def _backfill_license_plates() -> None:
    inspections = sa.table(
        "inspections",
        sa.column("id", sa.Uuid()),
        sa.column("outcome", sa.String()),
        sa.column("license_plate", sa.String()),
    )
    connection = op.get_bind()
    ids = connection.execute(
        sa.select(inspections.c.id).where(inspections.c.outcome == "inspected")
    ).scalars()
    # One executemany per 10,000 rows, not a statement per row: a station with a million
    # inspections upgrades in seconds rather than minutes.
    update = (
        inspections.update()
        .where(inspections.c.id == sa.bindparam("b_id"))
        .values(license_plate=sa.bindparam("b_plate"))
    )
    rows = [{"b_id": unit_id, "b_plate": _plate(unit_id)} for unit_id in ids]
    for start in range(0, len(rows), 10_000):
        connection.execute(update, rows[start : start + 10_000])


def downgrade() -> None:
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_inspections_license_plate"), type_="unique")
        batch_op.drop_column("license_plate")

    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_jobs_unit_id"))
        batch_op.drop_index(batch_op.f("ix_print_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_print_jobs_station_id"))
        batch_op.drop_index(batch_op.f("ix_print_jobs_parcel_id"))
        batch_op.drop_index(batch_op.f("ix_print_jobs_license_plate"))
        batch_op.drop_index(batch_op.f("ix_print_jobs_created_at"))

    op.drop_table("print_jobs")
