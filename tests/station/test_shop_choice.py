"""A scan of a number several shops use (every Shopify store starts at #1001): the station asks
which shop, keyboard first, and never guesses; a number of one shop opens as before."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from completing import (
    demo_parcel,
    same_numbers_for_shop,
    same_numbers_for_shops,
    station_service,
    ups_tracking,
)
from returnsdesk.data.models import Order, Parcel, Refund, Return
from returnsdesk.domain.vocabulary import ReturnStatus
from returnsdesk.services.bootstrap import StationEnvironment
from returnsdesk.services.demo import DemoParcel
from returnsdesk.services.views import OWN_SHOP_NAME, ClientProfile
from returnsdesk.station.screen import (
    KeyHint,
    Page,
    Screen,
    ShopChoice,
    Sound,
    State,
    Step,
    Tone,
)
from workflow_driver import Station

ACME_NAME = "Acme Outdoor"


@pytest.fixture
def acme_station(demo_env: StationEnvironment) -> Station:
    service = station_service(demo_env)
    service.clients = {"ACME": ClientProfile(ACME_NAME, demo_env.policies, "ACME")}
    return Station(service)


@pytest.fixture
def shared(demo_env: StationEnvironment) -> tuple[DemoParcel, DemoParcel]:
    """RMA-100001 of the station's own shop, and Acme's RMA-100001 on Acme's order of the same
    number, arriving under its own tracking number."""
    own = demo_parcel(demo_env, "RMA-100001")
    return own, same_numbers_for_shop(demo_env, own, "ACME", ups_tracking("ACME01", 1))


def shop_of_parcels(env: StationEnvironment) -> list[tuple[str | None, str]]:
    """Each received parcel's return: (shop, RMA)."""
    with env.database.read() as session:
        rows = session.exec(
            select(Return.client_code, Return.rma_number).join(
                Parcel, col(Parcel.return_id) == col(Return.id)
            )
        ).all()
    return sorted(rows, key=str)


def order_number_of(env: StationEnvironment, rma: str) -> str:
    """The order number of the station's own return ``rma`` (Acme's copy has the same)."""
    with env.database.read() as session:
        return session.exec(
            select(Order.number)
            .join(Return, col(Return.order_id) == col(Order.id))
            .where(Return.rma_number == rma, col(Return.client_code).is_(None))
        ).one()


def test_an_rma_both_shops_use_asks_which_shop_and_the_digit_opens_that_shop_s_return(
    acme_station: Station, demo_env: StationEnvironment, shared: tuple[DemoParcel, DemoParcel]
) -> None:
    own, acme = shared
    # When the inspector scans the RMA printed on the parcel
    screen = acme_station.scan(own.rma_number)
    # Then nothing is received: the station asks which shop, each shop with its digit
    assert screen.state is State.CHOOSE_SHOP and screen.page is Page.SHOP_CHOICE
    assert screen.step is Step.PARCEL and screen.banner.tone is Tone.WARNING
    assert "used by 2 shops" in screen.banner.text and "Press 1-2" in screen.banner.text
    assert screen.keys == (
        KeyHint("1-2", "the shop on the label"),
        KeyHint("↓ ↑ Enter", "choose"),
        KeyHint("Esc", "cancel"),
    )
    choice = screen.shop_choice
    assert isinstance(choice, ShopChoice) and choice.scanned == own.rma_number
    assert [(o.shop_name, o.rma_number, o.status) for o in choice.options] == [
        (OWN_SHOP_NAME, own.rma_number, ReturnStatus.OPEN),
        (ACME_NAME, own.rma_number, ReturnStatus.OPEN),
    ]
    assert choice.options[0].order_number == choice.options[1].order_number
    assert acme_station.sounds[-1] is Sound.SCAN_ERROR
    assert shop_of_parcels(demo_env) == []

    # When they press 2 (Acme is on the label)
    screen = acme_station.press("2")
    # Then Acme's return is open, named, and only it was received
    assert screen.state is State.RETURN and screen.return_view is not None
    assert (screen.return_view.client_code, screen.return_view.client_name) == ("ACME", ACME_NAME)
    assert screen.return_view.tracking_numbers == (acme.tracking_number,)
    assert f"\u2068{ACME_NAME}\u2069: Return {own.rma_number}" in screen.banner.text
    assert shop_of_parcels(demo_env) == [("ACME", own.rma_number)]
    assert acme_station.inputs == 2


