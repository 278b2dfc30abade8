"""Demo data for ``returnsdesk --demo``: a catalogue, three months of orders and open returns.

Everything comes from one seeded ``random.Random``, so a seed and a ``now`` always give the same
database content (row ids aside). GTINs use the GS1 prefix 952, reserved for demonstrations, so a
printed demo barcode never collides with a real product. E-mail addresses use the reserved
example domains.
"""

from __future__ import annotations

import logging
import random
import string
import unicodedata
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session

from returnsdesk.data import returns
from returnsdesk.data.models import (
    Operator,
    Order,
    OrderLine,
    Product,
    Station,
)
from returnsdesk.data.return_writer import ReturnLineValues, ReturnWriter
from returnsdesk.data.types import utcnow
from returnsdesk.domain.barcodes import (
    fedex_express_check_digit,
    gtin_check_digit,
    is_valid_gtin,
    normalise_gtin,
    ups_check_digit,
)
from returnsdesk.domain.vocabulary import OperatorRole, ReturnStatus
from returnsdesk.services.operators import hash_pin

logger = logging.getLogger(__name__)

CURRENCY = "EUR"
POLICY_WINDOW_DAYS = 30
ORDER_COUNT = 301
OPEN_RETURN_COUNT = 51
_LATE_RETURN_COUNT = 3  # random returns beyond the window, besides the designed one
# In-window returns come from orders delivered this recently, so the demo database stays inside
# the window for a week or two after seeding (the station counts days since delivery).
_RECENT_DELIVERY_DAYS = 21
OTHER_SCENARIO = "Other open return"


@dataclass(frozen=True)
class DemoItem:
    sku: str
    title: str
    gtin: str  # the 13-digit EAN as printed on the item
    quantity: int
    serial_numbers: tuple[str, ...]


@dataclass(frozen=True)
class DemoParcel:
    rma_number: str
    tracking_number: str
    carrier: str
    customer_name: str
    items: tuple[DemoItem, ...]
    scenario: str


@dataclass(frozen=True)
class DemoSummary:
    orders: int
    open_returns: int
    parcels: tuple[DemoParcel, ...]  # designed scenarios first, then by RMA number


# --- catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    number: int  # SKU stem
    name: str
    price: str
    weight_grams: int


@dataclass(frozen=True)
class _Category:
    name: str
    sku_prefix: str
    gs1_company: str  # 952 (demonstration prefix) + a made-up company number: 7 digits
    serialised: bool
    sizes: tuple[str, ...]  # each size is its own SKU; empty: one SKU per model
    models: tuple[_Model, ...]


_APPAREL_SIZES = ("XS", "S", "M", "L", "XL")

