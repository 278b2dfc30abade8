"""Help: the keys, and on a demo database the demo parcels to try (with their barcodes' values)."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QWidget

from returnsdesk.domain.policy import Grade
from returnsdesk.qt.forms.ui_help_view import Ui_HelpView
from returnsdesk.qt.typography import BODY_PT, scaled_font
from returnsdesk.services.demo import DEMO_OPERATORS, DemoSummary
from returnsdesk.station.screen import grade_keys

_GRADE_ROW = "<tr><td><b>{keys}</b></td><td>grade the item ({grades})</td></tr>"

KEYS_HELP = """
<h2>Keys</h2>
<table cellpadding="4">
<tr><td><b>scan</b></td><td>a parcel label, then each item (barcode, SKU or serial)</td></tr>
{grade_row}
<tr><td><b>Y / N</b></td><td>answer the checklist question</td></tr>
<tr><td><b>Enter</b></td>
<td>accept the suggested disposition; after the last item, confirm the refund</td></tr>
<tr><td><b>O</b></td><td>override the disposition (asks why)</td></tr>
<tr><td><b>F2</b></td><td>note on the item</td></tr>
<tr><td><b>F4</b></td><td>type a code by hand</td></tr>
<tr><td><b>F5</b></td><td>receive a parcel with no return as unexpected</td></tr>
<tr><td><b>F7</b></td><td>wrong label scanned: undo the parcel's receipt (asks first; only
before any item is inspected and before the shop was told)</td></tr>
<tr><td><b>F8</b></td><td>close the parcel with the rest missing</td></tr>
<tr><td><b>F9</b></td><td>empty box</td></tr>
<tr><td><b>Esc</b></td><td>one step back (a received parcel stays open)</td></tr>
<tr><td><b>Ctrl+1 … 6</b></td>
<td>station · history · shift lead · reports · help · KPI dashboard (F5 reads it again)</td></tr>
<tr><td><b>scan a label</b></td>
<td>between parcels, a routing label's plate (LP…) finds its unit in the shift history</td></tr>
<tr><td><b>Ctrl+R</b></td>
<td>in the shift history: reprint the parcel's (or the plate's) labels</td></tr>
<tr><td><b>Ctrl+Shift+P</b></td><td>printers: the label printer and a test print</td></tr>
</table>
<h2>Shift lead tab (Ctrl+3)</h2>
<p>Each decision asks for a shift lead's badge and PIN, at any station.</p>
<table cellpadding="4">
<tr><td><b>A / R</b></td><td>approve / reject the selected held refund</td></tr>
<tr><td><b>C / W / D</b></td><td>close the selected recovery case (a refund paid on receipt
that inspection found too high): recovered from the customer / written off / disputed by the
customer, with a note</td></tr>
<tr><td><b>Alt+R</b></td><td>the return whose customer messages are listed (type or scan
its RMA, then Enter); a selected held refund or recovery case lists its own</td></tr>
<tr><td><b>S</b></td><td>send the selected customer message again (a new message)</td></tr>
<tr><td><b>T</b></td><td>send a parked order-system event again with its same key</td></tr>
<tr><td><b>N</b></td><td>send a parked event again under a new key, after a refusal was fixed
in the shop (only if the shop says the old key applied nothing)</td></tr>
<tr><td><b>M</b></td><td>mark a parked event resolved (with a note)</td></tr>
<tr><td><b>U</b></td><td>unlock a badge locked by wrong PINs</td></tr>
<tr><td><b>{grade_keys}</b></td><td>grade again, blind, the unit shown under "Grader
consistency" (recorded in the signed-in operator's name; never the unit's first grader)</td></tr>
<tr><td><b>F5</b></td><td>read everything again</td></tr>
</table>
"""


def keys_help(grades: tuple[Grade, ...]) -> str:
    """The keys, with the grades of the loaded grading scale (grading.toml names them)."""
    row = _GRADE_ROW.format(
        keys=html.escape(grade_keys(grades)),
        grades=" · ".join(f"{html.escape(g.code)} {html.escape(g.label)}" for g in grades),
    )
    return KEYS_HELP.replace("{grade_row}", row).replace(
        "{grade_keys}", html.escape(grade_keys(grades))
    )


class HelpView(QWidget):
    """Laid out by ui/help_view.ui."""

    def __init__(
        self,
        demo: DemoSummary | None,
        sheet_path: str | None,
        grades: tuple[Grade, ...],
        *,
        font_scale: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ui = Ui_HelpView()
        self._ui.setupUi(self)  # type: ignore[no-untyped-call]
        browser = self._ui.browser
        browser.setFont(scaled_font(browser.font(), BODY_PT, font_scale))
        browser.setHtml(
            keys_help(grades) + (demo_html(demo, sheet_path) if demo is not None else "")
        )

    def shown_text(self) -> str:
        """The help as a person reads it."""
        return self._ui.browser.toPlainText()


def demo_html(demo: DemoSummary, sheet_path: str | None) -> str:
    esc = html.escape
    sheet = (
        f"<p>Printable barcode sheet: <a href='file://{esc(sheet_path)}'>{esc(sheet_path)}</a></p>"
        if sheet_path
        else ""
    )
    rows = []
    for parcel in demo.parcels:
        items = "<br>".join(
            f"{esc(item.title)} ×{item.quantity}: EAN <code>{esc(item.gtin)}</code>"
            + (
                f", serial <code>{esc(', '.join(item.serial_numbers))}</code>"
                if item.serial_numbers
                else ""
            )
            for item in parcel.items
        )
        rows.append(
            f"<tr><td>{esc(parcel.scenario)}</td><td><code>{esc(parcel.tracking_number)}</code><br>"
            f"<code>{esc(parcel.rma_number)}</code></td><td>{esc(parcel.customer_name)}</td>"
            f"<td>{items}</td></tr>"
        )
    people = "".join(
        f"<tr><td><code>{esc(code)}</code></td><td>{esc(name)}</td><td>{esc(role.value)}</td>"
        f"<td>{esc(pin) if pin else 'none: the badge alone'}</td></tr>"
        for code, name, role, pin in DEMO_OPERATORS
    )
    return (
        "<h2>Demo badges</h2><p>Held refunds are approved on the Shift lead tab (Ctrl+3) by a"
        " lead who did not handle the return: badge, then PIN, then the reason.</p>"
        "<table border='1' cellspacing='0' cellpadding='4'><tr><th>Badge</th><th>Name</th>"
        f"<th>Role</th><th>PIN</th></tr>{people}</table>"
        f"<h2>Demo parcels ({demo.open_returns} open returns, {demo.orders} orders)</h2>{sheet}"
        "<p>Type a value with F4 if you have no scanner.</p>"
        "<table border='1' cellspacing='0' cellpadding='4'><tr><th>Scenario</th>"
        "<th>Parcel label / RMA</th><th>Customer</th><th>Items</th></tr>"
        + "".join(rows)
        + "</table>"
    )
