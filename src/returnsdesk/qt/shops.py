"""The shop choice of the KPI and Reports tabs, for a station serving client shops ([clients]).

Both forms have a ``shopLabel`` and a ``shopCombo``; the combo's data is the client code, or
None for every shop's figures. A station serving one shop offers no choice.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from returnsdesk.qt.plain import clipped
from returnsdesk.services.views import ClientProfile

ALL_SHOPS = "All shops"
SHOP_CHARS = 32  # of a shop's name shown in the choice; whole in its tooltip


def offer_shops(combo: QComboBox, clients: Mapping[str, ClientProfile]) -> bool:
    """Fill ``combo`` with every shop, then each client by name and code (names come from the
    settings file: the combo shows plain text). Whether there is a choice to offer."""
    # A shop's name from the settings may be any length: the box keeps its width (a
    # 1,000-character name made the window 10,286 px wide), the name is cut, whole in the tooltip.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(SHOP_CHARS)
    combo.clear()
    combo.addItem(ALL_SHOPS, None)
    for code, client in clients.items():
        name = f"{client.name} ({code})"
        combo.addItem(clipped(name, SHOP_CHARS, tail=len(code) + 2), code)
        combo.setItemData(combo.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
    return bool(clients)


def choose_shop(combo: QComboBox, client_code: str | None) -> None:
    """Pick a shop by its client code (None: all shops); an unknown code is a caller's bug."""
    index = 0 if client_code is None else combo.findData(client_code)
    if index < 0:
        raise ValueError(f"no shop {client_code!r} offered")
    combo.setCurrentIndex(index)


def chosen_shop(combo: QComboBox) -> str | None:
    """The client code chosen, or None for every shop."""
    code = combo.currentData()
    return None if code is None else str(code)
