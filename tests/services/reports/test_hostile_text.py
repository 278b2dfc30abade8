"""Text from customers and inspectors is shown as text: markup is never interpreted.

Paragraph text is ReportLab markup, and markup from untrusted text has had a remote code
execution bug (CVE-2023-33733); the PDFs must show these strings literally and not fail.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from report_floor import HOSTILE_NAME, HOSTILE_NOTE, Floor, flat
from sqlmodel import select

from returnsdesk.data.models import Return
from returnsdesk.services.reports import Period, ReportKind, ReportRequest, generate_report
from returnsdesk.services.reports.pdf import escape_text

# The payload of the published CVE-2023-33733 proof of concept, shortened: a font colour
# attribute that ReportLab evaluated as Python before 3.6.13.
CVE_PAYLOAD = (
    "<para><font color=\"[[[getattr(pow, Word('__globals__'))['os'].system('touch /tmp/pwned')"
    " for Word in [ orgTypeFun('Word', (str,), { 'mutated': 1 }) ] ] and 'red']]\">"
    "exploit</font></para>"
)


def test_hostile_names_and_notes_render_as_literal_text(floor: Floor) -> None:
    parcel = floor.summary.parcels[3]  # above the approval limit: listed with the customer name
    with floor.database.session() as session:
        return_ = session.exec(select(Return).where(Return.rma_number == parcel.rma_number)).one()
        return_.customer_name = HOSTILE_NAME
        session.add(return_)
    floor.work(parcel, note=HOSTILE_NOTE + " " + CVE_PAYLOAD, grade="5", answer=False)
    setup = floor.setup()

    shift = generate_report(
        floor.database,
        ReportRequest(ReportKind.SHIFT, Period.day(date(2026, 11, 22), setup.zone)),
        setup=setup,
    )
    evidence = generate_report(
        floor.database,
        ReportRequest(ReportKind.EVIDENCE, rma_number=parcel.rma_number),
        setup=setup,
    )

    for data in (shift.pdf, evidence.pdf):
        # Narrow cells wrap long words anywhere, so compare without spaces.
        text = compact(data)
        assert '<fontcolor="red">Mallory</font>' in text
        assert '<ahref="javascript:alert(1)">x</a>' in text
        # Right-to-left words: the letters are there; extraction tools differ on their order.
        for word in ("محمد", "עברית"):
            assert word in text or word[::-1] in text
    evidence_text = compact(evidence.pdf)
    assert "<b>scratched</b>&dented<imgsrc=xonerror=1/>" in evidence_text
    assert "getattr(pow,Word('__globals__'))" in evidence_text
    # The 5,000-character name is cut in the PDF (tables stay readable) but whole in the CSV.
    assert f"({len(HOSTILE_NAME):,}characters;fulltextintheCSV)" in evidence_text
    assert HOSTILE_NAME in cells(evidence.csv_tables["return"])
    assert HOSTILE_NAME in cells(shift.csv_tables["pending-approval"])


def cells(text: str) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(text)) for cell in row}


def compact(data: bytes) -> str:
    return "".join(flat(data).split())


def test_escape_text_leaves_no_markup_and_no_control_characters() -> None:
    escaped = escape_text('<font name="x">a & b</font>\x00\x07\nline two')

    assert "<font" not in escaped
    assert '&lt;font name="x"&gt;a &amp; b&lt;/font&gt;' in escaped
    assert "\x00" not in escaped and "\x07" not in escaped
    assert escaped.endswith("<br/>line two")
