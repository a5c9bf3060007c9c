"""The tablet app stays small. The shell (its JavaScript and CSS, the vendored libraries, the service worker
and the page) stays under 150 KB uncompressed: what every tablet downloads and parses at first start. The
annual programme's screens are a group of their own (``scripts/programme/``), imported only when a role that
uses them opens one: they have their own budget of 40 KB, and a lead's tablet downloads both."""

from __future__ import annotations

from pathlib import Path

from server.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "pwa"
KB = 1024
SHELL_BUDGET = 150 * KB
PROGRAMME_BUDGET = 40 * KB
PROGRAMME = "scripts/programme"


def _in_programme(root: Path, file: Path) -> bool:
    return file.relative_to(root).as_posix().startswith(f"{PROGRAMME}/")


def _parts(root: Path) -> dict[str, list[Path]]:
    def shell(files: list[Path]) -> list[Path]:
        return sorted(file for file in files if not _in_programme(root, file))

    return {
        "app scripts (scripts/**/*.js)": shell(list((root / "scripts").rglob("*.js"))),
        "styles (styles/**/*.css)": shell(list((root / "styles").rglob("*.css"))),
        "vendored libraries (vendor/**/*.js)": shell(list((root / "vendor").rglob("*.js"))),
        "service worker (sw.js)": [root / "sw.js"] if (root / "sw.js").is_file() else [],
        "page (index.html)": [root / "index.html"] if (root / "index.html").is_file() else [],
    }


def _programme_files(root: Path) -> list[Path]:
    """The programme's group: its modules and its style sheet."""
    return sorted(file for file in (root / PROGRAMME).rglob("*") if file.suffix in (".js", ".css"))


def _sizes(root: Path) -> dict[str, int]:
    return {part: sum(file.stat().st_size for file in files) for part, files in _parts(root).items()}


def _programme_size(root: Path) -> int:
    return sum(file.stat().st_size for file in _programme_files(root))


def _report(root: Path) -> str:
    sizes = _sizes(root)
    shell, programme = sum(sizes.values()), _programme_size(root)
    rows: list[tuple[str, int, int | None]] = [
        *((part, size, None) for part, size in sizes.items()),
        ("shell", shell, SHELL_BUDGET),
        ("programme group (scripts/programme/)", programme, PROGRAMME_BUDGET),
        ("a lead's tablet (shell + programme)", shell + programme, None),
    ]
    lines = [
        f"  {name:<38} {size / KB:7.1f} KB{f' of {budget // KB} KB' if budget else ''}"
        for name, size, budget in rows
    ]
    return "\n".join(["tablet app, uncompressed:", *lines])


def test_the_shell_stays_under_150_kb() -> None:
    sizes = _sizes(APP)
    shell = sum(sizes.values())
    print(f"\n{_report(APP)}")
    assert sizes["vendored libraries (vendor/**/*.js)"] > 0, "the vendored libraries are missing"
    report = _report(APP)
    assert shell <= SHELL_BUDGET, (
        f"the shell is {shell} bytes, over its {SHELL_BUDGET}-byte budget:\n{report}"
    )


def test_the_programme_group_stays_under_40_kb() -> None:
    programme = _programme_size(APP)
    assert _programme_files(APP), "the programme's screens are missing"
    assert programme <= PROGRAMME_BUDGET, (
        f"the programme group is {programme} bytes, over its {PROGRAMME_BUDGET}-byte budget:\n{_report(APP)}"
    )


def test_every_part_is_counted(tmp_path: Path) -> None:
    """Each kind of file is read where it lives, nested folders included, and nothing else; the programme's
    group is counted apart from the shell, never twice."""
    for relative, size in {
        "scripts/app.js": 100,
        "scripts/views/auditView.js": 200,
        "scripts/programme/grid.js": 1_000,
        "scripts/programme/programme.css": 70,
        "scripts/programme/README.md": 3_000,
        "styles/app.css": 30,
        "styles/print/report.css": 4,
        "vendor/lit-html@3.3.3/directives/repeat.js": 5000,
        "sw.js": 7,
        "index.html": 9,
        "vendor/lit-html@3.3.3/package.json": 20_000,
        "vendor/refresh.py": 16_000,
        "icons/icon-512.png": 40_000,
    }.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"x" * size)
    assert list(_sizes(tmp_path).values()) == [300, 34, 5000, 7, 9]
    assert _programme_size(tmp_path) == 1_070
    report = _report(tmp_path)
    assert "5.2 KB of 150 KB" in report  # 5,350 bytes
    assert "1.0 KB of 40 KB" in report
    assert "6.3 KB" in report.splitlines()[-1]  # 6,420 bytes
