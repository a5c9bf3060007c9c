"""The tablet app's vendored libraries: on disk exactly as locked, importable by the browser as shipped,
and refreshed by pwa/vendor/refresh.py only from verified tarballs. No test here uses the network."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

VENDOR = Path(__file__).resolve().parents[3] / "pwa" / "vendor"
SCRIPT = VENDOR / "refresh.py"
LOCK = json.loads((VENDOR / "vendor.lock.json").read_text(encoding="utf-8"))
PACKAGES: list[dict[str, Any]] = LOCK["packages"]
ALLOWED = {"idb": 8, "lit-html": 3, "signature_pad": 5}  # the brief's three, and only they
JS_BUDGET_BYTES = 28_000  # 26.0 KB today (idb 3.7, lit-html 7.3, signature_pad 15.6); patches add a little

# Written independently of refresh.py: static, side-effect and dynamic imports, minified or not.
IMPORT_RE = re.compile(r"""\b(?:from|import)\s*\(?\s*["']([^"']+)["']""")


def _folder(package: dict[str, Any]) -> Path:
    return VENDOR / f"{package['name']}@{package['version']}"


def _ids(package: dict[str, Any]) -> str:
    return str(package["name"])


@pytest.fixture(scope="module")
def refresh() -> Iterator[Any]:
    """refresh.py loaded as a module, without leaving a __pycache__ in pwa/vendor."""
    spec = importlib.util.spec_from_file_location("vendor_refresh", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = before
    yield module
    del sys.modules[spec.name]


def _run_check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-B", str(SCRIPT), "--check", "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


# --- the committed tree ---------------------------------------------------------------------------


def test_lock_holds_exactly_idb_8_lit_html_3_and_signature_pad_5() -> None:
    assert {p["name"]: p["major"] for p in PACKAGES} == ALLOWED
    for package in PACKAGES:
        name, version = package["name"], package["version"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", version)
        assert int(version.split(".")[0]) == ALLOWED[name]
        assert package["tarball"] == f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"
        assert package["integrity"].startswith("sha512-")
        assert len(base64.b64decode(package["integrity"].removeprefix("sha512-"))) == 64


@pytest.mark.parametrize("package", PACKAGES, ids=_ids)
def test_every_locked_file_is_on_disk_with_its_sha256_and_size(package: dict[str, Any]) -> None:
    for rel, expected in package["files"].items():
        data = (_folder(package) / rel).read_bytes()
        assert len(data) == expected["size"], rel
        assert hashlib.sha256(data).hexdigest() == expected["sha256"], rel


@pytest.mark.parametrize("package", PACKAGES, ids=_ids)
def test_no_unlocked_file_in_a_library_folder(package: dict[str, Any]) -> None:
    on_disk = {p.relative_to(_folder(package)).as_posix() for p in _folder(package).rglob("*") if p.is_file()}
    assert on_disk == set(package["files"])


def test_only_the_locked_versions_have_folders() -> None:
    folders = {p.name for p in VENDOR.iterdir() if p.is_dir() and "@" in p.name}
    assert folders == {_folder(p).name for p in PACKAGES}


@pytest.mark.parametrize("package", PACKAGES, ids=_ids)
def test_each_library_keeps_its_licence_and_provenance(package: dict[str, Any]) -> None:
    licence = _folder(package) / "LICENSE"
    assert licence.is_file()
    assert re.search(r"license|permission", licence.read_text(encoding="utf-8"), re.IGNORECASE)
    manifest = json.loads((_folder(package) / "package.json").read_text(encoding="utf-8"))
    assert (manifest["name"], manifest["version"]) == (package["name"], package["version"])


def test_every_relative_import_resolves_to_a_kept_file() -> None:
    for package in PACKAGES:
        kept = set(package["files"])
        for rel in sorted(r for r in kept if r.endswith(".js")):
            source = (_folder(package) / rel).read_text(encoding="utf-8")
            for specifier in IMPORT_RE.findall(source):
                assert specifier.startswith(("./", "../")), f"{rel}: bare import {specifier!r}"
                target = PurePosixPath(rel).parent / specifier
                resolved = (_folder(package) / target).resolve().relative_to(_folder(package).resolve())
                assert resolved.as_posix() in kept, f"{package['name']}/{rel} imports missing {specifier}"
    # The kept builds are single files today, so the pattern itself must be shown to see every form.
    sample = 'import{a}from"./a.js";export*from"../b.js";import"./c.js";const d=import("./d.js");'
    assert IMPORT_RE.findall(sample) == ["./a.js", "../b.js", "./c.js", "./d.js"]


def test_vendored_javascript_stays_small() -> None:
    total = sum(f["size"] for p in PACKAGES for rel, f in p["files"].items() if rel.endswith(".js"))
    assert total <= JS_BUDGET_BYTES, f"vendored JavaScript is {total} bytes"


def test_check_accepts_the_committed_tree() -> None:
    result = _run_check(VENDOR)
    assert result.returncode == 0, result.stderr
    assert "match" in result.stdout


# --- --check on a damaged copy --------------------------------------------------------------------


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-1])


def _add_stray(path: Path) -> None:
    (path.parent / "stray.js").write_text("export const x = 1;\n", encoding="utf-8")


def _stale_folder(path: Path) -> None:
    shutil.copytree(path.parent, path.parent.parent / "lit-html@3.0.0")


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "content": (_flip_one_byte, "lit-html.js: sha256"),
    "size": (_truncate, "lit-html.js: size"),
    "removed": (Path.unlink, "lit-html.js: locked file is missing"),
    "stray": (_add_stray, "stray.js: file is not in the lock"),
    "stale": (_stale_folder, "lit-html@3.0.0: library folder is not in the lock"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_check_fails_naming_the_damaged_file(tmp_path: Path, damage: str) -> None:
    root = tmp_path / "vendor"
    shutil.copytree(VENDOR, root)
    lit = next(p for p in PACKAGES if p["name"] == "lit-html")
    harm, expected = DAMAGE[damage]
    harm(root / f"lit-html@{lit['version']}" / "lit-html.js")
    result = _run_check(root)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


# --- refresh.py's pieces, against tarballs made here ----------------------------------------------


def _tarball(files: dict[str, bytes], top: str = "package") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}" if top else name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def test_newest_release_is_chosen_by_number_within_the_major(refresh: Any) -> None:
    versions = {
        "3.9.0": {},
        "3.10.1": {},
        "3.11.0-pre.1": {},
        "3.12.0": {"deprecated": "broken"},
        "4.0.0": {},
    }
    assert refresh.pick_version(versions, 3) == "3.10.1"
    assert refresh.pick_version(versions, 3, pin="3.9.0") == "3.9.0"
    with pytest.raises(refresh.VendorError, match=r"not a 3\.x"):
        refresh.pick_version(versions, 3, pin="4.0.0")
    with pytest.raises(refresh.VendorError, match=r"no 5\.x"):
        refresh.pick_version(versions, 5)


def test_tarball_not_matching_the_registry_sha512_is_refused(refresh: Any) -> None:
    data = _tarball({"index.js": b"export {};\n"})
    refresh.verify_integrity(data, _integrity(data))
    with pytest.raises(refresh.VendorError, match="differs"):
        refresh.verify_integrity(data + b"\0", _integrity(data))
    with pytest.raises(refresh.VendorError, match="no sha512"):
        refresh.verify_integrity(data, "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode())


@pytest.mark.parametrize("name", ["package/../../evil.js", "/etc/evil.js", "package/a/../../evil.js"])
def test_tarball_with_a_path_outside_the_package_is_refused(refresh: Any, name: str) -> None:
    data = _tarball({"index.js": b"", name: b"boom"}, top="")
    with pytest.raises(refresh.VendorError, match="unsafe path"):
        refresh.read_tarball(data)


def test_tarball_with_a_link_is_refused(refresh: Any) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        link = tarfile.TarInfo("package/index.js")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    with pytest.raises(refresh.VendorError, match="not a regular file"):
        refresh.read_tarball(buffer.getvalue())


def test_only_entries_their_imports_and_extras_are_kept(refresh: Any) -> None:
    spec = refresh.LibrarySpec("demo", 1, ("lib/main.js",))
    package = {
        "lib/main.js": b'import{a}from"./a.js";export*from"../shared/b.js";const c=import("./c.js");',
        "lib/a.js": b"export const a=1;",
        "shared/b.js": b'import"../lib/a.js";export const b=2;',
        "lib/c.js": b"export default 3;",
        "lib/unused.js": b"export const u=0;",
        "README.md": b"# demo",
        "LICENSE": b"MIT",
        "package.json": b"{}",
    }
    kept = refresh.select_files(spec, package)
    assert set(kept) == {"lib/main.js", "lib/a.js", "shared/b.js", "lib/c.js", "LICENSE", "package.json"}
    package["lib/a.js"] = b'import{html}from"lit-html";'
    with pytest.raises(refresh.VendorError, match="not a relative path"):
        refresh.select_files(spec, package)
    package["lib/a.js"] = b'import"./gone.js";'
    with pytest.raises(refresh.VendorError, match=r"gone\.js is not in the package"):
        refresh.select_files(spec, package)


def _fake_registry(mangle: str | None = None) -> dict[str, bytes]:
    """Registry answers built from the committed files, plus files a refresh must leave out."""
    answers: dict[str, bytes] = {}
    for package in PACKAGES:
        name, version = package["name"], package["version"]
        files = {rel: (_folder(package) / rel).read_bytes() for rel in package["files"]}
        files["README.md"] = b"not vendored"
        files["node/unused.js"] = b"export {};"
        tarball = _tarball(files)
        integrity = _integrity(tarball)
        if name == mangle:
            tarball = _tarball({**files, "README.md": b"changed after publishing"})
        answers[package["tarball"]] = tarball
        meta = {"versions": {version: {"dist": {"tarball": package["tarball"], "integrity": integrity}}}}
        answers[f"https://registry.npmjs.org/{name}"] = json.dumps(meta).encode()
    return answers


def test_refresh_writes_the_locked_tree_and_replaces_the_old_folder(
    refresh: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = _fake_registry()
    monkeypatch.setattr(refresh, "_fetch", lambda url, accept: answers[url])
    old = tmp_path / "lit-html@3.0.0"
    old.mkdir()
    (old / "index.js").write_text("old", encoding="utf-8")
    refresh.refresh(tmp_path, {})
    assert not old.exists()
    assert refresh.check_vendor(tmp_path) == []
    written = json.loads((tmp_path / "vendor.lock.json").read_text(encoding="utf-8"))
    # The same lock, except the integrity of the tarballs made here.
    assert [{**p, "integrity": ""} for p in written["packages"]] == [{**p, "integrity": ""} for p in PACKAGES]
    for package in written["packages"]:
        assert package["integrity"] == _integrity(answers[package["tarball"]])
    assert not list(tmp_path.rglob("README.md"))


def test_refresh_with_a_bad_tarball_changes_nothing(
    refresh: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = _fake_registry(mangle="lit-html")
    monkeypatch.setattr(refresh, "_fetch", lambda url, accept: answers[url])
    root = tmp_path / "vendor"
    shutil.copytree(VENDOR, root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    with pytest.raises(refresh.VendorError, match="sha512"):
        refresh.refresh(root, {})
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