_CATALOGUE = (
    _Category(
        "apparel",
        "APP",
        "9521037",
        False,
        _APPAREL_SIZES,
        (
            _Model(1001, "Merino crew-neck sweater, navy", "89.00", 320),
            _Model(1002, "Organic cotton T-shirt, white", "24.90", 180),
            _Model(1003, "Slim-fit chinos, stone", "69.00", 450),
            _Model(1004, "Quilted gilet, olive", "79.00", 400),
        ),
    ),
    _Category(
        "footwear",
        "FTW",
        "9522864",
        False,
        ("EU 39", "EU 41", "EU 42", "EU 44"),
        (
            _Model(2001, "Leather Chelsea boots, brown", "149.00", 1400),
            _Model(2002, "Trail running shoes, grey/orange", "119.00", 650),
            _Model(2003, "Canvas low-top sneakers, white", "59.00", 800),
        ),
    ),
    _Category(
        "electronics",
        "ELE",
        "9524410",
        True,
        (),
        (
            _Model(3001, "Wireless noise-cancelling headphones, black", "279.00", 250),
            _Model(3002, "True wireless earbuds, white", "129.00", 60),
            _Model(3003, "E-reader 6-inch, 16 GB", "119.99", 180),
            _Model(3004, "E-reader 7-inch waterproof, 32 GB", "189.99", 210),
            _Model(3005, "Smart speaker, charcoal", "99.00", 340),
            _Model(3006, "Smart speaker with 8-inch display", "129.00", 1040),
            _Model(3007, "Mechanical keyboard, tenkeyless, brown switches", "139.00", 900),
            _Model(3008, "Wireless keyboard and mouse set", "59.90", 700),
            _Model(3009, "4K webcam with privacy shutter", "149.00", 160),
            _Model(3010, "Portable SSD, 1 TB", "119.00", 60),
            _Model(3011, "Fitness smartwatch, 45 mm", "249.00", 90),
            _Model(3012, "10-inch tablet, 64 GB", "329.00", 480),
            _Model(3013, "Mirrorless camera body, 24 MP", "1149.00", 650),
            _Model(3014, "13-inch ultrabook, 16 GB / 512 GB", "1299.00", 1250),
        ),
    ),
    _Category(
        "home",
        "HOM",
        "9527315",
        False,
        (),
        (
            _Model(4001, "Electric kettle 1.7 l, brushed steel", "49.90", 1200),
            _Model(4002, "Glass kettle with temperature control", "69.00", 1400),
            _Model(4003, "Two-slice toaster, cream", "44.90", 1800),
            _Model(4004, "LED desk lamp, dimmable", "39.90", 900),
            _Model(4005, "Rattan floor lamp", "129.00", 4200),
            _Model(4006, "Ceramic table lamp, sage", "59.00", 2100),
            _Model(4007, "Linen duvet cover set, double, natural", "119.00", 1600),
            _Model(4008, "Linen duvet cover set, king, natural", "139.00", 1900),
            _Model(4009, "Percale fitted sheet, double, white", "34.90", 700),
            _Model(4010, "Down-alternative pillows, pair", "49.00", 1500),
            _Model(4011, "Cast-iron casserole 24 cm, cherry red", "159.00", 5200),
            _Model(4012, "Chef's knife 20 cm", "89.00", 250),
            _Model(4013, "Waffle bath towel set, 4 pieces", "54.90", 1300),
            _Model(4014, "French press coffee maker 1 l", "34.90", 800),
        ),
    ),
)

# --- people and words -------------------------------------------------------------------------

# (badge, name, role, PIN). Leads always sign in and confirm with a PIN; two leads, so that
# a refund one of them inspected can still be approved (four eyes). Help and the README list
# these PINs: they are the demo's, never a real site's.
DEMO_OPERATORS = (
    ("OP-0001", "Alex Morgan", OperatorRole.INSPECTOR, None),
    ("OP-0002", "Priya Nair", OperatorRole.INSPECTOR, None),
    ("OP-0003", "Jonas Weber", OperatorRole.SHIFT_LEAD, "2468"),
    ("OP-0004", "Maria Costa", OperatorRole.SHIFT_LEAD, "1357"),
)

# Latin-1 only: the demo sheet prints names in the PDF standard fonts.
_FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jan",
    "Katarina", "Lucas", "Marta", "Noah", "Olivia", "Pablo", "Rosa", "Samuel", "Tessa", "Viktor",
    "Zoé", "Mathis", "Léa", "Jörg", "Sara", "Tomás", "Freya", "Niamh", "Luca", "Mia",
)  # fmt: skip
_LAST_NAMES = (
    "Bauer", "Costa", "de Vries", "Dubois", "Eriksson", "Fischer", "García", "Hansen", "Jansen",
    "Keller", "Lambert", "Martin", "Müller", "Nielsen", "O'Brien", "Peeters", "Quinn", "Romano",
    "Schmidt", "Svensson", "Novak", "Ferreira", "Moreau", "Lindqvist", "Kowalski", "Horvat",
    "Rossi", "Berg", "Navarro", "Walsh",
)  # fmt: skip
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
# Customer messages: these surnames' customers read German; everyone else English. Each
# customer's payment method comes from their name, so the random stream (and with it every
# other demo value) stays as it was.
GERMAN_SURNAMES = ("Bauer", "Fischer", "Keller", "Müller", "Schmidt")
_PAYMENT_METHODS = ("card", "card", "paypal", "bank_transfer", "invoice")
# About one customer in eight is a gold member (the shipped refunds.toml gives gold 365 days);
# from the name too, for the same reason.
GOLD_TIER = "gold"
_GOLD_ONE_IN = 8