def test_esc_cancels_the_question_and_a_wrong_digit_is_refused(
    acme_station: Station, demo_env: StationEnvironment, shared: tuple[DemoParcel, DemoParcel]
) -> None:
    own, _acme = shared
    acme_station.scan(own.rma_number)
    # A digit with no shop, a grade key's letter or an item scan: refused, the question stays
    for refused in (lambda: acme_station.press("3"), lambda: acme_station.press("Y")):
        screen = refused()
        assert screen.state is State.CHOOSE_SHOP and screen.banner.tone is Tone.ERROR
        assert "Press 1-2 for the shop" in screen.banner.text
    screen = acme_station.scan(own.items[0].gtin)
    assert screen.state is State.CHOOSE_SHOP and "Press 1-2" in screen.banner.text
    # Esc: back to waiting for a parcel, nothing received
    screen = acme_station.press("Esc")
    assert screen.state is State.IDLE and "nothing was received" in screen.banner.text
    assert shop_of_parcels(demo_env) == []
    # The station's own shop is 1
    screen = acme_station.scan(own.rma_number)
    screen = acme_station.press("1")
    assert screen.return_view is not None and screen.return_view.client_code is None
    assert screen.return_view.tracking_numbers == (own.tracking_number,)
    assert shop_of_parcels(demo_env) == [(None, own.rma_number)]


def test_an_order_number_both_shops_use_asks_too_and_a_tracking_number_never_does(
    acme_station: Station, demo_env: StationEnvironment, shared: tuple[DemoParcel, DemoParcel]
) -> None:
    own, acme = shared
    screen = acme_station.scan(order_number_of(demo_env, own.rma_number))
    assert screen.state is State.CHOOSE_SHOP
    assert isinstance(screen.shop_choice, ShopChoice) and len(screen.shop_choice.options) == 2
    # Another parcel's label while asked: that parcel is opened instead (one shop's number)
    screen = acme_station.scan(acme.tracking_number)
    assert screen.state is State.RETURN and screen.return_view is not None
    assert screen.return_view.client_code == "ACME"
    assert acme_station.inputs == 2


def test_both_shops_returns_are_worked_at_one_station_each_with_its_own_refund(
    acme_station: Station, demo_env: StationEnvironment, shared: tuple[DemoParcel, DemoParcel]
) -> None:
    own, _acme = shared
    for digit in ("2", "1"):
        acme_station.scan(own.rma_number)
        acme_station.press(digit)
        acme_station.scan(own.items[0].gtin)
        acme_station.press("2")
        screen = acme_station.press("Enter")
        assert screen.state is State.OUTCOME and "approved" in screen.banner.text
    with demo_env.database.read() as session:
        refunds = session.exec(
            select(Return.client_code, Return.status, Refund.total)
            .join(Refund, col(Refund.return_id) == col(Return.id))
            .where(Return.rma_number == own.rma_number)
        ).all()
    # each return has exactly its own refund, both alike (the same item, graded alike)
    assert len(refunds) == 2 and refunds[0][2] == refunds[1][2] > 0
    assert sorted((shop or "", status) for shop, status, _total in refunds) == [
        ("", ReturnStatus.COMPLETED),
        ("ACME", ReturnStatus.COMPLETED),
    ]
    # Scanned again: which shop, then that shop's completed return is shown, never refunded twice
    acme_station.scan(own.rma_number)
    screen = acme_station.press("2")
    assert screen.state is State.OUTCOME and "cannot be refunded twice" in screen.banner.text
    assert screen.return_view is not None and screen.return_view.client_code == "ACME"


