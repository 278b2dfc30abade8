"""Run the django-oscar reference shop (integrations/oscar) for the station's integration tests.

The shop lives in its own virtualenv (Django never enters the station's), built on first use:

    shop = OscarShop.start(tmp_path)          # venv, migrate, seed, runserver on a free port
    shop.request("GET", "/returns/lookup?rma=RMA-000101").json()
    shop.refund_events("RMA-000101")          # [(Decimal("89.99"), "idempotency-key"), ...]
    shop.num_in_stock("5012345000015")        # 12
    shop.emails()                             # what the shop emailed customers, oldest first
    shop.stop()                               # or: with OscarShop.start(tmp_path) as shop: ...

Every answer `request()` gets is checked against docs/sync-api.yaml (tests/sync_contract.py)
and a breach raises ContractViolation; the requests are not, since tests send broken ones on
purpose. The station's own requests are checked by a ContractProxy in front of the shop.

The venv is `.venv-shop` at the repository root unless RETURNSDESK_SHOP_VENV names another.
Migrating Oscar takes tens of seconds, so the first start in a process keeps a copy of the
migrated and seeded database and later starts copy it.
"""

from __future__ import annotations

import atexit
import email.policy
import enum
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, Self, cast

from sync_contract import ContractViolation, contract

REPO_ROOT = Path(__file__).resolve().parents[2]
OSCAR_DIR = REPO_ROOT / "integrations" / "oscar"
SHOP_DIR = OSCAR_DIR / "shop"
DEFAULT_VENV = REPO_ROOT / ".venv-shop"
VENV_ENV_VAR = "RETURNSDESK_SHOP_VENV"
API_PREFIX = "/returnsdesk/api/v1"
_STAMP = ".returnsdesk-oscar-stamp"
_DEFAULT_INDEX = "https://pypi.org/simple/"
# Variables of the station's environment that must not leak into the shop's processes.
_ISOLATE = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "DJANGO_SETTINGS_MODULE")


REQUIRE_ENV_VAR = "RETURNSDESK_REQUIRE_SHOP"


class ShopUnavailable(RuntimeError):
    """The shop's virtualenv cannot be built here: no package index is reachable."""


def unavailable(reason: ShopUnavailable) -> BaseException:
    """What a test does without the shop: skip, or fail where RETURNSDESK_REQUIRE_SHOP=1 (CI)."""
    import pytest  # here: the benchmarks import this module without pytest's plugins

    if os.environ.get(REQUIRE_ENV_VAR) == "1":
        return pytest.fail.Exception(f"{reason} ({REQUIRE_ENV_VAR}=1)", pytrace=False)
    return pytest.skip.Exception(str(reason))


def _say(message: str) -> None:
    sys.stderr.write(f"[oscar-shop] {message}\n")
    sys.stderr.flush()


def shop_venv() -> Path:
    return Path(os.environ.get(VENV_ENV_VAR) or DEFAULT_VENV)


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def shop_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ISOLATE}
    env["PYTHONUNBUFFERED"] = "1"
    if "CLOCK_AHEAD_OFFSET_S" in env:
        # pytest --clock-ahead: the shop's clock moves with the station's (only this folder
        # of the test venv's path: tests/clock_ahead/sitecustomize.py).
        env["PYTHONPATH"] = str(Path(__file__).parents[1] / "clock_ahead")
    env.update(extra)
    return env


def _install_stamp() -> str:
    """Changes when the shop's dependencies change; the app itself is an editable install."""
    return hashlib.sha256((OSCAR_DIR / "pyproject.toml").read_bytes()).hexdigest()


def _index_reachable() -> bool:
    url = os.environ.get("PIP_INDEX_URL") or _DEFAULT_INDEX
    try:
        with urllib.request.urlopen(url, timeout=10):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


