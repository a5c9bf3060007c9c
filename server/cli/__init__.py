"""The ``tadqiq`` command: migrate, demo, serve, user, checklists, attachments, blobs, import-outbox, keys,
verify, signatures, digest, backup, restore, doctor. Each module here adds its commands to the parser and
holds what they run; ``common`` holds what they share."""

from __future__ import annotations

import argparse

from server.cli import operations, setting_up, signatures, stored_files
from server.settings import load_settings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tadqiq", description="Tadqiq — internal audits of an integrated QSE system"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (setting_up, stored_files, signatures, operations):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = load_settings()
    result: int = args.run(settings, args)
    return result
