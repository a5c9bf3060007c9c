"""The composed integrated checklist with and without If-None-Match, beside a precomputed byte string
of the same size served by the same server (same authentication) in the same run."""

from __future__ import annotations

import httpx

from bench.harness import drive, fmt_load, running_server


async def run() -> list[tuple[str, str, str, str]]:
    with running_server({"TADQIQ_BENCH_ROUTES": "1"}) as server:
        base = server.base_url
        token = httpx.post(
            f"{base}/api/v1/auth/login", json={"username": "auditor1", "password": "demo"}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        params = {"standards": "iso9001,iso14001,iso45001", "lang": "ar"}
        first = httpx.get(f"{base}/api/v1/checklists", params=params, headers=auth)
        size, etag = len(first.content), first.headers["ETag"]
        baseline = await drive(
            lambda c: c.get("/api/v1/bench/bytes", params={"size": size}, headers=auth),
            base_url=base,
            total=1500,
        )
        full = await drive(
            lambda c: c.get("/api/v1/checklists", params=params, headers=auth), base_url=base, total=1500
        )
        conditional = await drive(
            lambda c: c.get("/api/v1/checklists", params=params, headers={**auth, "If-None-Match": etag}),
            base_url=base,
            total=1500,
            ok=lambda r: r.status_code == 304,
        )
    label = f"{size / 1024:.0f} KiB"
    return [
        (f"checklists: precomputed {label} (baseline)", fmt_load(baseline), "", ""),
        (
            f"checklists: integrated, ar, {label}",
            fmt_load(full),
            "vs baseline",
            f"{full.rps / baseline.rps:5.2f}x",
        ),
        (
            "checklists: same with If-None-Match (304)",
            fmt_load(conditional),
            "vs baseline",
            f"{conditional.rps / baseline.rps:5.2f}x",
        ),
    ]