@contextmanager
def _venv_lock(venv: Path) -> Iterator[None]:
    """Two test processes building the same venv at once would corrupt it."""
    if os.name == "nt":
        yield
        return
    import fcntl

    with open(venv / ".returnsdesk-lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_shop_venv(venv: Path | None = None) -> tuple[Path, float]:
    """The shop venv's python, creating the venv or updating its packages when needed.

    Returns (python, seconds spent installing; 0.0 when it was ready). Raises ShopUnavailable
    when it cannot be built because no package index answers, RuntimeError on other failures.
    """
    venv = (venv or shop_venv()).absolute()
    python = _venv_python(venv)
    stamp = venv / _STAMP
    wanted = _install_stamp()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python, 0.0
    venv.mkdir(parents=True, exist_ok=True)
    # Keeps the venv out of git status without touching the repository's .gitignore.
    (venv / ".gitignore").write_text("*\n")
    with _venv_lock(venv):
        if python.exists() and stamp.exists() and stamp.read_text() == wanted:
            return python, 0.0  # another process built it while we waited
        started = time.monotonic()
        if not python.exists():
            _say(f"creating the shop virtualenv {venv}")
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=shop_env())
        _say(f"installing {OSCAR_DIR.relative_to(REPO_ROOT)} (django-oscar, DRF; ~30 s)")
        log = venv / "pip-install.log"
        with open(log, "w") as out:
            result = subprocess.run(
                [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-e",
                 str(OSCAR_DIR)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=shop_env(),
            )  # fmt: skip
        if result.returncode != 0:
            tail = log.read_text()[-3000:]
            if not _index_reachable():
                raise ShopUnavailable(
                    "cannot build the reference shop's virtualenv: no package index is "
                    f"reachable (pip log: {log})"
                )
            raise RuntimeError(f"pip install of the reference shop failed:\n{tail}")
        stamp.write_text(wanted)
        seconds = time.monotonic() - started
        _say(f"shop virtualenv ready in {seconds:.1f} s")
        return python, seconds


@dataclass(frozen=True)
class Gunicorn:
    """Serve the shop with gunicorn (``workers`` processes) instead of ``runserver``."""

    workers: int = 4
    # gthread: a worker keeps a client's connection open between requests (the sync worker
    # closes it after each answer, so every call paid for a new TCP connection).
    threads: int = 2

    def command(self, python: Path, port: int) -> list[str]:
        return [
            str(python),
            "-m",
            "gunicorn",
            "referenceshop.wsgi",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--keep-alive",
            "30",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]


@dataclass(frozen=True)
class ApiResponse:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    request_headers: Mapping[str, str] = field(default_factory=dict)
    request_body: bytes | None = None

    def json(self) -> Any:
        return json.loads(self.body)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# One migrated and seeded database per shop python and process: (file, seed summary).
_TEMPLATES: dict[Path, tuple[Path, dict[str, Any]]] = {}


def _template_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="returnsdesk-shop-template-"))
    atexit.register(shutil.rmtree, path, True)
    return path


class _Auth(enum.Enum):
    STAFF = "staff"  # request()'s default: the staff token