REASON_CODES = (
    "changed_mind",
    "doesnt_fit",
    "defective",
    "not_as_described",
    "wrong_item_shipped",
    "damaged_in_transit",
    "arrived_late",
)
_COMMENTS = {
    "changed_mind": (
        "Changed my mind, never worn or used.",
        "Bought it as a gift, they already had one.",
        "Found something I like better, sorry!",
        "",
    ),
    "doesnt_fit": (
        "Too tight across the shoulders, I need a size up.",
        "Runs large & the sleeves are far too long.",
        "Too small, my usual size doesn't fit in this brand.",
        "Fits badly at the waist.",
    ),
    "defective": (
        "Stopped working after two days.",
        "Won't switch on, even after a full charge.",
        "Seam came apart on first wear.",
        "Makes a loud rattling noise.",
    ),
    "not_as_described": (
        "Colour is much darker than on the website.",
        "Material feels nothing like the description.",
        "Listed as 'waterproof' but it is not.",
        "Smaller than the photos suggest.",
    ),
    "wrong_item_shipped": (
        "Received a different colour from the one I ordered.",
        "Wrong size in the box (label says another size).",
        "This is not the model I ordered.",
    ),
    "damaged_in_transit": (
        "Box was crushed and the item is scratched.",
        "Arrived broken, the packaging was soaked.",
        "Dent on the side, outer carton torn open.",
    ),
    "arrived_late": (
        "Arrived after the birthday it was for.",
        "Needed it for a trip, came a week too late.",
    ),
}
# Which reasons customers give, by category (weights follow REASON_CODES).
_REASON_WEIGHTS = {
    "apparel": (25, 45, 5, 12, 6, 3, 4),
    "footwear": (20, 50, 8, 10, 6, 3, 3),
    "electronics": (25, 0, 35, 15, 8, 12, 5),
    "home": (35, 0, 15, 20, 8, 17, 5),
}

# --- designed scenarios -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Designed:
    rma_number: str
    scenario: str
    customer_name: str
    sku: str
    ordered: int
    returned: int
    reason_code: str
    comment: str
    carrier: str
    delivered_days_ago: int
    requested_days_after_delivery: int
    also_ordered: tuple[str, ...] = ()
    customer_tier: str | None = None  # designed customers have exactly this tier
    # Drawn from a random stream of its own: adding it changed no other demo value.
    own_stream: bool = False


