"""Rebuild Qt's ICU data library without the parts no Qt function the bundle has can reach.

    python packaging/trim_icu_data.py build/dist/returnsdesk/_internal/PySide6/Qt/lib

QtCore links ICU for five things: collation (QCollator), case mapping (QLocale::toUpper),
time-zone names (QTimeZone::displayName), legacy text codecs (QStringConverter) and calendars.
``libicudata.so.NN`` (31 MB) holds the data for all of ICU, and QtCore calls no ICU function
that reads unit, currency or rule-based number formats, break-iterator rules and dictionaries,
or transliterators. Those trees (about 11 MB) are removed; every locale, collation, time zone
and codec stays, so what Qt can ask ICU gives the same answer as before.

The data library is a single symbol, ``icudtNN_dat``, holding an ICU data package. It is copied
out of the ELF file, trimmed with ``icupkg`` (Debian: icu-devtools; it reads packages of newer
ICU versions too) and linked back into a library of the same name and symbol. Needs readelf,
icupkg and a C compiler (cc). Check the result with the build's ``--self-test``, and this list
again when Qt is upgraded (``readelf --dyn-syms libQt6Core.so.6 | grep _NN``).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

# ICU data trees read only by ICU services QtCore does not call (number/unit/currency
# formatting, break iteration, transliteration, spelled-out numbers).
UNREACHABLE_TREES = ("unit/", "curr/", "brkitr/", "translit/", "rbnf/")


def _symbol(library: Path) -> tuple[str, int, int]:
    """Name, file offset and size of the ``icudtNN_dat`` symbol."""
    symbols = subprocess.run(
        ["readelf", "--dyn-syms", "-W", str(library)], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(
        r"([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s.*\s(icudt\d+_dat)$", symbols, re.M
    )
    if found is None:
        raise SystemExit(f"{library}: no icudtNN_dat symbol")
    address, size, name = int(found[1], 16), int(found[2], 0), found[3]
    sections = subprocess.run(
        ["readelf", "-S", "-W", str(library)], capture_output=True, text=True, check=True
    ).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, section_offset = int(fields[3], 16), int(fields[4], 16)
            return name, address - section_address + section_offset, size
    raise SystemExit(f"{library}: no .rodata section")


def trim(library: Path) -> tuple[int, int]:
    """Replace ``library`` with a trimmed one; return its size before and after."""
    name, offset, size = _symbol(library)
    before = library.stat().st_size
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        # icupkg names a package after its file: icudt73l for ICU 73 little-endian data.
        package_name = name.removesuffix("_dat") + ("l" if sys.byteorder == "little" else "b")
        (work / "full").mkdir()
        package = work / "full" / f"{package_name}.dat"
        package.write_bytes(library.read_bytes()[offset : offset + size])
        items = subprocess.run(
            ["icupkg", "-l", str(package)], capture_output=True, text=True, check=True
        ).stdout.split()
        removed = [item for item in items if item.startswith(UNREACHABLE_TREES)]
        if not removed:
            raise SystemExit(f"{library}: none of {UNREACHABLE_TREES} in its data; ICU changed?")
        (work / "remove.txt").write_text("\n".join(removed) + "\n")
        trimmed = work / f"{package_name}.dat"
        subprocess.run(
            ["icupkg", "-r", str(work / "remove.txt"), str(package), str(trimmed)], check=True
        )
        # The same layout ICU's own pkgdata writes: one aligned, exported, read-only object.
        (work / "data.S").write_text(
            f"\t.section .rodata\n\t.balign 16\n\t.globl {name}\n\t.type {name}, @object\n"
            f'{name}:\n\t.incbin "{trimmed}"\n\t.size {name}, . - {name}\n'
            '\t.section .note.GNU-stack,"",@progbits\n'
        )
        output = work / library.name
        subprocess.run(
            [
                "cc",
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{library.name}",
                "-Wl,-z,noexecstack",
                "-o",
                str(output),
                str(work / "data.S"),
            ],
            check=True,
        )
        output.replace(library)
    return before, library.stat().st_size


def main() -> None:
    folder = Path(sys.argv[1])
    libraries = sorted(folder.glob("libicudata.so.*"))
    if len(libraries) != 1:
        raise SystemExit(f"expected one libicudata.so.NN in {folder}, found {libraries}")
    before, after = trim(libraries[0])
    print(f"{libraries[0].name}: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB")  # noqa: T201


if __name__ == "__main__":
    main()