def test_search_results_name_each_shop_and_enter_opens_the_chosen_shop_s_return(
    acme_station: Station, demo_env: StationEnvironment, shared: tuple[DemoParcel, DemoParcel]
) -> None:
    own, _acme = shared
    unknown = ups_tracking("NOBODY", 9)
    # Given a parcel whose tracking number no return knows
    screen = acme_station.scan(unknown)
    assert screen.state is State.NO_RETURN and screen.no_return is not None
    assert screen.no_return.shops  # a station serving client shops shows each result's shop
    # When the inspector searches the RMA on the packing slip, both shops' returns are listed
    screen = acme_station.search(own.rma_number)
    assert screen.no_return is not None
    results = screen.no_return.results
    assert sorted((r.shop_name, r.rma_number, r.order_number) for r in results) == [
        (ACME_NAME, own.rma_number, results[0].order_number),
        (OWN_SHOP_NAME, own.rma_number, results[0].order_number),
    ]
    assert "2 returns found, of 2 shops: the label says which" in screen.banner.text
    # When they move to Acme's row and press Enter
    acme_row = next(i for i, r in enumerate(results) if r.client_code == "ACME")
    acme_station.workflow.select(acme_row)
    screen = acme_station.press("Enter")
    # Then Acme's return is open, and the parcel is received for it under its tracking number
    assert screen.state is State.RETURN and screen.return_view is not None
    assert screen.return_view.client_code == "ACME"
    assert f"\u2068{ACME_NAME}\u2069: Return {own.rma_number}" in screen.banner.text
    assert shop_of_parcels(demo_env) == [("ACME", own.rma_number)]
    with demo_env.database.read() as session:
        parcel = session.exec(select(Parcel)).one()
    assert parcel.tracking_number == unknown


def test_a_station_of_one_shop_lists_search_results_without_a_shop(
    demo_env: StationEnvironment,
) -> None:
    station = Station(station_service(demo_env))
    station.scan(ups_tracking("NOBODY", 9))
    screen = station.search("RMA-100001")
    assert screen.no_return is not None and not screen.no_return.shops
    (result,) = screen.no_return.results
    assert (result.client_code, result.shop_name) == (None, OWN_SHOP_NAME)
    assert "1 returns found." in screen.banner.text


# Fifteen shops use one RMA: the station's own, then fourteen clients with long, hostile names
CLIENTS = [f"C{n:02d}" for n in range(1, 15)]
HOSTILE = "<b>Bolt</b> אופניים בע״מ " + "Bikes & Parts International " * 20


def client_name(code: str) -> str:
    return f"{code} {HOSTILE}"


@pytest.fixture
def fifteen(demo_env: StationEnvironment) -> tuple[Station, DemoParcel]:
    """RMA-100001 of the station's own shop and of fourteen client shops (shops 2-15)."""
    own = demo_parcel(demo_env, "RMA-100001")
    same_numbers_for_shops(demo_env, own, CLIENTS)
    service = station_service(demo_env)
    service.clients = {c: ClientProfile(client_name(c), demo_env.policies, c) for c in CLIENTS}
    return Station(service), own


def opened_shop(screen: Screen) -> str | None:
    assert screen.state is State.RETURN and screen.return_view is not None, screen.banner
    return screen.return_view.client_code


def test_fifteen_shops_are_all_offered_and_two_digits_pick_shop_twelve(
    fifteen: tuple[Station, DemoParcel], demo_env: StationEnvironment
) -> None:
    station, own = fifteen
    screen = station.scan(own.rma_number)
    # Every shop is offered, numbered 1-15, none left out
    choice = screen.shop_choice
    assert choice is not None and len(choice.options) == 15 and choice.highlighted is None
    assert [o.client_code for o in choice.options] == [None, *CLIENTS]
    assert "used by 15 shops" in screen.banner.text
    assert "Type the number of the shop on the label (1-15)" in screen.banner.text
    assert screen.keys[0] == KeyHint("1-15", "the shop on the label")
    # When the inspector types 1: shop 1, or the first digit of 10-15? The station waits
    screen = station.press("1")
    choice = screen.shop_choice
    assert screen.state is State.CHOOSE_SHOP and choice is not None
    assert (choice.typed, choice.highlighted) == ("1", 0)
    # the name kept apart from the words around it (a right-to-left one would reorder them)
    assert "Shop 1, \u2068This station's own shop\u2069: Enter opens it" in screen.banner.text
    assert "10-15" in screen.banner.text
    assert KeyHint("Backspace", "clear") in screen.keys
    assert shop_of_parcels(demo_env) == []
    # When they type 2: shop 12 is whole (no shop 120), and it opens at once
    screen = station.press("2")
    assert opened_shop(screen) == "C11"
    assert screen.return_view is not None and screen.return_view.client_name == client_name("C11")
    # the banner names the shop cut to its first 40 characters, isolated (right-to-left text)
    cut = "C11 <b>Bolt</b> אופניים בע״מ Bikes & Pa…"
    assert screen.banner.text.startswith(f"\u2068{cut}\u2069: Return")
    assert shop_of_parcels(demo_env) == [("C11", own.rma_number)]


