"""New ids for rows and units: UUIDs of version 7 (RFC 9562), ordered by their creation time.

A version 4 UUID is random throughout, so each new row's key lands on a random page of every
index it is in: with a warehouse's million inspections those pages are rarely in the server's
cache, and an insert waited for them. Version 7 starts with the time in milliseconds, so the
rows a completion writes, and the keys of their parent rows (its inspections, its refund),
fall on the newest pages of each index, which stay cached (issue 16; measured in README
"Warehouse scale").

The remaining 74 bits are random, so ids stay as unguessable and as unlikely to meet as
before, and a license plate (``labels.license_plate``, the id's last 50 bits) as random.
Written here rather than taken from a package: the domain imports only the standard library
(pyproject's import contract), and Python has ``uuid.uuid7`` only from 3.14.
"""

from __future__ import annotations

import os
import time
import uuid

_VERSION_7 = 0x7 << 76
_VARIANT_RFC = 0b10 << 62
_MS_BITS = (1 << 48) - 1
_RAND_A = 0xFFF  # 12 bits after the version
_RAND_B = (1 << 62) - 1  # 62 bits after the variant


def new_id() -> uuid.UUID:
    """A new UUID version 7: 48 bits of Unix time in milliseconds, then 74 random bits."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 random bits, 74 of them used
    return uuid.UUID(
        int=(ms & _MS_BITS) << 80
        | _VERSION_7
        | (rand >> 62 & _RAND_A) << 64
        | _VARIANT_RFC
        | rand & _RAND_B
    )
