"""Login and an authenticated read under concurrent load, beside the same server's /api/v1/health."""

from __future__ import annotations

import httpx

from bench.harness import drive, fmt_load, running_server

LOGIN_CONCURRENCY = 4


async def run() -> list[tuple[str, str, str, str]]:
    rows = []
    with running_server() as server:
        base = server.base_url
        health = await drive(lambda c: c.get("/api/v1/health"), base_url=base, total=2000)
        login_body = {"username": "auditor1", "password": "demo"}
        # As many logins at once as the server checks passwords at once (its verification gate, 4 by
        # default): more would only wait in the gate or get 503 auth.busy, which is the gate's job.
        logins = await drive(
            lambda c: c.post("/api/v1/auth/login", json=login_body),
            base_url=base,
            total=200,
            concurrency=LOGIN_CONCURRENCY,
        )
        token = httpx.post(f"{base}/api/v1/auth/login", json=login_body).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        reads = await drive(lambda c: c.get("/api/v1/processes", headers=auth), base_url=base, total=2000)
        rows.append(("auth: GET /api/v1/health (baseline)", fmt_load(health), "", ""))
        rows.append(
            (
                f"auth: POST /auth/login (argon2id t=3 m=64MiB, {LOGIN_CONCURRENCY} at once)",
                fmt_load(logins),
                "vs baseline",
                f"{logins.rps / health.rps:5.2f}x",
            )
        )
        rows.append(
            (
                "auth: GET /api/v1/processes (bearer)",
                fmt_load(reads),
                "vs baseline",
                f"{reads.rps / health.rps:5.2f}x",
            )
        )
    return rows