def test_one_then_enter_picks_shop_one_and_a_digit_no_number_begins_with_picks_at_once(
    fifteen: tuple[Station, DemoParcel], demo_env: StationEnvironment
) -> None:
    station, own = fifteen
    station.scan(own.rma_number)
    station.press("1")
    assert opened_shop(station.press("Enter")) is None
    station.press("Esc")
    station.scan(own.rma_number)
    assert opened_shop(station.press("7")) == "C06"  # no shop 70-79: 7 is whole
    assert shop_of_parcels(demo_env) == [("C06", own.rma_number), (None, own.rma_number)]


def test_arrows_move_among_fifteen_shops_and_enter_opens_the_one_marked(
    fifteen: tuple[Station, DemoParcel], demo_env: StationEnvironment
) -> None:
    station, own = fifteen
    station.scan(own.rma_number)
    # Enter with no shop marked is refused: never a guess
    screen = station.press("Enter")
    assert screen.state is State.CHOOSE_SHOP and screen.banner.tone is Tone.ERROR
    assert "Type the number 1-15 for the shop on the parcel's label" in screen.banner.text
    # ↓ marks shop 1; ↑ at the top stays there; ↓ past the last stays on shop 15
    screen = station.press("Down")
    assert screen.shop_choice is not None and screen.shop_choice.highlighted == 0
    assert "Shop 1 of 15, \u2068This station's own shop\u2069: Enter" in screen.banner.text
    screen = station.press("Up")
    assert screen.shop_choice is not None and screen.shop_choice.highlighted == 0
    for _ in range(20):
        screen = station.press("Down")
    assert screen.shop_choice is not None and screen.shop_choice.highlighted == 14
    screen = station.press("Up")
    assert screen.shop_choice is not None and screen.shop_choice.highlighted == 13
    assert f"Shop 14 of 15, \u2068{client_name('C13')[:39]}…\u2069: Enter" in screen.banner.text
    assert opened_shop(station.press("Enter")) == "C13"
    assert shop_of_parcels(demo_env) == [("C13", own.rma_number)]


def test_a_number_no_shop_has_is_refused_and_backspace_clears_a_digit(
    fifteen: tuple[Station, DemoParcel], demo_env: StationEnvironment
) -> None:
    station, own = fifteen
    station.scan(own.rma_number)
    for typed, refused in ((("1", "9"), "No shop 19."), (("0",), "No shop 0.")):
        for key in typed:
            screen = station.press(key)
        assert screen.state is State.CHOOSE_SHOP and screen.banner.tone is Tone.ERROR
        assert screen.banner.text.startswith(f"{refused} Type the number 1-15")
        assert screen.shop_choice is not None and screen.shop_choice.typed == ""
        assert screen.shop_choice.highlighted is None
    # 1, Backspace, 3: shop 3, not 13
    station.press("1")
    screen = station.press("Backspace")
    assert screen.shop_choice is not None
    assert (screen.shop_choice.typed, screen.shop_choice.highlighted) == ("", None)
    assert KeyHint("Backspace", "clear") not in screen.keys
    assert opened_shop(station.press("3")) == "C02"
    assert shop_of_parcels(demo_env) == [("C02", own.rma_number)]


def test_a_shop_s_row_clicked_is_marked_and_enter_opens_it(
    fifteen: tuple[Station, DemoParcel],
) -> None:
    station, own = fifteen
    station.scan(own.rma_number)
    screen = station.highlight_shop(9)
    assert screen.shop_choice is not None and screen.shop_choice.highlighted == 9
    screen = station.highlight_shop(15)  # no such row
    assert screen.shop_choice is not None and screen.shop_choice.highlighted == 9
    assert opened_shop(station.press("Enter")) == "C09"


def test_arrows_and_backspace_mean_nothing_outside_the_shop_choice(station: Station) -> None:
    for key in ("Up", "Down", "Backspace"):
        screen = station.press(key)
        assert screen.state is State.IDLE and screen.banner.tone is Tone.INFO, screen.banner
