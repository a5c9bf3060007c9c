"""Refresh or check the tablet app's vendored JavaScript libraries (stdlib only, no Node).

``python pwa/vendor/refresh.py`` asks the npm registry for the newest release of each library within
its allowed major (or the version given with ``--pin name@version``), downloads the tarball, checks
it against the registry's sha512 ``integrity`` before reading anything out of it, keeps only the
ES-module files the browser imports (the named entry points and whatever they import, transitively)
with the licence and package.json, replaces ``<name>@<old>/`` and rewrites ``vendor.lock.json``.

``python pwa/vendor/refresh.py --check`` uses no network: every locked file must be on disk with its
sha256 and size, and nothing unlocked may sit in a library folder. Exit status 1 names each problem.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import shutil
import sys
import tarfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = [
    "LIBRARIES",
    "LibrarySpec",
    "VendorError",
    "check_vendor",
    "main",
    "pick_version",
    "read_tarball",
    "relative_imports",
    "select_files",
    "verify_integrity",
]

REGISTRY = "https://registry.npmjs.org/"
LOCK_NAME = "vendor.lock.json"
LOCK_VERSION = 1
DEFAULT_ROOT = Path(__file__).resolve().parent
TIMEOUT_SECONDS = 60
MAX_TARBALL_BYTES = 20 * 1024 * 1024

# Static `import … from "x"`, `export … from "x"`, side-effect `import "x"` and dynamic `import("x")`,
# written with or without spaces (the production builds are minified).
_IMPORT_RE = re.compile(r"""(?:\bfrom|\bimport)\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)""")
_RELEASE_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True)
class LibrarySpec:
    """One vendored library: the major the app is written against and the files it imports."""

    name: str
    major: int
    entries: tuple[str, ...]
    """ES modules the app imports; their relative imports are added transitively."""
    extras: tuple[str, ...] = ("LICENSE", "package.json")
    """Kept for provenance; never parsed for imports."""


# Only what the app imports: idb's UMD build (IndexedDB requests and transactions as promises, for
# scripts/db.js only; 3.7 KB where its ES build is 11.6 KB unminified, and as a module it sets
# globalThis.idb), lit-html's core (the directives are not used) and signature_pad's ES
# module build (the meetings' signatures, through scripts/photos.js).
LIBRARIES: tuple[LibrarySpec, ...] = (
    LibrarySpec("idb", 8, ("build/umd.js",)),
    LibrarySpec("lit-html", 3, ("lit-html.js",)),
    LibrarySpec("signature_pad", 5, ("dist/signature_pad.min.js",)),
)


class VendorError(Exception):
    """A refresh that must stop before it changes anything on disk."""


# --- pure helpers ---------------------------------------------------------------------------------


def relative_imports(source: str) -> list[str]:
    """Every module specifier imported by ``source``, in order of appearance."""
    return [static or dynamic for static, dynamic in _IMPORT_RE.findall(source)]


def resolve_import(importer: str, specifier: str) -> str:
    """The package path a relative ``specifier`` of the file ``importer`` points at.

    Raises VendorError for a bare specifier (the browser would need an import map) or one that
    climbs out of the package."""
    if not specifier.startswith(("./", "../")):
        raise VendorError(f"{importer} imports {specifier!r}, which is not a relative path")
    parts: list[str] = list(PurePosixPath(importer).parent.parts)
    for part in PurePosixPath(specifier).parts:
        if part == "..":
            if not parts:
                raise VendorError(f"{importer} imports {specifier!r}, outside the package")
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def pick_version(versions: dict[str, Any], major: int, pin: str | None = None) -> str:
    """The newest plain release (no pre-release, not deprecated) of ``major``, or ``pin`` if given."""
    if pin is not None:
        match = _RELEASE_RE.match(pin)
        if match is None or int(match.group(1)) != major:
            raise VendorError(f"pinned version {pin} is not a {major}.x release")
        if pin not in versions:
            raise VendorError(f"pinned version {pin} is not published")
        return pin
    candidates: list[tuple[int, int, int]] = []
    for version, meta in versions.items():
        match = _RELEASE_RE.match(version)
        if match is None or int(match.group(1)) != major:
            continue
        if isinstance(meta, dict) and meta.get("deprecated"):
            continue
        candidates.append((int(match.group(1)), int(match.group(2)), int(match.group(3))))
    if not candidates:
        raise VendorError(f"no {major}.x release is published")
    return ".".join(str(n) for n in max(candidates))


def verify_integrity(data: bytes, integrity: str) -> None:
    """Raise VendorError unless ``data`` matches the sha512 of an npm ``integrity`` string."""
    expected = [item.split("-", 1)[1] for item in integrity.split() if item.startswith("sha512-")]
    if not expected:
        raise VendorError(f"the registry gives no sha512 integrity ({integrity!r})")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if actual not in expected:
        raise VendorError(f"tarball sha512 {actual} differs from the registry's {expected[0]}")


def _member_path(name: str) -> str | None:
    """The path inside the package of a tarball member, or None when it is unsafe.

    npm tarballs hold one top folder (usually ``package/``) that is dropped."""
    path = PurePosixPath(name)
    if path.is_absolute() or "\\" in name or any(part in ("..", "") for part in path.parts):
        return None
    parts = [part for part in path.parts if part != "."]
    if len(parts) < 2:
        return None
    return "/".join(parts[1:])


def read_tarball(data: bytes) -> dict[str, bytes]:
    """The regular files of a package tarball by package path, read in memory.

    Nothing is extracted to disk; links, devices and paths that are absolute or contain ``..`` raise
    VendorError rather than being skipped, since a package that ships them is not one to trust."""
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.isdir():
                continue
            path = _member_path(member.name)
            if path is None:
                raise VendorError(f"tarball member {member.name!r} has an unsafe path")
            if not member.isfile():
                raise VendorError(f"tarball member {member.name!r} is not a regular file")
            handle = archive.extractfile(member)
            if handle is None:
                raise VendorError(f"tarball member {member.name!r} cannot be read")
            files[path] = handle.read()
    return files


def select_files(spec: LibrarySpec, package: dict[str, bytes]) -> dict[str, bytes]:
    """The entries, everything they import (transitively, relative only) and the extras."""
    chosen: dict[str, bytes] = {}
    pending = list(spec.entries)
    while pending:
        path = pending.pop()
        if path in chosen:
            continue
        if path not in package:
            raise VendorError(f"{spec.name}: {path} is not in the package")
        chosen[path] = package[path]
        source = package[path].decode("utf-8")
        pending.extend(resolve_import(path, specifier) for specifier in relative_imports(source))
    for path in spec.extras:
        if path not in package:
            raise VendorError(f"{spec.name}: {path} is not in the package")
        chosen[path] = package[path]
    return dict(sorted(chosen.items()))


def file_entry(data: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


# --- check (no network) ---------------------------------------------------------------------------


def _load_lock(root: Path) -> dict[str, Any]:
    lock_path = root / LOCK_NAME
    try:
        lock = json.loads(lock_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VendorError(f"{LOCK_NAME} is missing under {root}") from exc
    except json.JSONDecodeError as exc:
        raise VendorError(f"{LOCK_NAME} is not valid JSON: {exc}") from exc
    if not isinstance(lock, dict) or lock.get("lockfileVersion") != LOCK_VERSION:
        raise VendorError(f"{LOCK_NAME} is not a version {LOCK_VERSION} vendor lock")
    packages = lock.get("packages")
    if not isinstance(packages, list) or not all(
        isinstance(p, dict) and {"name", "version", "files"} <= p.keys() and isinstance(p["files"], dict)
        for p in packages
    ):
        raise VendorError(f"{LOCK_NAME} lists no packages with name, version and files")
    return lock


def check_vendor(root: Path) -> list[str]:
    """Problems between the files under ``root`` and its lock, each naming a path under ``root``."""
    lock = _load_lock(root)
    problems: list[str] = []
    locked_folders: set[str] = set()
    for package in lock.get("packages", []):
        folder = f"{package['name']}@{package['version']}"
        locked_folders.add(folder)
        base = root / folder
        if not base.is_dir():
            problems.append(f"{folder}/: locked library folder is missing")
            continue
        files: dict[str, dict[str, Any]] = package["files"]
        for rel, expected in sorted(files.items()):
            path = base / rel
            if not path.is_file():
                problems.append(f"{folder}/{rel}: locked file is missing")
                continue
            actual = file_entry(path.read_bytes())
            if actual["size"] != expected["size"]:
                problems.append(
                    f"{folder}/{rel}: size {actual['size']} differs from the lock's {expected['size']}"
                )
            elif actual["sha256"] != expected["sha256"]:
                problems.append(f"{folder}/{rel}: sha256 {actual['sha256']} differs from the lock")
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base).as_posix()
            if not path.is_dir() and rel not in files:
                problems.append(f"{folder}/{rel}: file is not in the lock")
    for path in sorted(root.iterdir()):
        if "@" in path.name and path.name not in locked_folders:
            problems.append(f"{path.name}: library folder is not in the lock")
    return problems


# --- refresh (network) ----------------------------------------------------------------------------


def _fetch(url: str, accept: str) -> bytes:
    if not url.startswith(REGISTRY):
        raise VendorError(f"refusing to fetch {url}: not on {REGISTRY}")
    # Only https URLs on the registry reach here (checked above), never file: or custom schemes.
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "tadqiq-vendor-refresh"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        data: bytes = response.read(MAX_TARBALL_BYTES + 1)
    if len(data) > MAX_TARBALL_BYTES:
        raise VendorError(f"{url} is larger than {MAX_TARBALL_BYTES} bytes")
    return data


@dataclass(frozen=True)
class Download:
    spec: LibrarySpec
    version: str
    tarball: str
    integrity: str
    files: dict[str, bytes]

    @property
    def folder(self) -> str:
        return f"{self.spec.name}@{self.version}"


def download(spec: LibrarySpec, pin: str | None) -> Download:
    """Resolve, fetch and verify one library; nothing is written."""
    meta = json.loads(_fetch(REGISTRY + urllib.parse.quote(spec.name), "application/vnd.npm.install-v1+json"))
    versions: dict[str, Any] = meta.get("versions", {})
    version = pick_version(versions, spec.major, pin)
    dist = versions[version]["dist"]
    tarball, integrity = str(dist["tarball"]), str(dist.get("integrity", ""))
    data = _fetch(tarball, "application/octet-stream")
    verify_integrity(data, integrity)
    return Download(spec, version, tarball, integrity, select_files(spec, read_tarball(data)))


def _write_library(root: Path, item: Download) -> None:
    """Write into a staging folder, then swap it for the library's current folder(s)."""
    staging = root / f".{item.folder}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    for rel, data in item.files.items():
        target = (staging / rel).resolve()
        if not target.is_relative_to(staging.resolve()):
            raise VendorError(f"{item.spec.name}: {rel} would be written outside its folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for old in root.glob(f"{item.spec.name}@*"):
        shutil.rmtree(old)
    staging.rename(root / item.folder)


def build_lock(items: list[Download]) -> dict[str, Any]:
    return {
        "lockfileVersion": LOCK_VERSION,
        "registry": REGISTRY,
        "packages": [
            {
                "name": item.spec.name,
                "major": item.spec.major,
                "version": item.version,
                "tarball": item.tarball,
                "integrity": item.integrity,
                "files": {rel: file_entry(data) for rel, data in item.files.items()},
            }
            for item in items
        ],
    }


def _parse_pins(values: list[str]) -> dict[str, str]:
    known = {spec.name for spec in LIBRARIES}
    pins: dict[str, str] = {}
    for value in values:
        name, sep, version = value.rpartition("@")
        if not sep or name not in known:
            raise VendorError(f"--pin {value}: expected one of {', '.join(sorted(known))} as name@version")
        pins[name] = version
    return pins


def refresh(root: Path, pins: dict[str, str]) -> list[Download]:
    # Every library is fetched and verified before any folder is touched.
    items = [download(spec, pins.get(spec.name)) for spec in LIBRARIES]
    root.mkdir(parents=True, exist_ok=True)
    for item in items:
        _write_library(root, item)
    lock_path = root / LOCK_NAME
    staged = lock_path.with_suffix(".json.tmp")
    staged.write_text(json.dumps(build_lock(items), indent=2) + "\n", encoding="utf-8")
    staged.replace(lock_path)
    return items


def _report(items: list[Download]) -> None:
    total = 0
    for item in items:
        js = sum(len(data) for rel, data in item.files.items() if rel.endswith(".js"))
        total += js
        print(f"{item.folder}: {len(item.files)} files, {js} bytes of JavaScript")
    print(f"vendored JavaScript: {total} bytes ({total / 1024:.1f} KiB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="verify the files against the lock (no network)")
    parser.add_argument(
        "--pin",
        action="append",
        default=[],
        metavar="NAME@VERSION",
        help="take this version instead of the newest of the allowed major (repeatable)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=DEFAULT_ROOT,
        help="the vendor folder holding the lock (default: this script's folder)",
    )
    args = parser.parse_args(argv)
    root: Path = args.root
    try:
        if args.check:
            if args.pin:
                parser.error("--pin has no meaning with --check")
            problems = check_vendor(root)
            if problems:
                print(f"vendored files under {root} do not match {LOCK_NAME}:", file=sys.stderr)
                for problem in problems:
                    print(f"  {problem}", file=sys.stderr)
                print("run `make vendor-refresh` to fetch them again", file=sys.stderr)
                return 1
            print(f"vendored files match {LOCK_NAME}")
            return 0
        _report(refresh(root, _parse_pins(args.pin)))
        return 0
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # urllib's URLError and HTTPError are OSErrors
        print(f"error: the registry could not be reached: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
