"""New row and unit ids: version 7 UUIDs, in the order they were made (domain/ids.py)."""

from __future__ import annotations

import time
import uuid

import time_machine

from returnsdesk.domain.ids import new_id
from returnsdesk.domain.labels import is_license_plate, license_plate


def test_an_id_is_a_version_7_uuid_that_reads_back_from_its_text() -> None:
    made = new_id()

    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert uuid.UUID(str(made)) == made


def test_ids_made_later_sort_later_so_new_rows_share_the_newest_index_pages() -> None:
    with time_machine.travel(1_900_000_000, tick=False) as traveller:
        earlier = [new_id() for _ in range(50)]
        traveller.shift(0.002)  # two milliseconds on
        later = [new_id() for _ in range(50)]

    assert max(earlier) < min(later)
    assert (earlier[0].int >> 80) == 1_900_000_000_000  # the milliseconds of its making


def test_ids_made_in_one_millisecond_are_all_different_and_give_different_plates() -> None:
    with time_machine.travel(1_900_000_000, tick=False):
        made = [new_id() for _ in range(10_000)]

    assert len(set(made)) == len(made)
    plates = {license_plate(unit_id) for unit_id in made}
    assert len(plates) == len(made)
    assert all(is_license_plate(plate) for plate in plates)


def test_the_machine_clock_gives_the_time_part() -> None:
    before = time.time_ns() // 1_000_000
    made = new_id()
    after = time.time_ns() // 1_000_000

    assert before <= made.int >> 80 <= after