@dataclass
class OscarShop:
    """A running reference shop. Build it with OscarShop.start(tmp_dir)."""

    root_url: str
    token: str  # the staff user's ("station")
    customer_token: str  # a non-staff user's ("shopper"), for 403 checks
    demo: dict[str, Any]  # what seed_returnsdesk_demo --json printed
    database: Path
    python: Path
    mail_dir: Path  # the shop's outgoing email, one file per connection (filebased backend)
    timings: dict[str, float] = field(default_factory=dict)
    _process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The API root: base_url + "/returns/changes" and so on."""
        return self.root_url + API_PREFIX

    # --- lifecycle -------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        tmp_dir: Path,
        *,
        venv: Path | None = None,
        timeout: float = 60.0,
        gunicorn: Gunicorn | None = None,
    ) -> OscarShop:
        """Build the venv if needed, create a fresh seeded database in tmp_dir, serve it (with
        ``runserver``, or with gunicorn's workers as a shop in production would be)."""
        tmp_dir = Path(tmp_dir)
        tmp_dir.mkdir(parents=True, exist_ok=True)
        python, install_seconds = ensure_shop_venv(venv)
        timings = {"venv_install": install_seconds}
        database = tmp_dir / "shop.sqlite3"
        demo = cls._fresh_database(python, database, timings)
        shop = cls(
            root_url="",
            token=demo["staff"]["token"],
            customer_token=demo["customer"]["token"],
            demo=demo,
            database=database,
            python=python,
            mail_dir=tmp_dir / "mail",
            timings=timings,
        )
        shop._serve(tmp_dir / "server.log", timeout, gunicorn)
        return shop

    @classmethod
    def _fresh_database(
        cls, python: Path, database: Path, timings: dict[str, float]
    ) -> dict[str, Any]:
        template = _TEMPLATES.get(python)
        if template is not None:
            shutil.copyfile(template[0], database)
            timings["migrate"] = timings["seed"] = 0.0
            return dict(template[1])
        started = time.monotonic()
        _say("migrating a fresh shop database (Oscar has many migrations; ~15-30 s)")
        _manage(python, database, "migrate", "--noinput", "-v0", timeout=900)
        timings["migrate"] = time.monotonic() - started
        started = time.monotonic()
        demo: dict[str, Any] = json.loads(
            _manage(python, database, "seed_returnsdesk_demo", "--json")
        )
        timings["seed"] = time.monotonic() - started
        _say(f"migrated in {timings['migrate']:.1f} s, seeded in {timings['seed']:.1f} s")
        copy = _template_dir() / "template.sqlite3"
        shutil.copyfile(database, copy)
        _TEMPLATES[python] = (copy, demo)
        return dict(demo)

    def _serve(self, log_path: Path, timeout: float, gunicorn: Gunicorn | None = None) -> None:
        started = time.monotonic()
        for _attempt in range(3):
            port = _free_port()
            self.root_url = f"http://127.0.0.1:{port}"
            self._log = open(log_path, "ab")  # noqa: SIM115  (closed in stop())
            env = shop_env(
                RETURNSDESK_SHOP_DB=str(self.database),
                RETURNSDESK_SHOP_EMAIL_DIR=str(self.mail_dir),
            )
            if gunicorn is None:
                # --insecure: serve Oscar's CSS and scripts without DEBUG, as a browser test
                # needs.
                command = [
                    str(self.python),
                    "manage.py",
                    "runserver",
                    f"127.0.0.1:{port}",
                    "--noreload",
                    "--insecure",
                ]
            else:
                command = gunicorn.command(self.python, port)
            self._process = subprocess.Popen(
                command,
                cwd=SHOP_DIR,
                env=env,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            if self._wait_until_ready(timeout):
                self.timings["server_start"] = time.monotonic() - started
                _say(f"shop serving {self.base_url} ({self.timings['server_start']:.1f} s)")
                return
            self.stop()  # most likely another process took the port: try another
        raise RuntimeError(
            f"the reference shop did not start; its log:\n{log_path.read_text()[-3000:]}"
        )

    def _wait_until_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                return False
            try:
                probe = self._exchange(
                    "GET", "/returns/changes?limit=1", None, None, _Auth.STAFF, 30
                )
                if probe.status == 200:
                    return True
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- talking to it ---------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        token: str | None | Literal[_Auth.STAFF] = _Auth.STAFF,
        timeout: float = 30.0,
    ) -> ApiResponse:
        """One HTTP request to base_url + path. body is sent as JSON; token=None sends none.

        4xx and 5xx answers are returned, not raised; an answer off the contract raises
        ContractViolation.
        """
        answer = self._exchange(method, path, body, headers, token, timeout)
        problems = contract().response_problems(
            method,
            self.base_url + path,
            answer.request_headers,
            answer.request_body,
            answer.status,
            answer.headers,
            answer.body,
        )
        if problems:
            raise ContractViolation("\n".join(problems))
        return answer

    def _exchange(
        self,
        method: str,
        path: str,
        body: Any,
        headers: Mapping[str, str] | None,
        token: str | None | Literal[_Auth.STAFF],
        timeout: float,
    ) -> ApiResponse:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if token is _Auth.STAFF:
            token = self.token
        if token is not None:
            all_headers["Authorization"] = f"Token {token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=all_headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return ApiResponse(
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read(),
                    all_headers,
                    data,
                )
        except urllib.error.HTTPError as error:
            with error:
                return ApiResponse(
                    error.code,
                    {k.lower(): v for k, v in error.headers.items()},
                    error.read(),
                    all_headers,
                    data,
                )

    def manage(self, *args: str, timeout: float = 120.0) -> str:
        """Run a manage.py command against this shop's database; return its stdout."""
        return _manage(self.python, self.database, *args, timeout=timeout)

    def refund_events(self, rma: str) -> list[tuple[Decimal, str]]:
        """Oscar's "Refund" payment events for the return: (amount, reference), oldest first."""
        events = json.loads(self.manage("returnsdesk_query", "refund-events", rma))
        return [(Decimal(e["amount"]), str(e["reference"])) for e in events]

    def num_in_stock(self, sku: str) -> int:
        """Oscar's StockRecord.num_in_stock for the product whose UPC or partner SKU is sku."""
        return int(json.loads(self.manage("returnsdesk_query", "stock", sku))["num_in_stock"])

    def emails(self) -> list[EmailMessage]:
        """The emails the shop sent, oldest first (Django writes each connection's messages
        to one file, separated by a line of dashes)."""
        found: list[EmailMessage] = []
        if not self.mail_dir.exists():
            return found
        for path in sorted(self.mail_dir.iterdir(), key=lambda p: p.stat().st_mtime_ns):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    parsed = BytesParser(policy=email.policy.default).parsebytes(chunk.lstrip())
                    found.append(cast(EmailMessage, parsed))
        return found


def _manage(python: Path, database: Path, *args: str, timeout: float = 120.0) -> str:
    result = subprocess.run(
        [str(python), "manage.py", *args],
        cwd=SHOP_DIR,
        env=shop_env(RETURNSDESK_SHOP_DB=str(database)),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}"
        )
    return result.stdout
