"""The station screen's rich texts, built from the workflow's typed values.

Every value from outside (names, scans, notes, titles) is escaped: these texts go into labels
that render HTML. The station view (qt/station_view.py) puts them on its widgets.
"""

from __future__ import annotations

import html

from returnsdesk.qt.plain import clipped
from returnsdesk.services.views import ReturnOutcome, ReturnView
from returnsdesk.station.screen import IdleGuide, ItemsGuide, UnitPanel

esc = html.escape
_WARN = "color:#842029"
_TITLE_CHARS = 160  # longer text from outside is cut: two or three lines at most


def guide_html(guide: IdleGuide | ItemsGuide | None) -> str:
    if isinstance(guide, ItemsGuide) and guide.waiting:
        return (
            f"<p><b>Waiting for the database</b>: {esc(guide.rma_number)} "
            f"({guide.done} of {guide.expected} done) stays here as it is.</p>"
            "<p>Enter tries again now<br>Esc stops waiting (the inspection stays open)</p>"
        )
    if isinstance(guide, ItemsGuide):
        undo = "F7 wrong label: undo the receipt<br>" if guide.done == 0 else ""
        return (
            f"<p><b>Scan the next item</b> of {esc(guide.rma_number)} "
            f"({guide.done} of {guide.expected} done).</p>"
            f"<p>{undo}F8 close the parcel with the rest missing<br>"
            "F9 empty box<br>Esc leave the parcel open for later</p>"
        )
    grades = guide.grades if guide is not None else ()
    scale = " · ".join(f"{esc(g.key)} {esc(g.code)} {esc(g.label)}" for g in grades)
    return (
        "<h3>Ready for the next parcel</h3>"
        "<ol><li><b>Scan the parcel label</b> (tracking number or RMA). The return appears.</li>"
        "<li><b>Scan each item</b> (barcode, SKU or serial).</li>"
        f"<li><b>Grade it</b> with one key: {scale}. Answer any checklist with Y / N.</li>"
        "<li><b>Enter</b> accepts the suggested disposition; after the last item it confirms "
        "the refund shown.</li></ol>"
        "<p>No scanner at hand? F4 lets you type a code. F1 lists the demo barcodes.</p>"
    )


def return_html(view: ReturnView) -> str:
    delivered = view.delivered_at.astimezone().strftime("%d %b %Y") if view.delivered_at else "—"
    # The window's name may come from the shop (a tier, a category): plain text, escaped.
    if view.days_since_delivery is None:
        window = esc(view.window_text)
    elif view.within_window:
        window = f"<span style='color:#0f5132'>{esc(view.window_text)}</span>"
    else:
        window = f"<b style='{_WARN}'>{esc(view.window_text)}</b>"
    return (
        f"Order <b>{esc(view.order_number)}</b> placed "
        f"{view.order_placed_at.astimezone().strftime('%d %b %Y')}, delivered {delivered}<br>"
        f"{window}<br>{esc(clipped(view.customer_email, _TITLE_CHARS))}"
        f" · tracking {esc(clipped(', '.join(view.tracking_numbers), _TITLE_CHARS) or '—')}"
    )


def prompt_html(unit: UnitPanel) -> str:
    decision = unit.decision
    if decision is None:
        return f"<b>{esc(unit.prompt)}</b>"
    then = " and confirm the refund" if decision.confirms_refund else ""
    return (
        f"Grade <b>{esc(decision.grade_code)} · {esc(decision.grade_label)}</b><br>"
        "<span style='font-size:x-large'>Disposition: "
        f"<b>{esc(decision.disposition.label.upper())}"
        f"</b> → {esc(decision.location)}</span><br>"
        f"<b>Enter</b> to accept{then} · <b>O</b> to override"
    )


def unit_details_html(unit: UnitPanel) -> str:
    flags = [f"<b style='{_WARN}'>⚠ {esc(flag)}</b>" for flag in unit.flags]
    serial = [f"Serial {esc(unit.serial)}"] if unit.serial else []
    if unit.photo_required:
        why = esc(unit.photo_required)
        photos = [f"<b style='{_WARN}'>📷 Photo required ({why}): press P</b>"]
    else:
        photos = [f"📷 {unit.photos} photo{'s' if unit.photos != 1 else ''}"] if unit.photos else []
    answers = [f"{esc(text)} <b>{'yes' if yes else 'no'}</b>" for text, yes in unit.answers]
    return "<br>".join(flags + serial + photos + answers)


def _unbroken(amount: str) -> str:
    """An amount on one line: Qt's rich text ignores ``nowrap`` and would break "EUR / 34.90"."""
    return esc(amount).replace(" ", "&nbsp;")


def outcome_html(outcome: ReturnOutcome) -> str:
    rows = "".join(
        f"<tr><td>{esc(u.description)}</td><td>{esc(u.grade or 'missing')}</td>"
        f"<td>{esc(u.disposition.label if u.disposition else '—')}</td>"
        f"<td>{esc(u.location or '')}</td>"
        f"<td align='right'>{_unbroken(u.paid.format() if u.paid else '—')}</td>"
        f"<td align='right'>{_unbroken(u.deduction.format() if u.deduction else '—')}</td>"
        f"<td>{esc(u.deduction_reason)}</td>"
        f"<td align='right'>{_unbroken(u.amount.format() if u.amount else '—')}</td></tr>"
        for u in outcome.units
    )
    refund = outcome.refund_total.format() if outcome.refund_total else "—"
    status = outcome.refund_status.value.replace("_", " ") if outcome.refund_status else ""
    when = (
        outcome.completed_at.astimezone().strftime("%d %b %Y %H:%M") if outcome.completed_at else ""
    )
    return (
        f"<p><b>Completed {esc(when)}</b> by {esc(outcome.operator_name)} at "
        f"{esc(outcome.station_code)}</p>"
        f"<p style='font-size:x-large'>Refund <b>{esc(refund)}</b> ({esc(status)})</p>"
        f"<p>{esc(outcome.refund_status_reason)}</p>"
        "<table cellpadding='4'><tr><th align='left'>Unit</th><th>Grade</th>"
        "<th>Disposition</th><th>Location</th><th align='right'>Paid</th>"
        "<th align='right'>Deduction</th><th align='left'>Why</th>"
        f"<th align='right'>Refund</th></tr>{rows}</table>"
    )