DESIGNED_SCENARIOS = (
    _Designed(
        rma_number="RMA-100001",
        scenario="One apparel item: scan the parcel, the item, a grade, Enter",
        customer_name="Sofia Rossi",
        sku="APP-1001-M",
        ordered=1,
        returned=1,
        reason_code="doesnt_fit",
        comment="Too tight across the shoulders, I'll reorder an L.",
        carrier="UPS",
        delivered_days_ago=6,
        requested_days_after_delivery=2,
        also_ordered=("APP-1002-M",),
    ),
    _Designed(
        rma_number="RMA-100002",
        scenario="Two units of one item (quantity 2)",
        customer_name="Liam O'Connor",
        sku="APP-1002-L",
        ordered=3,
        returned=2,
        reason_code="changed_mind",
        comment="Ordered three, I only need one after all.",
        carrier="USPS",
        delivered_days_ago=8,
        requested_days_after_delivery=3,
    ),
    _Designed(
        rma_number="RMA-100003",
        scenario="Electronics with a serial number to scan",
        customer_name="Chloé Dubois",
        sku="ELE-3001",
        ordered=1,
        returned=1,
        reason_code="defective",
        comment="Left ear cup crackles & noise cancelling switches itself off.",
        carrier="DHL",
        delivered_days_ago=10,
        requested_days_after_delivery=4,
    ),
    _Designed(
        rma_number="RMA-100004",
        scenario="High value above EUR 500: needs shift-lead approval",
        customer_name="Mateusz Kowalski",
        sku="ELE-3013",
        ordered=1,
        returned=1,
        reason_code="not_as_described",
        comment='Listing said "4K 60 fps video"; the body records 4K at 30 fps only.',
        carrier="FedEx",
        delivered_days_ago=9,
        requested_days_after_delivery=3,
        also_ordered=("ELE-3010",),
    ),
    _Designed(
        rma_number="RMA-100005",
        scenario="Outside the 30-day policy window",
        customer_name="Emma Jansen",
        sku="HOM-4002",
        ordered=1,
        returned=1,
        reason_code="changed_mind",
        comment="Sorry for the delay, we were abroad. Never used.",
        carrier="UPS",
        delivered_days_ago=52,
        requested_days_after_delivery=40,
        also_ordered=("HOM-4009",),
    ),
    _Designed(
        rma_number="RMA-100006",
        scenario="Gold customer: past the 30-day window, inside the 365-day gold window",
        customer_name="Hanna Lindqvist",
        sku="FTW-2002-41",
        ordered=1,
        returned=1,
        reason_code="doesnt_fit",
        comment="Half a size too small. Thank you for the long returns period!",
        carrier="DHL",
        delivered_days_ago=45,
        requested_days_after_delivery=38,
        customer_tier=GOLD_TIER,
        own_stream=True,
    ),
)
_SCENARIO_BY_RMA = {d.rma_number: d.scenario for d in DESIGNED_SCENARIOS}
_DESIGNED_RANK = {d.rma_number: i for i, d in enumerate(DESIGNED_SCENARIOS)}
_FIRST_RANDOM_RMA = 100101

# --- identifiers ------------------------------------------------------------------------------

_SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: read aloud and retyped
_CARRIERS = ("UPS", "USPS", "FedEx", "DHL")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _tracking_number(rng: random.Random, carrier: str) -> str:
    """A well-formed, check-digit-valid tracking number in the carrier's format."""
    if carrier == "UPS":
        shipper = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))
        body = shipper + rng.choice(("90", "03", "01")) + _digits(rng, 7)  # service + package
        return "1Z" + body + ups_check_digit(body)
    if carrier == "USPS":  # IMpb: service type code, then a GS1 mod-10 check digit over 21 digits
        body = rng.choice(("9400", "9205")) + _digits(rng, 17)
        return body + gtin_check_digit(body)
    if carrier == "FedEx":
        # Skip the numbers that also pass as a UPC-A: the station reads those as item GTINs.
        while True:
            body = _digits(rng, 11)
            number = body + fedex_express_check_digit(body)
            if not is_valid_gtin(number):
                return number
    if carrier == "DHL":
        return "JJD" + _digits(rng, 18)
    raise ValueError(f"No demo format for carrier {carrier!r}")


def _ean13(gtin: str) -> str:
    """The EAN-13 printed for a stored 14-digit GTIN (GTIN-13 and GTIN-12 carry a leading 0)."""
    return gtin.removeprefix("0")


# --- seeding ----------------------------------------------------------------------------------


