"""Label printers: where a rendered label goes, and how a refusal is reported.

Every printer raises ``PrinterUnavailable`` with a message for the station when the label did
not reach it (connection refused, timeout, ``lp`` failing with its own words); the queue keeps
the label and tries again. ``lp`` is run with an argument list, never through a shell, so a
queue name cannot run commands.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import platformdirs

from returnsdesk.config import LabelsSettings
from returnsdesk.domain.errors import PrinterUnavailable
from returnsdesk.domain.labels import LabelSize, RoutingLabel, parse_label_size

Language = Literal["zpl", "pdf"]
_ERROR_LIMIT = 500


class Printer(Protocol):
    @property
    def language(self) -> Language: ...

    def describe(self) -> str:
        """Short, for the status bar: 'printer 10.0.0.5:9100'."""
        ...

    def send(self, document: bytes, *, name: str) -> None:
        """Hand ``document`` to the printer; raise ``PrinterUnavailable`` if it did not take it."""
        ...


@dataclass(frozen=True)
class ZplTcpPrinter:
    """A Zebra-type printer on raw TCP (port 9100): the bytes are the job."""

    host: str
    port: int = 9100
    timeout_s: float = 5.0
    language: Language = "zpl"

    def describe(self) -> str:
        return f"printer {self.host}:{self.port}"

    def send(self, document: bytes, *, name: str) -> None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout_s) as sock:
                sock.sendall(document)
                # A clean end of the stream: the printer has all bytes before the socket closes.
                sock.shutdown(socket.SHUT_WR)
        except TimeoutError:
            raise PrinterUnavailable(
                f"{self.describe()} did not answer within {self.timeout_s:g} s"
            ) from None
        except OSError as exc:
            raise PrinterUnavailable(f"{self.describe()} offline: {exc.strerror or exc}") from exc


def _run_lp(arguments: list[str], *, stdin: bytes | None, timeout_s: float, what: str) -> None:
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterUnavailable(f"{what}: the CUPS command 'lp' is not installed")
    try:
        done = subprocess.run(
            [lp, *arguments], input=stdin, capture_output=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise PrinterUnavailable(f"{what}: lp did not finish within {timeout_s:g} s") from None
    except OSError as exc:
        raise PrinterUnavailable(f"{what}: cannot run lp: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise PrinterUnavailable(f"{what}: {said[:_ERROR_LIMIT]}")


@dataclass(frozen=True)
class ZplCupsPrinter:
    """A CUPS raw queue in front of a ZPL printer: ``lp -d QUEUE -o raw`` with ZPL on stdin."""

    queue: str
    timeout_s: float = 5.0
    language: Language = "zpl"

    def describe(self) -> str:
        return f"CUPS queue {self.queue}"

    def send(self, document: bytes, *, name: str) -> None:
        _run_lp(
            ["-d", self.queue, "-o", "raw", "-t", name],
            stdin=document,
            timeout_s=self.timeout_s,
            what=self.describe(),
        )


@dataclass(frozen=True)
class PdfCupsPrinter:
    """A system printer through CUPS: ``lp -d QUEUE file.pdf`` (no queue: the default printer)."""

    queue: str | None
    timeout_s: float = 5.0
    language: Language = "pdf"

    def describe(self) -> str:
        return f"printer {self.queue}" if self.queue else "the default printer"

    def send(self, document: bytes, *, name: str) -> None:
        with tempfile.TemporaryDirectory(prefix="returnsdesk-label-") as folder:
            path = Path(folder) / "label.pdf"
            path.write_bytes(document)
            destination = ["-d", self.queue] if self.queue else []
            _run_lp(
                [*destination, "-t", name, str(path)],
                stdin=None,
                timeout_s=self.timeout_s,
                what=self.describe(),
            )


@dataclass(frozen=True)
class PdfFolderPrinter:
    """PDFs written to a folder (a printer's hot folder, or a record at stations without one).

    Written under a temporary name and renamed, so a hot folder never picks up half a file.
    """

    folder: Path
    language: Language = "pdf"

    def describe(self) -> str:
        return f"folder {self.folder}"

    def send(self, document: bytes, *, name: str) -> None:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:80]
        target = self.folder / f"{safe}.pdf"
        partial = self.folder / f".{safe}.{uuid.uuid4().hex}.part"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as stream:
                stream.write(document)
                stream.flush()
                os.fsync(stream.fileno())
            partial.replace(target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise PrinterUnavailable(
                f"{self.describe()}: cannot write {target.name}: {exc.strerror or exc}"
            ) from exc


def default_label_folder() -> Path:
    return Path(platformdirs.user_data_dir("returnsdesk", "returnsdesk")) / "labels"


@dataclass(frozen=True)
class LabelOutput:
    """The station's printer with the label size and resolution it renders for."""

    printer: Printer
    size: LabelSize
    dpi: int

    def render(self, labels: list[RoutingLabel]) -> bytes:
        # reportlab and python-barcode load with the first label, not with the station window.
        from returnsdesk.services.labels.render import render_pdf, render_zpl

        if self.printer.language == "pdf":
            return render_pdf(labels, self.size)
        return b"".join(render_zpl(label, self.size, self.dpi) for label in labels)

    def describe(self) -> str:
        return self.printer.describe()

    def send(self, label: RoutingLabel) -> None:
        """Render and send one label now, past the queue (test prints only)."""
        self.printer.send(self.render([label]), name=label.license_plate)


def label_output(settings: LabelsSettings) -> LabelOutput | None:
    """The configured printer, or None when this station prints no labels."""
    printer: Printer
    match settings.printer:
        case "none":
            return None
        case "zpl-tcp":
            assert settings.host is not None  # checked when settings are loaded
            printer = ZplTcpPrinter(settings.host, settings.port, settings.timeout_s)
        case "zpl-cups":
            assert settings.queue is not None
            printer = ZplCupsPrinter(settings.queue, settings.timeout_s)
        case "pdf-cups":
            printer = PdfCupsPrinter(settings.queue, settings.timeout_s)
        case "pdf-folder":
            printer = PdfFolderPrinter(settings.folder or default_label_folder())
    return LabelOutput(printer, parse_label_size(settings.size), settings.dpi)
