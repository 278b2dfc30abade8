"""Random scans and keys at the station: never two refunds for a return, never a refund above
what was paid, never an exception, always a clear answer on screen."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import Session, col, func, select

from completing import station_service, three_unit_parcel
from returnsdesk.data.db import Database, make_engine
from returnsdesk.data.models import OrderLine, Refund, RefundLine, ReturnLine
from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.station.screen import Sound, Tone
from returnsdesk.station.workflow import AskOverride, AskUnexpectedNote
from workflow_driver import Station

KEYS = [
    "1",
    "2",
    "3",
    "4",
    "5",
    "9",
    "Y",
    "N",
    "Enter",
    "Esc",
    "O",
    "F2",
    "F4",
    "F5",
    "F7",
    "F8",
    "F9",
]
JUNK = ["XK-JUNK-7", "RMA-999999", "1Z999AA10123456784", "0000000000000", "<b>x</b>", "12"]


def _parcels(env: StationEnvironment) -> list[DemoParcel]:
    """The designed scenarios, and a parcel of three units."""
    assert env.demo is not None
    designed = [p for p in env.demo.parcels if p.rma_number <= "RMA-100005"]
    return [*designed, three_unit_parcel(env)]


class StationMachine(RuleBasedStateMachine):
    def __init__(self, env: StationEnvironment, parcels: list[DemoParcel]) -> None:
        super().__init__()
        self.env = env
        self.parcels = parcels
        self.station = Station(station_service(env))
        self.labels = [p.tracking_number for p in parcels] + [p.rma_number for p in parcels]
        self.gtins = [item.gtin for p in parcels for item in p.items]
        self.serials = [s for p in parcels for item in p.items for s in item.serial_numbers]

    def _input(self, sounds_before: int) -> None:
        """Every input is answered on screen: a rejection is red, with the error sound."""
        banner = self.station.screen.banner
        assert banner.text.strip() and banner.text.isprintable(), repr(banner.text)
        assert len(banner.text) < 300, banner.text
        if banner.tone is Tone.ERROR and self.station.reaction.sounds:
            assert Sound.SCAN_ERROR in self.station.sounds[sounds_before:]

    @rule(index=st.integers(0, 11))
    def scan_parcel_label(self, index: int) -> None:
        before = len(self.station.sounds)
        self.station.scan(self.labels[index % len(self.labels)])
        self._input(before)

    @rule(index=st.integers(0, 20))
    def scan_item(self, index: int) -> None:
        before = len(self.station.sounds)
        self.station.scan(self.gtins[index % len(self.gtins)])
        self._input(before)

    @precondition(lambda self: self.station.workflow.parcel is not None)
    @rule(index=st.integers(0, 5), serial=st.booleans())
    def scan_an_item_of_the_open_parcel(self, index: int, serial: bool) -> None:
        """Mostly the right items, so that returns get completed (and refunded) too."""
        parcel = self.station.workflow.parcel
        assert parcel is not None
        demo = next(p for p in self.parcels if p.rma_number == parcel.view.rma_number)
        item = demo.items[index % len(demo.items)]
        before = len(self.station.sounds)
        if serial and item.serial_numbers:
            self.station.scan(item.serial_numbers[index % len(item.serial_numbers)])
        else:
            self.station.scan(item.gtin)
        self._input(before)

    @rule(index=st.integers(0, 5))
    def scan_serial(self, index: int) -> None:
        before = len(self.station.sounds)
        self.station.scan(self.serials[index % len(self.serials)])
        self._input(before)

    @rule(junk=st.sampled_from(JUNK) | st.text(max_size=24))
    def scan_junk(self, junk: str) -> None:
        before = len(self.station.sounds)
        self.station.scan(junk)
        self._input(before)

    @rule(key=st.sampled_from(KEYS) | st.sampled_from(["2", "Y", "Enter"]))
    def press(self, key: str) -> None:
        before = len(self.station.sounds)
        self.station.press(key)
        self._input(before)

    @rule(text=st.text(max_size=20))
    def keep_note(self, text: str) -> None:
        self.station.note(text)

    @precondition(lambda self: isinstance(self.station.asked, AskOverride))
    @rule(choice=st.sampled_from(list(Disposition)), reason=st.sampled_from(["", "box crushed"]))
    def answer_override(self, choice: Disposition, reason: str) -> None:
        self.station.override(choice, reason)

    @precondition(lambda self: isinstance(self.station.asked, AskUnexpectedNote))
    @rule(note=st.sampled_from([None, "two shoes"]))
    def answer_unexpected(self, note: str | None) -> None:
        self.station.asked = None
        self.station.receive_unexpected(note)

    @invariant()
    def one_refund_per_return_never_above_what_was_paid(self) -> None:
        with self.env.database.session() as session:
            counts = session.exec(
                select(Refund.return_id, func.count()).group_by(Refund.return_id)
            ).all()
            assert all(count == 1 for _return, count in counts), counts
            for refund in session.exec(select(Refund)).all():
                lines = session.exec(
                    select(RefundLine).where(RefundLine.refund_id == refund.id)
                ).all()
                assert all(Decimal(0) <= line.amount <= line.gross for line in lines)
                paid = _paid(session, refund.return_id)
                assert Decimal(0) <= refund.total <= paid, (refund.total, paid)


def _paid(session: Session, return_id: uuid.UUID) -> Decimal:
    """What the customer paid for the units of the return."""
    rows = session.exec(
        select(OrderLine.unit_price, ReturnLine.quantity)
        .join(ReturnLine, col(ReturnLine.order_line_id) == col(OrderLine.id))
        .where(ReturnLine.return_id == return_id)
    ).all()
    return sum((price * quantity for price, quantity in rows), Decimal(0))


def test_random_scans_and_keys_never_refund_twice_or_too_much(
    demo_env: StationEnvironment, tmp_path: Path
) -> None:
    # One demo database, copied fresh for each example (seeding one takes a second).
    template = str(make_engine_path(demo_env))
    parcels = _parcels(demo_env)
    copies: list[Database] = []

    def fresh_station() -> StationMachine:
        path = tmp_path / f"example-{len(copies)}.sqlite3"
        with sqlite3.connect(template) as source, sqlite3.connect(path) as copy:
            source.backup(copy)
        database = Database(make_engine(f"sqlite:///{path}"))
        copies.append(database)
        return StationMachine(replace(demo_env, database=database), parcels)

    try:
        run_state_machine_as_test(
            fresh_station,
            settings=settings(
                max_examples=25,
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        for database in copies:
            database.dispose()


def make_engine_path(env: StationEnvironment) -> Path:
    database = env.database.engine.url.database
    assert database is not None
    return Path(database)