class _Seeder:
    def __init__(self, session: Session, seed: int, now: datetime) -> None:
        self.session = session
        self.writer = ReturnWriter(session)  # a database with no orders: nothing to load
        self.rng = random.Random(seed)
        # Scenarios added later draw from here, so every other value stays as it was.
        self.own_rng = random.Random(f"own stream {seed}")
        self.now = now
        self.products: dict[str, Product] = {}
        self.serials: set[str] = set()

    def run(self) -> None:
        self.session.add(Station(code="STATION-01", name="Returns bench 1", created_at=self.now))
        for code, name, role, pin in DEMO_OPERATORS:
            pin_hash = hash_pin(pin) if pin is not None else None
            self.session.add(
                Operator(code=code, name=name, role=role, pin_hash=pin_hash, created_at=self.now)
            )
        self._catalogue()
        designed = [self._designed_order(d) for d in DESIGNED_SCENARIOS]
        orders = [self._random_order() for _ in range(ORDER_COUNT - len(designed))]
        # Order numbers rise with time, as a shop's do.
        everything = sorted([o for o, _ in designed + orders], key=lambda o: o.placed_at)
        for i, order in enumerate(everything):
            self.writer.renumber_order(order, f"WEB-{204_000 + i}")
        lines_by_order = {o.id: lines for o, lines in designed + orders}
        for d, (order, lines) in zip(DESIGNED_SCENARIOS, designed, strict=True):
            self._designed_return(d, order, lines)
        self._random_returns([o for o, _ in orders], lines_by_order)

    # catalogue

    def _catalogue(self) -> None:
        used_refs: set[str] = set()
        for category in _CATALOGUE:
            for model in category.models:
                for size in category.sizes or (None,):
                    ref = _digits(self.rng, 5)
                    while ref in used_refs:
                        ref = _digits(self.rng, 5)
                    used_refs.add(ref)
                    body = category.gs1_company + ref
                    sku = f"{category.sku_prefix}-{model.number}" + (
                        f"-{size.removeprefix('EU ')}" if size else ""
                    )
                    product = self.writer.product(
                        None,  # the demo's shop is the station's own
                        sku,
                        title=f"{model.name}, {size}" if size else model.name,
                        category=category.name,
                        unit_value=Decimal(model.price),
                        currency=CURRENCY,
                        weight_grams=model.weight_grams,
                        serialised=category.serialised,
                        size=size,
                    )
                    self.products[sku] = product
                    self.writer.gtin(normalise_gtin(body + gtin_check_digit(body)), product)

    # orders

    def _customer(self) -> tuple[str, str]:
        name = f"{self.rng.choice(_FIRST_NAMES)} {self.rng.choice(_LAST_NAMES)}"
        return name, _email(name, self.rng.choice(_EMAIL_DOMAINS))

    def _serial(self) -> str:
        serial = "SN" + "".join(self.rng.choice(_SERIAL_ALPHABET) for _ in range(10))
        while serial in self.serials:
            serial = "SN" + "".join(self.rng.choice(_SERIAL_ALPHABET) for _ in range(10))
        self.serials.add(serial)
        return serial

    def _line(self, order: Order, product: Product, quantity: int, *, discount: bool) -> OrderLine:
        price = product.unit_value
        if discount:
            off = Decimal(self.rng.choice((10, 15, 20, 25, 30))) / 100
            price = (price * (1 - off)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return self.writer.order_line(
            order,
            None,
            product_id=product.id,
            sku=product.sku,
            quantity=quantity,
            unit_price=price,
            currency=CURRENCY,
            serial_numbers=[self._serial() for _ in range(quantity)] if product.serialised else [],
        )

    def _order(self, name: str, email: str, placed_at: datetime, delivered_at: datetime) -> Order:
        language, method = _language_and_method(name)
        return self.writer.order(
            f"unnumbered-{uuid.uuid4()}",  # numbered once all orders exist
            customer_name=name,
            customer_email=email,
            customer_language=language,
            payment_method=method,
            currency=CURRENCY,
            placed_at=placed_at,
            delivered_at=delivered_at if delivered_at < self.now else None,  # else in transit
        )

    def _random_order(self) -> tuple[Order, list[OrderLine]]:
        # A growing shop: more orders in the last weeks, which is also where open returns come from.
        roll = self.rng.random()
        if roll < 0.05:
            days_ago = self.rng.uniform(0.1, 3.0)
        elif roll < 0.5:
            days_ago = self.rng.uniform(3.0, 22.0)
        else:
            days_ago = self.rng.uniform(22.0, 90.0)
        placed_at = self.now - timedelta(days=days_ago)
        delivered_at = placed_at + timedelta(days=self.rng.uniform(1.0, 4.0))
        order = self._order(*self._customer(), placed_at, delivered_at)
        count = self.rng.choices((1, 2, 3, 4), weights=(45, 30, 17, 8))[0]
        products = self.rng.sample(list(self.products.values()), count)
        lines = []
        for product in products:
            most = 1 if product.unit_value > 200 else 3  # nobody buys two laptops at once
            quantity = self.rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
            discount = self.rng.random() < 0.25
            lines.append(self._line(order, product, min(quantity, most), discount=discount))
        return order, lines

    def _rng(self, d: _Designed) -> random.Random:
        return self.own_rng if d.own_stream else self.rng

    def _designed_order(self, d: _Designed) -> tuple[Order, list[OrderLine]]:
        rng = self._rng(d)
        delivered = self.now - timedelta(days=d.delivered_days_ago, hours=rng.uniform(1, 8))
        placed_at = delivered - timedelta(days=rng.uniform(1.5, 3.5))
        email = _email(d.customer_name, rng.choice(_EMAIL_DOMAINS))
        order = self._order(d.customer_name, email, placed_at, delivered)
        lines = [self._line(order, self.products[d.sku], d.ordered, discount=False)]
        lines += [self._line(order, self.products[s], 1, discount=False) for s in d.also_ordered]
        return order, lines

    # returns

    def _return(
        self,
        *,
        rma_number: str,
        order: Order,
        requested_at: datetime,
        carrier: str,
        lines: Sequence[tuple[OrderLine, int, str, str]],  # line, quantity, reason, comment
        customer_tier: str | None,
        rng: random.Random,
    ) -> None:
        return_ = self.writer.return_(
            rma_number,
            order_id=order.id,
            customer_name=order.customer_name,
            customer_email=order.customer_email,
            status=ReturnStatus.OPEN,
            created_at=requested_at,
            expected_at=requested_at + timedelta(days=rng.uniform(2.0, 6.0)),
            policy_window_days=POLICY_WINDOW_DAYS,
            customer_tier=customer_tier,
        )
        number = _tracking_number(rng, carrier)
        while self.writer.tracking_owner(number) is not None:
            number = _tracking_number(rng, carrier)
        self.writer.tracking_number(return_, number, carrier)
        self.writer.set_return_lines(
            return_,
            [
                ReturnLineValues(order_line=line, quantity=q, reason_code=reason, comment=comment)
                for line, q, reason, comment in lines
            ],
        )

    def _designed_return(self, d: _Designed, order: Order, lines: list[OrderLine]) -> None:
        assert order.delivered_at is not None
        requested_at = order.delivered_at + timedelta(days=d.requested_days_after_delivery)
        self._return(
            rma_number=d.rma_number,
            order=order,
            requested_at=requested_at,
            carrier=d.carrier,
            lines=[(lines[0], d.returned, d.reason_code, d.comment)],
            customer_tier=d.customer_tier,
            rng=self._rng(d),
        )

    def _random_returns(
        self, orders: list[Order], lines_by_order: dict[uuid.UUID, list[OrderLine]]
    ) -> None:
        recent, old = [], []
        for order in orders:
            if order.delivered_at is None:
                continue
            age = self.now - order.delivered_at
            if timedelta(days=1) <= age <= timedelta(days=_RECENT_DELIVERY_DAYS):
                recent.append(order)
            elif timedelta(days=40) <= age <= timedelta(days=85):
                old.append(order)
        in_window = OPEN_RETURN_COUNT - len(DESIGNED_SCENARIOS) - _LATE_RETURN_COUNT
        chosen = [(o, False) for o in self.rng.sample(recent, in_window)]
        chosen += [(o, True) for o in self.rng.sample(old, _LATE_RETURN_COUNT)]
        requests = []
        for order, late in chosen:
            assert order.delivered_at is not None
            if late:  # requested after the window closed
                after = self.rng.uniform(POLICY_WINDOW_DAYS + 1, 39.0)
            else:
                age_days = (self.now - order.delivered_at) / timedelta(days=1)
                after = self.rng.uniform(0.3, age_days - 0.2)
            requests.append((order.delivered_at + timedelta(days=after), order))
        # RMA numbers rise with the request time, as an order system issues them.
        requests.sort(key=lambda r: r[0])
        for i, (requested_at, order) in enumerate(requests):
            self._return(
                rma_number=f"RMA-{_FIRST_RANDOM_RMA + i}",
                order=order,
                requested_at=requested_at,
                carrier=self.rng.choices(_CARRIERS, weights=(35, 20, 20, 25))[0],
                lines=self._return_lines(lines_by_order[order.id]),
                customer_tier=customer_tier(order.customer_name),
                rng=self.rng,
            )

    def _return_lines(self, lines: list[OrderLine]) -> list[tuple[OrderLine, int, str, str]]:
        count = self.rng.randint(1, min(3, len(lines)))
        result = []
        for line in self.rng.sample(lines, count):
            category = self.products[line.sku].category
            reason = self.rng.choices(REASON_CODES, weights=_REASON_WEIGHTS[category])[0]
            comment = self.rng.choice(_COMMENTS[reason])
            result.append((line, self.rng.randint(1, line.quantity), reason, comment))
        return result


def _language_and_method(name: str) -> tuple[str, str]:
    language = "de-DE" if name.rsplit(" ", 1)[-1] in GERMAN_SURNAMES else "en"
    return language, _PAYMENT_METHODS[zlib.crc32(name.encode()) % len(_PAYMENT_METHODS)]


def customer_tier(name: str) -> str | None:
    """The tier of a customer of the random returns (designed ones say their own)."""
    return GOLD_TIER if zlib.crc32(f"tier {name}".encode()) % _GOLD_ONE_IN == 0 else None


def _email(name: str, domain: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join("".join(c for c in part if c.isalnum()) for part in ascii_name.split())
    return f"{local.lower()}@{domain}"


def seed_demo(session: Session, *, seed: int = 7, now: datetime | None = None) -> DemoSummary:
    """Fill an empty database with demo data and commit; a database with orders is left alone.

    Seeding is one whole setup action, so this commits once at the end. With the same ``seed``
    and ``now`` the content is the same every time.
    """
    if returns.has_orders(session):
        logger.info("Demo data not seeded: the database already has orders")
        return demo_parcels(session)
    if now is None:
        now = utcnow()
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    _Seeder(session, seed, now).run()
    session.commit()
    summary = demo_parcels(session)
    logger.info(
        "Seeded demo data: %d orders, %d open returns", summary.orders, summary.open_returns
    )
    return summary


# --- reading back -----------------------------------------------------------------------------


def _parcel_rank(parcel: DemoParcel) -> tuple[int, str]:
    return _DESIGNED_RANK.get(parcel.rma_number, len(_DESIGNED_RANK)), parcel.rma_number


def demo_parcels(session: Session) -> DemoSummary:
    """The open returns as parcels to scan: designed scenarios first, then by RMA number."""
    open_returns = returns.open_returns(session)
    return_ids = [r.id for r in open_returns]
    tracking = returns.first_tracking(session, return_ids)
    rows = returns.lines_of_returns(session, return_ids)
    gtins = returns.first_gtin(session, {product.id for _, _, product in rows})
    items: dict[uuid.UUID, list[DemoItem]] = {}
    for return_line, order_line, product in rows:
        items.setdefault(return_line.return_id, []).append(
            DemoItem(
                sku=product.sku,
                title=product.title,
                gtin=_ean13(gtins[product.id]),
                quantity=return_line.quantity,
                # Which shipped units come back is not recorded; any serial on the line matches.
                serial_numbers=tuple(order_line.serial_numbers[: return_line.quantity]),
            )
        )
    parcels = [
        DemoParcel(
            rma_number=r.rma_number,
            tracking_number=tracking[r.id].tracking_number if r.id in tracking else "",
            carrier=tracking[r.id].carrier if r.id in tracking else "",
            customer_name=r.customer_name,
            items=tuple(items.get(r.id, ())),
            scenario=_SCENARIO_BY_RMA.get(r.rma_number, OTHER_SCENARIO),
        )
        for r in open_returns
    ]
    parcels.sort(key=_parcel_rank)
    return DemoSummary(
        orders=returns.order_count(session), open_returns=len(parcels), parcels=tuple(parcels)
    )
