"""The shipped deploy/nginx.conf, run by Debian's nginx in front of a real ``tadqiq serve`` on loopback:
login, a (gzip) push and a photo larger than nginx's default body limit go through; the app's cache
headers and compression come out unchanged; the login throttle sees the forwarded client address when
the proxy is in TADQIQ_TRUSTED_PROXIES, and the proxy's own address (whatever the client wrote in
X-Forwarded-For) when it is not.

nginx runs as this user, with its pid, logs and temporary files under the test's directory; only the
listening port and the app's address of the shipped file are changed."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.settings import PROJECT_ROOT, Settings
from tests.conftest import missing_tool
from tests.contract.live_server import free_port, live_server
from tests.contract.support import finding

NGINX = Path("/usr/sbin/nginx")
SITE = PROJECT_ROOT / "deploy" / "nginx.conf"


def _render(tmp: Path, listen: int, app_port: int) -> Path:
    """deploy/nginx.conf inside a minimal main configuration, everything nginx writes kept in ``tmp``."""
    site = SITE.read_text()
    replaced = {
        "\n    server 127.0.0.1:8000;": f"\n    server 127.0.0.1:{app_port};",
        "\n    listen 80;": f"\n    listen 127.0.0.1:{listen};",
        "\n    listen [::]:80;": "",
    }
    for old, new in replaced.items():
        assert site.count(old) == 1, f"deploy/nginx.conf no longer has {old!r} once"
        site = site.replace(old, new)
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Started by root (CI), nginx's workers would become "nobody", who cannot enter the test's directory
    # to buffer a large answer: they stay root there. Any other user keeps its own identity.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"{user}pid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'} warn;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n    access_log {tmp / 'access.log'};\n{temp}\n{site}\n}}\n"
    )
    return conf


@contextlib.contextmanager
def _nginx(tmp: Path, app_base: str) -> Iterator[str]:
    """The base URL of nginx, with the shipped site, in front of the app at ``app_base``."""
    if not NGINX.exists():
        missing_tool("Debian's nginx is not installed (apt-get install nginx)")
    tmp.mkdir()
    listen = free_port()
    conf = _render(tmp, listen, int(app_base.rsplit(":", 1)[1]))
    command = [str(NGINX), "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log"), "-g", "daemon off;"]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{listen}"
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.05)
        else:
            raise AssertionError(f"nginx did not start: {(tmp / 'error.log').read_text()}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def _behind_nginx(
    settings: Settings, tmp: Path, trusted: str, extra: dict[str, str] | None = None
) -> Iterator[str]:
    env = {"TADQIQ_TRUSTED_PROXIES": trusted, **(extra or {})}
    with live_server(settings, env, log=tmp / "server.log") as app, _nginx(tmp / "nginx", app) as proxy:
        yield proxy


def _sign_in(base: str, username: str = "auditor1") -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": "demo"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _pdf(size: int) -> bytes:
    head, tail = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", b"\n%%EOF\n"
    return head + b"%" * (size - len(head) - len(tail)) + tail


def test_login_push_and_upload_go_through_the_shipped_config(settings: Settings, tmp_path: Path) -> None:
    with _behind_nginx(settings, tmp_path, "127.0.0.1") as base:
        headers = _sign_in(base)
        audits = httpx.get(f"{base}/api/v1/audits", headers=headers).json()
        audit_id = next(a["id"] for a in audits if a["status"] == "prepared")

        # A gzip push, as the tablets send it: nginx passes the encoded body through untouched.
        ops = [finding(audit_id, statement=f"Constat {n} derrière nginx") for n in range(50)]
        body = gzip.compress(json.dumps({"deviceId": "tablet-nginx", "ops": ops}).encode())
        pushed = httpx.post(
            f"{base}/api/v1/sync/push",
            content=body,
            headers={
                **headers,
                "Idempotency-Key": str(uuid.uuid4()),
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
            },
            timeout=60,
        )
        assert pushed.status_code == 200, pushed.text
        assert [r["status"] for r in pushed.json()["results"]] == ["applied"] * 50

        # 3 MiB: above nginx's default client_max_body_size (1 MiB), within the app's 15 MiB.
        data = _pdf(3 * 1024 * 1024)
        key = hashlib.sha256(data).hexdigest()
        put = httpx.put(
            f"{base}/api/v1/attachments/{key}",
            content=data,
            headers={**headers, "Content-Type": "application/pdf"},
            timeout=60,
        )
        assert put.status_code == 201, put.text
        assert put.json()["sha256"] == key
        assert put.json()["size"] == len(data)
        assert httpx.head(f"{base}/api/v1/attachments/{key}", headers=headers).status_code == 200


def test_the_apps_cache_headers_and_compression_come_through(settings: Settings, tmp_path: Path) -> None:
    with _behind_nginx(settings, tmp_path, "127.0.0.1") as base:
        page = httpx.get(f"{base}/", headers={"Accept-Encoding": "br"})
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-cache"
        assert page.headers["content-encoding"] == "br"  # the app's own, not re-encoded by nginx
        assert "Accept-Encoding" in page.headers["vary"]
        worker = httpx.get(f"{base}/sw.js")
        assert worker.status_code == 200 and worker.headers["cache-control"] == "no-cache"
        asset = re.search(r'/assets/[0-9a-f]+/[^"\s]+', page.text)
        assert asset is not None, "the page names no hashed asset"
        hashed = httpx.get(f"{base}{asset.group(0)}")
        assert hashed.status_code == 200
        assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"


THROTTLE = {"TADQIQ_LOGIN_MAX_FAILURES": "2", "TADQIQ_LOGIN_FIRST_LOCKOUT_SECONDS": "60"}


def _wrong_password(base: str, forwarded_for: str) -> int:
    response = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"username": "auditor2", "password": "not-the-password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


@pytest.mark.parametrize(
    ("trusted", "second_address_status"),
    [
        # nginx (127.0.0.1) is trusted: each client address has its own count.
        ("127.0.0.1", 401),
        # Nobody is trusted: every attempt counts against nginx's address, whatever the client wrote.
        ("", 429),
    ],
    ids=["proxy-trusted", "no-proxy-trusted"],
)
def test_the_throttle_sees_the_forwarded_address_only_from_a_trusted_proxy(
    settings: Settings, tmp_path: Path, trusted: str, second_address_status: int
) -> None:
    with _behind_nginx(settings, tmp_path, trusted, THROTTLE) as base:
        # Two failures are tolerated for one account at one address; the third attempt waits.
        assert [_wrong_password(base, "203.0.113.10") for _ in range(3)] == [401, 401, 429]
        assert _wrong_password(base, "203.0.113.20") == second_address_status
