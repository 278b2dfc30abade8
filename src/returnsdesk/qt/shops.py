"""The shop choice of the KPI, Reports and Shift lead tabs, for a station serving client shops
([clients]).

Each form has a ``shopCombo``; the combo's data is the client code, or None for every shop's
figures. Where one return is asked for by its RMA (the evidence pack, a customer's messages)
the station's own shop is offered too (``OWN_SHOP``), since a client may use the same number.
A station serving one shop offers no choice.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from returnsdesk.domain.errors import NumberOfSeveralShops
from returnsdesk.qt.plain import clipped
from returnsdesk.services.views import OWN_SHOP_NAME, ClientProfile

ALL_SHOPS = "All shops"
SHOP_CHARS = 32  # of a shop's name shown in the choice; whole in its tooltip
OWN_SHOP = ""  # the choice's data for the station's own shop (a client code has 1-40 characters)


def offer_shops(
    combo: QComboBox,
    clients: Mapping[str, ClientProfile],
    *,
    own_shop: bool = False,
    chars: int = SHOP_CHARS,
) -> bool:
    """Fill ``combo`` with every shop, then (``own_shop``) the station's own, then each client
    by name and code (names come from the settings file: the combo shows plain text). Whether
    there is a choice to offer."""
    # A shop's name from the settings may be any length: the box keeps its width (a
    # 1,000-character name made the window 10,286 px wide), the name is cut, whole in the tooltip.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.clear()
    combo.addItem(ALL_SHOPS, None)
    if own_shop:
        combo.addItem(OWN_SHOP_NAME, OWN_SHOP)
    for code, client in clients.items():
        name = f"{client.name} ({code})"
        combo.addItem(clipped(name, chars, tail=len(code) + 2), code)
        combo.setItemData(combo.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
    return bool(clients)


def offer_own_shop(combo: QComboBox, offered: bool) -> None:
    """Offer the station's own shop second (after every shop), or take it away (every shop is
    chosen then, if it was)."""
    index = combo.findData(OWN_SHOP)
    if offered and index < 0:
        combo.insertItem(1, OWN_SHOP_NAME, OWN_SHOP)
    elif not offered and index >= 0:
        if combo.currentIndex() == index:
            combo.setCurrentIndex(0)
        combo.removeItem(index)


def choose_shop(combo: QComboBox, client_code: str | None) -> None:
    """Pick a shop by its client code (None: all shops, ``OWN_SHOP``: the station's own); one
    not offered is a caller's bug."""
    index = 0 if client_code is None else combo.findData(client_code)
    if index < 0:
        raise ValueError(f"no shop {client_code!r} offered")
    combo.setCurrentIndex(index)


def chosen_shop(combo: QComboBox) -> str | None:
    """The client code chosen, ``OWN_SHOP`` for the station's own shop, or None for every shop."""
    code = combo.currentData()
    return None if code is None else str(code)


def shop_name(code: str | None, clients: Mapping[str, ClientProfile]) -> str:
    """A shop as the lead knows it: the client's name and code, or the station's own shop."""
    if code is None:
        return OWN_SHOP_NAME
    client = clients.get(code)
    return code if client is None else f"{client.name} ({code})"


def whose_question(
    refused: NumberOfSeveralShops, clients: Mapping[str, ClientProfile], offered: bool
) -> str:
    """What a tab says of an RMA several shops use, asked for with no shop chosen: the shops by
    name, and where to choose (never a guess)."""
    names = ", ".join(shop_name(code, clients) for code in refused.shops)
    where = (
        "choose whose in the Shop list."
        if offered
        else "this station offers no shop choice; ask at a station serving those shops."
    )
    return f"{refused.number} is an RMA number of several shops ({names}): {where}"
