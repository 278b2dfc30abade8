"""``returnsdesk audit``: check the audit trail, and manage the key that seals it (IT).

    returnsdesk audit verify [--database URL]
    returnsdesk audit seal [--database URL]          seal a trail written before keyed sealing
    returnsdesk audit reseal --reason TEXT [--database URL]
    returnsdesk audit key init                       a new key for the first station
    returnsdesk audit key show                       the key's id and where it is kept
    returnsdesk audit key export FILE                a copy for the other stations (mode 0600)
    returnsdesk audit key import FILE [--replace]    on each other station

The key itself is never printed or logged: it goes to and from files only (docs/it-guide.md,
"Audit trail"). Exit status: 0 intact (or done), 1 the trail is broken (or the change was
refused), 2 a configuration problem: no key or the wrong one, settings, database.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from returnsdesk.cli.support import command_database, command_settings
from returnsdesk.data import audit_key
from returnsdesk.data.db import Database
from returnsdesk.data.migrations import ensure_schema
from returnsdesk.data.repositories import (
    AuditVerification,
    append_audit,
    reseal_audit,
    verify_audit_chain,
)
from returnsdesk.domain.errors import ReturnsDeskError

EXIT_OK, EXIT_BROKEN, EXIT_CONFIG = 0, 1, 2
PROG = "returnsdesk audit"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Check the audit trail; manage the key that seals it."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    verify = commands.add_parser("verify", help="check every entry with the key and the seal")
    seal = commands.add_parser("seal", help="seal a trail written before keyed sealing")
    reseal = commands.add_parser(
        "reseal", help="after a broken seal was looked into: record it and seal the trail as is"
    )
    reseal.add_argument("--reason", required=True, help="what was found (kept in the trail)")
    for sub in (verify, seal, reseal):
        sub.add_argument("--database", metavar="URL", help="database URL (overrides settings)")
    key = commands.add_parser("key", help="the audit key: init, show, export, import")
    actions = key.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("init", help="create this station's key (the first station only)")
    actions.add_parser("show", help="the key's id and where it is kept (never the key)")
    actions.add_parser("export", help="write the key to FILE (0600)").add_argument("file")
    imports = actions.add_parser("import", help="keep the key read from FILE")
    imports.add_argument("file")
    imports.add_argument(
        "--replace",
        action="store_true",
        help="replace this station's own key (only if no trail is sealed with it)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIG
    try:
        if args.command == "key":
            return _key(args.action, getattr(args, "file", None), getattr(args, "replace", False))
        return _database_command(args)
    except (ReturnsDeskError, OSError) as exc:  # OSError: a key file or folder IT named
        sys.stderr.write(f"{PROG}: {exc}\n")
        return EXIT_CONFIG


def _database_command(args: argparse.Namespace) -> int:
    settings = command_settings(PROG, args.database)
    if settings is None:
        return EXIT_CONFIG
    database: Database | None = None
    try:
        database = command_database(settings)
        ensure_schema(database.engine)
        if args.command == "verify":
            with database.read() as session:
                result = verify_audit_chain(session)
            return _report(result)
        with database.session() as session:
            if args.command == "seal":
                entry = append_audit(
                    session,
                    action="audit.sealed",
                    subject="audit trail",
                    details={"by": getpass.getuser()},
                    operator_id=None,
                    station_id=None,
                )
            else:
                entry = reseal_audit(session, reason=args.reason, by=getpass.getuser())
        sys.stdout.write(f"{PROG}: sealed at entry #{entry.sequence} ({entry.action})\n")
        return EXIT_OK
    except ReturnsDeskError:
        raise
    except Exception as exc:  # noqa: BLE001 - a database that cannot be read is configuration
        sys.stderr.write(f"{PROG}: database problem: {type(exc).__name__}: {exc}\n")
        return EXIT_CONFIG
    finally:
        if database is not None:
            database.dispose()


def _report(result: AuditVerification) -> int:
    plain = ""
    if result.plain_entries:
        plain = f", {result.plain_entries:,} of them from before keyed sealing"
    if result.ok:
        sys.stdout.write(
            f"Audit trail intact: {result.entries_checked:,} entries checked{plain}.\n"
        )
        return EXIT_OK
    sys.stdout.write(f"AUDIT TRAIL BROKEN: {result.entries_checked:,} entries checked{plain}.\n")
    if result.first_broken_sequence is not None:
        where = f"First broken entry: #{result.first_broken_sequence}"
        if result.first_broken_action is not None and result.first_broken_at is not None:
            where += f" {result.first_broken_action} at {result.first_broken_at.isoformat()}"
        if result.first_broken_subject:
            # An RMA comes from a shop's feed: shown as its repr where it holds control codes.
            subject = result.first_broken_subject
            where += f" about {subject if subject.isprintable() else repr(subject)}"
        sys.stdout.write(where + "\n")
    sys.stdout.write(f"What is wrong: {result.problem}\n")
    return EXIT_BROKEN


def _key(action: str, file: str | None, replace: bool) -> int:
    if action == "init":
        key = audit_key.store_key(audit_key.new_secret())
        sys.stdout.write(f"{PROG}: created key {key.key_id} in {key.source}; back it up\n")
        return EXIT_OK
    key_found = audit_key.load_key()
    if action == "import":
        assert file is not None
        text = _read_private(Path(file))
        imported = audit_key.parse_key(text, source=file)
        if key_found is not None and key_found.key_id == imported.key_id:
            sys.stdout.write(f"{PROG}: key {key_found.key_id} is here already\n")
            return EXIT_OK
        key = audit_key.store_key(imported.secret, replace=replace)
        audit_key.PROVIDER.forget()
        replaced = "" if key_found is None else f" (replacing {key_found.key_id})"
        sys.stdout.write(f"{PROG}: imported key {key.key_id} into {key.source}{replaced}\n")
        return EXIT_OK
    if key_found is None:
        where = audit_key.key_file_path()
        sys.stderr.write(f"{PROG}: no audit key on this station (keyring, or {where})\n")
        return EXIT_CONFIG
    if action == "show":
        sys.stdout.write(f"key {key_found.key_id} in {key_found.source}\n")
        return EXIT_OK
    assert file is not None
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        sys.stderr.write(f"{PROG}: {file} exists; nothing written\n")
        return EXIT_BROKEN
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(key_found.secret.hex() + "\n")
    sys.stdout.write(f"{PROG}: wrote key {key_found.key_id} to {file} (keep it safe)\n")
    return EXIT_OK


def _read_private(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise audit_key.AuditKeyError(f"{path} cannot be read: {exc}") from exc
