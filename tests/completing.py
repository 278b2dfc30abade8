"""Completing demo returns through the station's own services (no Qt), for tests that need
what a station writes: refunds, outbox events, audit entries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from sqlmodel import Session, col, select

from returnsdesk.data.models import Order, OrderLine, Product, ProductGtin, Return, ReturnLine
from returnsdesk.data.return_writer import ReturnLineValues, ReturnWriter
from returnsdesk.domain.barcodes import ups_check_digit
from returnsdesk.domain.clock import utc_now
from returnsdesk.domain.inspection import ParcelInspection
from returnsdesk.domain.policy import (
    AmountByCurrency,
    Grade,
    GradingScale,
    InstantRefundRule,
    Policies,
)
from returnsdesk.domain.vocabulary import Disposition
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.operators import sign_in
from returnsdesk.services.station import ParcelOpened, StationService
from returnsdesk.services.views import CompletionResult, ReceivedParcel


def station_service(
    env: StationEnvironment,
    *,
    operator_code: str = "OP-0001",
    station_code: str = "STATION-01",
    pin: str | None = None,
) -> StationService:
    with env.database.session() as session:
        context = sign_in(session, operator_code=operator_code, station_code=station_code, pin=pin)
    return StationService(
        database=env.database,
        policies=env.policies,
        context=context,
        scan_rules=env.scan_rules,
        clock=utc_now,  # the demo's dates are relative to the machine's clock
    )


def demo_parcel(env: StationEnvironment, rma_number: str) -> DemoParcel:
    assert env.demo is not None
    return next(p for p in env.demo.parcels if p.rma_number == rma_number)


def three_unit_parcel(env: StationEnvironment) -> DemoParcel:
    """A demo parcel of three units, none with a serial to scan."""
    assert env.demo is not None
    return next(
        p
        for p in env.demo.parcels
        if sum(i.quantity for i in p.items) == 3 and not any(i.serial_numbers for i in p.items)
    )


def complete_parcel(
    service: StationService,
    parcel: DemoParcel,
    *,
    grade: str = "2",
    override: Disposition | None = None,
) -> CompletionResult:
    """Receive the parcel, inspect every expected unit with ``grade`` and complete it
    (overriding each unit's disposition with ``override``, if given)."""
    received, work = inspect_parcel(service, parcel, grade=grade, override=override)
    return service.complete(received.parcel_id, work)


def inspect_parcel(
    service: StationService,
    parcel: DemoParcel,
    *,
    grade: str = "2",
    override: Disposition | None = None,
    resume: bool = False,
) -> tuple[ReceivedParcel, ParcelInspection]:
    """``complete_parcel`` up to the completion: the parcel received, every unit inspected.

    ``resume``: start from the parcel's stored inspection, as the station does on a scan
    (``resume_inspection``), instead of a new one."""
    opened = service.open_parcel(service.classify(parcel.tracking_number or parcel.rma_number))
    assert isinstance(opened, ParcelOpened), parcel.rma_number
    work = (
        service.resume_inspection(opened.parcel)
        if resume
        else service.new_inspection(opened.parcel.view)
    )
    for item in parcel.items:
        for unit in range(item.quantity):
            product = service.resolve_item(service.classify(item.gtin), opened.parcel.view)
            work.begin_unit(product, now=service.clock())
            assert work.current is not None
            if work.current.step.value == "serial":
                work.scan_serial(item.serial_numbers[unit])
            work.grade(grade)
            while work.current is not None and work.current.step.value == "checklist":
                work.answer(True)
            if override is None:
                work.accept(now=service.clock())
            else:
                work.accept(now=service.clock(), override=override, reason="test override")
    return opened.parcel, work


def with_two_more_grades(policies: Policies) -> Policies:
    """The demo's grading scale and two grades of a site's own (keys 6 and 7)."""
    grading = policies.grading
    extra = (
        Grade(code="G", label="Gift box open", description="", key="6"),
        Grade(code="H", label="Parts only", description="", key="7"),
    )
    return replace(policies, grading=GradingScale(grading.grades + extra, grading.evidence))


def trusting(env: StationEnvironment, limit: str = "100000", **signed_in: str) -> StationService:
    """A station whose refund policy releases refunds on receipt for a customer with one clean
    return before (values up to ``limit``)."""
    service = station_service(env, **signed_in)
    rule = InstantRefundRule(min_returns=1, max_value=AmountByCurrency(Decimal(limit)))
    service.policies = replace(
        env.policies, refunds=replace(env.policies.refunds, instant_refund=rule)
    )
    return service


def known_customer(env: StationEnvironment, service: StationService, rma: str) -> None:
    """Given the customer of ``rma`` completed a clean return before (RMA-100001, same e-mail)."""
    complete_parcel(service, demo_parcel(env, "RMA-100001"))
    with env.database.session() as session:
        first = session.exec(select(Return).where(Return.rma_number == "RMA-100001")).one()
        this = session.exec(select(Return).where(Return.rma_number == rma)).one()
        this.customer_email = first.customer_email.upper()  # e-mails compare case-blind
        session.add(this)


def ups_tracking(shipper: str, package: int) -> str:
    """A UPS 1Z tracking number with its check digit (``shipper``: six letters or digits)."""
    body = f"{shipper}03{package:07d}"
    return "1Z" + body + ups_check_digit(body)


def same_numbers_for_shop(
    env: StationEnvironment, parcel: DemoParcel, client: str, tracking: str
) -> DemoParcel:
    """A client shop's return under the same RMA and order number as the demo's ``parcel``
    (every shop numbers its own), with the same items, arriving under ``tracking``: what that
    shop's pull would write (``ReturnWriter``, the one writer of the aggregate)."""
    with env.database.session() as session:
        source = session.exec(
            select(Return).where(
                Return.rma_number == parcel.rma_number, col(Return.client_code).is_(None)
            )
        ).one()
        writer = ReturnWriter.load(session, rma_numbers={parcel.rma_number})
        order = session.get(Order, source.order_id)
        assert order is not None
        copy = writer.order(
            order.number,
            client,
            customer_name=order.customer_name,
            customer_email=order.customer_email,
            currency=order.currency,
            placed_at=order.placed_at,
            delivered_at=order.delivered_at,
        )
        lines = []
        for return_line in session.exec(
            select(ReturnLine).where(ReturnLine.return_id == source.id)
        ):
            ordered = session.get(OrderLine, return_line.order_line_id)
            assert ordered is not None
            product = session.get(Product, ordered.product_id)
            assert product is not None
            # The shop's own catalogue: an item scan finds products of the return's shop only.
            own = writer.product(
                client, product.sku, **product.model_dump(exclude={"id", "client_code", "sku"})
            )
            for gtin in session.exec(
                select(ProductGtin.gtin).where(ProductGtin.product_id == product.id)
            ):
                writer.gtin(gtin, own)
            copied = writer.order_line(
                copy,
                None,
                product_id=own.id,
                sku=ordered.sku,
                quantity=ordered.quantity,
                unit_price=ordered.unit_price,
                currency=ordered.currency,
                serial_numbers=list(ordered.serial_numbers),
            )
            lines.append(ReturnLineValues(copied, return_line.quantity, return_line.reason_code))
        return_ = writer.return_(
            parcel.rma_number,
            client,
            order_id=copy.id,
            customer_name=source.customer_name,
            customer_email=source.customer_email,
            policy_window_days=source.policy_window_days,
        )
        writer.set_return_lines(return_, lines)
        writer.tracking_number(return_, tracking, "UPS")
    return replace(parcel, tracking_number=tracking)


def same_numbers_for_shops(
    env: StationEnvironment, parcel: DemoParcel, clients: Sequence[str]
) -> None:
    """``same_numbers_for_shop`` for each of ``clients``, each under a tracking number of its
    own: many shops using one RMA (a 3PL desk's shops all start at #1001)."""
    for n, client in enumerate(clients, start=1):
        same_numbers_for_shop(env, parcel, client, ups_tracking(f"SHOP{n:02d}", n))


def hand_to_client(session: Session, rma_number: str, client_code: str) -> Return:
    """The demo return (and its order) as a client shop's feed would have written it: tagged
    with the shop, its lines naming products of the shop's own catalogue (copies of the
    demo's, with their GTINs), since an item scan finds products of the return's shop only."""
    return_ = session.exec(select(Return).where(Return.rma_number == rma_number)).one()
    order = session.get(Order, return_.order_id)
    assert order is not None
    return_.client_code = order.client_code = client_code
    copies: dict[uuid.UUID, Product] = {}
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all():
        if line.product_id not in copies:
            product = session.get(Product, line.product_id)
            assert product is not None
            copies[line.product_id] = session.exec(  # by an earlier return of the shop
                select(Product).where(
                    Product.client_code == client_code, Product.sku == product.sku
                )
            ).first() or _copy_to_shop(session, product, client_code)
        line.product_id = copies[line.product_id].id
        session.add(line)
    session.add_all([return_, order])
    return return_


def _copy_to_shop(session: Session, product: Product, client_code: str) -> Product:
    """The product, with its GTINs, in the client shop's catalogue."""
    copy = Product(client_code=client_code, **product.model_dump(exclude={"id", "client_code"}))
    session.add(copy)
    for gtin in session.exec(select(ProductGtin.gtin).where(ProductGtin.product_id == product.id)):
        session.add(ProductGtin(product_id=copy.id, gtin=gtin, client_code=client_code))
    return copy


def rename_customer(env: StationEnvironment, client_code: str, name: str) -> None:
    """The client shop's returns and orders are another customer's (``same_numbers_for_shop``
    copies the demo's), so a page showing one shop's return shows whose it is."""
    with env.database.session() as session:
        for row in [
            *session.exec(select(Return).where(Return.client_code == client_code)),
            *session.exec(select(Order).where(Order.client_code == client_code)),
        ]:
            row.customer_name = name
            session.add(row)
