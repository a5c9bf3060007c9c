"""The tablet app stays small: its JavaScript and CSS, the vendored libraries, the service worker and
the page together stay under 150 KB uncompressed (what a tablet downloads and parses at first start)."""

from __future__ import annotations

from pathlib import Path

from server.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "pwa"
BUDGET_BYTES = 150 * 1024


def _parts(root: Path) -> dict[str, list[Path]]:
    return {
        "app scripts (scripts/**/*.js)": sorted((root / "scripts").rglob("*.js")),
        "styles (styles/**/*.css)": sorted((root / "styles").rglob("*.css")),
        "vendored libraries (vendor/**/*.js)": sorted((root / "vendor").rglob("*.js")),
        "service worker (sw.js)": [root / "sw.js"] if (root / "sw.js").is_file() else [],
        "page (index.html)": [root / "index.html"] if (root / "index.html").is_file() else [],
    }


def _sizes(root: Path) -> dict[str, int]:
    return {part: sum(file.stat().st_size for file in files) for part, files in _parts(root).items()}


def test_the_shell_stays_under_150_kb() -> None:
    sizes = _sizes(APP)
    total = sum(sizes.values())
    report = "\n".join(f"  {part:<38} {size / 1024:7.1f} KB" for part, size in sizes.items())
    print(f"\ntablet app, uncompressed:\n{report}\n  {'total':<38} {total / 1024:7.1f} KB of 150 KB")
    assert sizes["vendored libraries (vendor/**/*.js)"] > 0, "the vendored libraries are missing"
    assert total <= BUDGET_BYTES, f"the app is {total} bytes, over the {BUDGET_BYTES}-byte budget:\n{report}"


def test_every_part_is_counted(tmp_path: Path) -> None:
    """The sum reads each kind of file where it lives, nested folders included, and nothing else."""
    for relative, size in {
        "scripts/app.js": 100,
        "scripts/views/auditView.js": 200,
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
