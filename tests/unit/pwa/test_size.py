"""The tablet app stays small, counted as source files. The brief's budget is 150 KB of JavaScript and CSS
for the whole app, all roles' screens included; as source files that is not met since the annual
programme's screens (see the xfail below and the README); as downloaded (brotli) it is, and
``tests/integration/system/test_app_transfer.py`` holds that. What is held here: the shell the app starts
with stays under 150 KB, and no group may grow. The groups, each imported only when a role first opens one
of its screens: the programme's (the audit lead, managers, auditors' "my programme"), the nonconformities',
the management-review dashboard's, the administration's (admins and the audit lead) and the audit lead's
audit screens."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "pwa"
KB = 1024
BUDGET = 150 * KB
GROUP_CEILING = 36 * KB  # the programme's screens as measured on 2026-12-02
GROUP = ("scripts", "programme")
ACTIONS_CEILING = 34_000  # the nonconformity screens as measured on 2026-12-02 (33,024 bytes), +3%
ACTIONS = ("scripts", "actions")
REVIEW_CEILING = 13_530  # the management-review dashboard as measured on 2026-12-02 (13,132 bytes), +3%
REVIEW = ("scripts", "review")
PROGRAMME_PART, ACTIONS_PART = "programme group (scripts/programme/)", "actions group (scripts/actions/)"
REVIEW_PART = "review group (scripts/review/)"
ADMIN_CEILING = 95_300  # the administration screens as measured on 2026-12-02 (92,547 bytes), +3%
ADMIN = ("scripts", "admin")
ADMIN_PART = "administration group (scripts/admin/)"
LEAD_CEILING = 24_000  # the lead's audit screens, out of the shell on 2026-12-02 (23,336 bytes), +3%
LEAD = ("scripts", "lead")
LEAD_PART = "audit lead's group (scripts/lead/)"
GROUPS = {
    GROUP: PROGRAMME_PART,
    ACTIONS: ACTIONS_PART,
    REVIEW: REVIEW_PART,
    ADMIN: ADMIN_PART,
    LEAD: LEAD_PART,
}


def _files(root: Path) -> list[Path]:
    return sorted(
        f
        for f in root.rglob("*")
        if f.is_file() and (f.suffix in (".js", ".css") or f == root / "index.html")
    )


def _sizes(root: Path) -> dict[str, int]:
    sizes = {
        "vendored libraries (vendor/)": 0,
        PROGRAMME_PART: 0,
        ACTIONS_PART: 0,
        REVIEW_PART: 0,
        ADMIN_PART: 0,
        LEAD_PART: 0,
        "app scripts, styles, page": 0,
    }
    for file in _files(root):
        parts = file.relative_to(root).parts
        part = (
            "vendored libraries (vendor/)"
            if parts[0] == "vendor"
            else GROUPS.get(
                (parts[0], parts[1]) if len(parts) > 1 else (parts[0], ""), "app scripts, styles, page"
            )
        )
        sizes[part] += file.stat().st_size
    return sizes


def _report(sizes: dict[str, int]) -> str:
    rows = [*sizes.items(), ("total", sum(sizes.values()))]
    return "tablet app, uncompressed:\n" + "\n".join(
        f"  {name:<40} {size / KB:7.1f} KB" for name, size in rows
    )


def test_the_shell_every_tablet_loads_stays_under_150_kb() -> None:
    sizes = _sizes(APP)
    print(f"\n{_report(sizes)}")
    assert sizes["vendored libraries (vendor/)"] > 0, "the vendored libraries are missing"
    shell = sum(sizes.values()) - sum(sizes[part] for part in GROUPS.values())
    assert shell <= BUDGET, f"the shell is {shell} bytes, over {BUDGET}:\n{_report(sizes)}"


def test_the_programme_group_does_not_grow() -> None:
    group = _sizes(APP)[PROGRAMME_PART]
    assert 0 < group <= GROUP_CEILING, f"the programme's screens are {group} bytes (ceiling {GROUP_CEILING})"


def test_the_nonconformity_group_does_not_grow() -> None:
    group = _sizes(APP)[ACTIONS_PART]
    assert 0 < group <= ACTIONS_CEILING, (
        f"the nonconformity screens are {group} bytes (ceiling {ACTIONS_CEILING})"
    )


def test_the_administration_group_does_not_grow() -> None:
    group = _sizes(APP)[ADMIN_PART]
    assert 0 < group <= ADMIN_CEILING, f"the administration screens: {group} bytes (ceiling {ADMIN_CEILING})"


def test_the_lead_group_does_not_grow() -> None:
    group = _sizes(APP)[LEAD_PART]
    assert 0 < group <= LEAD_CEILING, f"the audit lead's screens: {group} bytes (ceiling {LEAD_CEILING})"


def test_the_review_group_does_not_grow() -> None:
    group = _sizes(APP)[REVIEW_PART]
    assert 0 < group <= REVIEW_CEILING, f"the review screen is {group} bytes (ceiling {REVIEW_CEILING})"


@pytest.mark.xfail(
    strict=True,
    reason="the whole app's source files exceed the brief's 150 KB (met as downloaded): see the README",
)
def test_the_whole_app_stays_under_150_kb() -> None:
    sizes = _sizes(APP)
    assert sum(sizes.values()) <= BUDGET, _report(sizes)


def test_every_part_is_counted(tmp_path: Path) -> None:
    """Every script and style sheet counts wherever it lives, the page too, and nothing else."""
    for relative, size in {
        "scripts/app.js": 100,
        "scripts/views/auditView.js": 200,
        "scripts/programme/grid.js": 1_000,
        "scripts/programme/README.md": 3_000,
        "scripts/actions/list.js": 400,
        "scripts/review/dashboard.js": 60,
        "scripts/admin/hub.js": 70,
        "scripts/lead/lead-plan.js": 80,
        "styles/app.css": 30,
        "styles/print/report.css": 4,
        "sw.js": 7,
        "vendor/lit-html@3.3.3/directives/repeat.js": 5000,
        "index.html": 9,
        "vendor/lit-html@3.3.3/package.json": 20_000,
        "vendor/refresh.py": 16_000,
        "icons/icon-512.png": 40_000,
    }.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"x" * size)
    assert list(_sizes(tmp_path).values()) == [5000, 1_000, 400, 60, 70, 80, 350]
