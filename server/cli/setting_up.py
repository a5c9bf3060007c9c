"""``tadqiq`` commands that set a server up: migrate, demo, serve, user (an account from the shell) and
checklists check (validate the library)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import Any

from server.cli.common import Commands, at_least_one, with_engine
from server.lib import db
from server.settings import Settings


def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    async def work() -> None:
        await db.migrate()
        state = await db.migration_state()
        pending = len(state.pending)
        print(f"database: {settings.database_kind}; migrations applied: {state.applied}; pending: {pending}")

    asyncio.run(with_engine(settings, work))
    return 0


def _demo(settings: Settings, _: argparse.Namespace) -> int:
    from server.demo.loader import load_demo

    async def work() -> Any:
        await db.migrate()
        return await load_demo(settings)

    accounts = asyncio.run(with_engine(settings, work))
    if accounts is None:
        print("The database already holds data: demo organisation not loaded.")
        return 0
    custom = "TADQIQ_DEMO_PASSWORD" in os.environ
    shown = "the value of TADQIQ_DEMO_PASSWORD" if custom else settings.demo_password
    print(f"Demo organisation loaded. Sign in at http://{settings.host}:{settings.port} (password: {shown}):")
    for username, roles in accounts:
        print(f"  {username:<12} {', '.join(roles)}")
    return 0


_workers = at_least_one("processes")


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from server.serving import serve_one, serve_workers

    workers: int = settings.workers if args.workers is None else args.workers
    if workers < 1:
        print("error: TADQIQ_WORKERS must be 1 or more", file=sys.stderr)
        return 2
    if workers > 1 and settings.database_kind == "sqlite":
        print(
            "error: several worker processes need PostgreSQL (TADQIQ_DATABASE_URL=postgresql://...); "
            "SQLite is served by one process, which queues its writers fairly",
            file=sys.stderr,
        )
        return 2
    if workers == 1:
        return serve_one(settings)
    return serve_workers(settings.host, settings.port, workers)


def _user(settings: Settings, args: argparse.Namespace) -> int:
    from server.auth import store as auth_store
    from server.auth.logic import hash_password, make_hasher
    from server.lib.clock import utcnow
    from server.lib.principal import Role

    password = args.password or getpass.getpass("Password (8 characters or more): ")
    if len(password) < 8:
        print("error: the password must have at least 8 characters", file=sys.stderr)
        return 2
    try:
        roles = [Role(r) for r in args.roles.split(",")]
    except ValueError:
        print(f"error: roles must be among {', '.join(r.value for r in Role)}", file=sys.stderr)
        return 2
    password_hash = hash_password(
        make_hasher(settings.argon2_time_cost, settings.argon2_memory_kib), password
    )

    async def work() -> None:
        await auth_store.create_user(
            None,
            username=args.username.lower(),
            password_hash=password_hash,
            roles=roles,
            person_id=None,
            locale=None,
            now=utcnow(),
        )

    asyncio.run(with_engine(settings, work))
    print(f"account {args.username} created")
    return 0


def _checklists_check(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.checklists.library import coverage, parse_library, read_library_files
    from server.checklists.wording import GLOSSARY_FILE, wording_problems

    root = Path(args.path) if args.path else settings.checklists_dir
    files = read_library_files(root)
    library, problems = parse_library(files)
    glossary = root / GLOSSARY_FILE
    warnings = wording_problems(files, glossary.read_text(encoding="utf-8") if glossary.is_file() else None)
    for problem in problems:
        print(f"{root.name}/{problem}", file=sys.stderr)
    for warning in warnings:
        print(f"{'error' if args.strict else 'warning'}: {root.name}/{warning}", file=sys.stderr)
    stats = coverage(library)
    print(f"checklist library {root} version {library.version[:12]}")
    for standard in sorted(stats.clauses):
        print(
            f"  {standard:<9} clauses {stats.clauses[standard]:>3}  leaf clauses {stats.leaves[standard]:>3}"
            f"  covered {stats.covered_leaves[standard]:>3}  questions {stats.questions[standard]:>3}"
        )
    languages = ", ".join(
        f"{lang} {'complete' if ok else 'INCOMPLETE'}" for lang, ok in stats.languages_complete.items()
    )
    print(f"  questions {stats.total_questions}; languages: {languages}")
    basis = sum(q.basis == "good_practice" for q in library.questions)
    names = ", ".join(sorted(library.placeholders))
    print(f"  good practice (beyond a requirement): {basis}; placeholders: {names}")
    if problems or (warnings and args.strict):
        print(f"{len(problems)} problem(s), {len(warnings)} wording warning(s) found", file=sys.stderr)
        return 1
    if warnings:
        print(f"  no problems; {len(warnings)} wording warning(s) (--strict fails on them)")
        return 0
    print("  no problems found")
    return 0


def register(commands: Commands) -> None:
    commands.add_parser("migrate", help="apply pending database migrations (safe to run again)").set_defaults(
        run=_migrate
    )
    commands.add_parser("demo", help="load the demo council into an empty database").set_defaults(run=_demo)
    serve = commands.add_parser("serve", help="serve the API on TADQIQ_HOST:TADQIQ_PORT")
    serve.add_argument(
        "--workers",
        type=_workers,
        help="server processes (default: TADQIQ_WORKERS, 1); above 1, PostgreSQL only",
    )
    serve.set_defaults(run=_serve)
    user = commands.add_parser("user", help="create an account")
    user.add_argument("username")
    user.add_argument(
        "--roles", required=True, help="comma-separated: admin,audit_lead,auditor,manager,auditee"
    )
    user.add_argument("--password", help="initial password (asked for when omitted)")
    user.set_defaults(run=_user)
    checklists = commands.add_parser("checklists", help="the checklist library")
    checklist_commands = checklists.add_subparsers(dest="checklists_command", required=True)
    check = checklist_commands.add_parser("check", help="validate the library and print its coverage")
    check.add_argument("--path", help="library folder (default: checklists/)")
    check.add_argument(
        "--strict", action="store_true", help="fail on wording warnings too (glossary, question form)"
    )
    check.set_defaults(run=_checklists_check)
