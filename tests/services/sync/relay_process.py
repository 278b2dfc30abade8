"""``returnsdesk sync --forever`` as a process of its own, for the tests that kill it mid-work
and start it again: one process at a time, all of them writing to one log, whose tail is shown
when the test fails."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO


class RelayProcess:
    def __init__(
        self,
        log_path: Path,
        *,
        database_url: str,
        shop_url: str,
        token_env: str,
        environment: Mapping[str, str],
        timeout_s: str,
        lease_s: str,
        batch: str,
    ) -> None:
        """``environment``: the whole environment of the process (its token in ``token_env``)."""
        self.command = [
            sys.executable,
            "-m",
            "returnsdesk.cli.sync",
            "--forever",
            "--database",
            database_url,
            "--url",
            shop_url,
            "--token-env",
            token_env,
            "--timeout",
            timeout_s,
            "--lease-seconds",
            lease_s,
            "--batch",
            batch,
        ]
        self._environment = dict(environment)
        self._log_path = log_path
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> RelayProcess:
        self._log = self._log_path.open("wb")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._log is not None
        try:
            if exc_type is not None:
                self._log.flush()
                sys.stderr.write(self._log_path.read_text(errors="replace")[-4000:])
        finally:
            if self.process is not None and self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._log.close()

    def start(self) -> subprocess.Popen[bytes]:
        assert self._log is not None, "start it inside its with block"
        self.process = subprocess.Popen(
            self.command, env=self._environment, stdout=self._log, stderr=self._log
        )
        return self.process

    def kill(self) -> None:
        """SIGKILL, as a power cut or the OOM killer would: nothing is finished or recorded."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it: it exits cleanly (0)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        # A bound for a loaded machine (helpers saw 15 s run out at load 9-11), not a target.
        assert self.process.wait(timeout=45) == 0
