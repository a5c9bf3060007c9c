"""The management-review pack of the demo year through the API, on SQLite and PostgreSQL: every figure
checked against counts the test computes itself from the tables (its own SQL, not ``store.py``'s), the
workbook's sheets and totals, who may read it, and the refusal of a bad period."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from server.app import create_app
from server.lib import db
from server.lib.i18n import translate
from server.lib.rows import json_list
from server.review.xlsx import SHEETS, TOTALLED
from server.settings import Settings
from tests.conftest import login
from tests.integration.review.support import YEAR, reader, seed

Client = AsyncTestClient[Any]
Read = Callable[[str], Awaitable[list[dict[str, Any]]]]
DONE = "('reported', 'signed', 'closed')"
SEVERITY = {
    "nc_major": "major",
    "nc_minor": "minor",
    "observation": "observation",
    "improvement": "improvement",
}


@pytest.fixture
async def seeded(settings: Settings) -> AsyncIterator[tuple[Client, Read]]:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        await seed()
    finally:
        await db.stop_engine(engine)
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client, reader(settings)


async def _pack(client: Client, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/api/v1/review/pack{query}", headers=await login(client, "manager"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _findings(read: Read, first: str, last: str) -> list[dict[str, Any]]:
    """The findings that count, read plainly: done audits planned in the period, not deleted."""
    found = await read(
        f"""SELECT f.id, f.verdict, f.clause_refs, f.process_id, a.process_id AS audit_process, a.code
            FROM finding f JOIN audit a ON a.id = f.audit_id
            WHERE f.deleted = false AND a.status IN {DONE}
              AND a.planned_start >= '{first}' AND a.planned_start <= '{last}'"""  # noqa: S608 - literals
    )
    return [f for f in found if f["verdict"] in SEVERITY]


def _by(rows_: list[dict[str, Any]], key: str = "key") -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows_}


async def test_the_demo_years_pack_matches_the_tables(seeded: tuple[Client, Read]) -> None:
    client, read = seeded
    pack = await _pack(client)
    assert pack["period"] == {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31", "label": str(YEAR)}
    assert pack["previous"]["label"] == str(YEAR - 1)

    audits = await read(
        f"SELECT status, COUNT(*) AS n FROM audit WHERE planned_start >= '{YEAR}-01-01' "  # noqa: S608 - literals
        f"AND planned_start <= '{YEAR}-12-31' GROUP BY status"
    )
    by_status = {r["status"]: int(r["n"]) for r in audits}
    totals = pack["totals"]
    assert totals["auditsPlanned"] == sum(by_status.values())
    assert totals["auditsDone"] == sum(by_status.get(s, 0) for s in ("reported", "signed", "closed")) >= 2
    assert totals["auditsCancelled"] == by_status["cancelled"] == 1
    assert sum(q["planned"] for q in pack["realisation"]) == totals["auditsPlanned"]

    current = await _findings(read, f"{YEAR}-01-01", f"{YEAR}-12-31")
    previous = await _findings(read, f"{YEAR - 1}-01-01", f"{YEAR - 1}-12-31")
    severity = _by(pack["findingsBySeverity"], "severity")
    for verdict, name in SEVERITY.items():
        assert severity[name]["current"] == sum(f["verdict"] == verdict for f in current)
        assert severity[name]["previous"] == sum(f["verdict"] == verdict for f in previous)
    assert totals["findings"] == len(current) and totals["previousFindings"] == len(previous) == 2

    def per(findings: list[dict[str, Any]], keys: Any) -> Counter[tuple[str, str]]:
        return Counter((k, SEVERITY[f["verdict"]]) for f in findings for k in set(keys(f)))

    standards = per(current, lambda f: [r.split(":")[0] for r in json_list(f["clause_refs"])])
    groups = per(current, lambda f: [r.split(":")[1].split(".")[0] for r in json_list(f["clause_refs"])])
    processes = per(current, lambda f: [str(f["process_id"] or f["audit_process"] or "")])
    before = per(previous, lambda f: [r.split(":")[0] for r in json_list(f["clause_refs"])])
    for table, expected in (
        ("findingsByStandard", standards),
        ("findingsByClauseGroup", groups),
        ("findingsByProcess", processes),
    ):
        got = Counter({(r["key"], s): r[s] for r in pack[table] for s in SEVERITY.values() if r[s]})
        assert got == expected, table
    prev_totals = {r["key"]: r["previousTotal"] for r in pack["findingsByStandard"] if r["previousTotal"]}
    assert prev_totals == dict(Counter(k for k, _ in before.elements()))
    assert _by(pack["findingsByClauseGroup"])["8"]["label"]["fr"]

    await _records_match(read, pack)


def _bucket(age: int) -> str:
    for limit, name in ((30, "0-30"), (90, "31-90"), (180, "91-180")):
        if age <= limit:
            return name
    return ">180"


async def _records_match(read: Read, pack: dict[str, Any]) -> None:
    as_of = date.fromisoformat(pack["asOf"])
    recurring = defaultdict(set)
    for f in await _findings(read, f"{YEAR}-01-01", f"{YEAR}-12-31"):
        if f["verdict"] in ("nc_major", "nc_minor"):
            for ref in json_list(f["clause_refs"]):
                recurring[ref].add(f["code"])
    expected = {ref: sorted(codes) for ref, codes in recurring.items() if len(codes) >= 2}
    assert {r["clause"]: r["auditCodes"] for r in pack["recurringClauses"]} == expected
    assert "iso9001:8.4.1" in expected

    opened = await read(
        f"SELECT status, severity, COUNT(*) AS n FROM nonconformity WHERE opened_on >= '{YEAR}-01-01' "  # noqa: S608 - literals
        f"AND opened_on <= '{YEAR}-12-31' GROUP BY status, severity"
    )
    got = {
        (r["status"], s): r[s] for r in pack["ncStatus"] for s in ("major", "minor", "observation") if r[s]
    }
    assert got == {(r["status"], r["severity"]): int(r["n"]) for r in opened}

    open_records = await read(
        "SELECT opened_on, severity FROM nonconformity WHERE status NOT IN ('closed', 'rejected')"
    )
    ages: Counter[str] = Counter()
    for r in open_records:
        day = r["opened_on"] if isinstance(r["opened_on"], date) else date.fromisoformat(r["opened_on"])
        if day <= as_of:
            ages[_bucket((as_of - day).days)] += 1
    assert {r["bucket"]: r["total"] for r in pack["ncAgeing"] if r["total"]} == dict(ages)
    assert pack["totals"]["nonconformitiesOpen"] == len(open_records)

    late = await read(
        "SELECT x.due FROM nc_action x JOIN nonconformity n ON n.id = x.nonconformity "
        "WHERE x.status IN ('planned', 'in_progress') AND n.status NOT IN ('closed', 'rejected')"
    )
    due = [r["due"] if isinstance(r["due"], date) else date.fromisoformat(r["due"]) for r in late]
    assert pack["totals"]["overdueActions"] == len(pack["overdueActions"]) == sum(d < as_of for d in due) >= 1
    assert [a["daysLate"] for a in pack["overdueActions"]] == sorted(
        (as_of - d).days for d in due if d < as_of
    )[::-1]

    verdicts = await read(
        f"SELECT verdict, COUNT(*) AS n FROM nc_verification WHERE verified_on >= '{YEAR}-01-01' "  # noqa: S608 - literals
        f"AND verified_on <= '{YEAR}-12-31' GROUP BY verdict"
    )
    counted = {r["verdict"]: int(r["n"]) for r in verdicts}
    e = pack["effectiveness"]
    assert (e["effective"], e["ineffective"]) == (counted.get("effective", 0), counted.get("ineffective", 0))
    assert e["verified"] >= 2 and e["rate"] == pytest.approx(e["effective"] / e["verified"])

    majors = [n for n in pack["notable"] if n["severity"] == "major"]
    assert majors and len(pack["notable"]) <= 10
    assert [n["severity"] for n in pack["notable"]] == sorted(
        (n["severity"] for n in pack["notable"]), key=lambda s: s != "major"
    )


@pytest.mark.parametrize("lang", ["ar", "fr"])
async def test_the_workbook_holds_one_sheet_per_table_with_the_packs_totals(
    seeded: tuple[Client, Read], lang: str
) -> None:
    client, _ = seeded
    pack = await _pack(client)
    response = await client.get(f"/api/v1/review/pack.xlsx?lang={lang}", headers=await login(client, "lead"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    titles = [translate(lang, s)[:31] for s in SHEETS]  # type: ignore[arg-type]
    assert book.sheetnames == [t.replace(":", "-") for t in titles]
    sheets = dict(zip(SHEETS, book.worksheets, strict=True))
    assert all(ws.sheet_view.rightToLeft == (lang == "ar") for ws in book.worksheets)
    total = translate(lang, "Total")  # type: ignore[arg-type]
    for msgid, ws in sheets.items():
        last = [c.value for c in ws[ws.max_row]]
        assert (last[0] == total) == (msgid in TOTALLED), msgid

    def last_row(msgid: str) -> list[Any]:
        ws = sheets[msgid]
        return [c.value for c in ws[ws.max_row]]

    t = pack["totals"]
    assert last_row("Programme realisation")[1:4] == [
        t["auditsPlanned"],
        t["auditsDone"],
        sum(q["inProgress"] for q in pack["realisation"]),
    ]
    assert last_row("Programme realisation")[-1] == t["auditsCancelled"]
    assert last_row("Findings by severity")[1:] == [t["findings"], t["previousFindings"]]
    for msgid, table in (
        ("Findings by standard", "findingsByStandard"),
        ("Findings by clause group", "findingsByClauseGroup"),
        ("Findings by process", "findingsByProcess"),
    ):
        assert sheets[msgid].max_row == len(pack[table]) + 2
        assert last_row(msgid)[-2:] == [
            sum(r["total"] for r in pack[table]),
            sum(r["previousTotal"] for r in pack[table]),
        ]
    assert last_row("Nonconformities by status")[-1] == t["nonconformitiesOpened"]
    assert last_row("Ageing of open nonconformities")[-1] == t["nonconformitiesOpen"]
    assert last_row("Effectiveness of actions")[-1] == pack["effectiveness"]["verified"]
    assert sheets["Overdue actions"].max_row == t["overdueActions"] + 1
    assert sheets["Recurring clauses"].max_row == len(pack["recurringClauses"]) + 1
    assert sheets["Notable findings"].max_row == len(pack["notable"]) + 1
    summary = {row[0].value: row[1].value for row in sheets["Summary"].iter_rows(min_row=2)}
    assert summary[translate(lang, "Audits planned")] == t["auditsPlanned"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("username", "status"),
    [("auditor1", 403), ("auditee1", 403), ("manager", 200), ("lead", 200), ("admin", 200)],
)
async def test_the_pack_is_for_managers_the_lead_and_admins(
    seeded: tuple[Client, Read], username: str, status: int
) -> None:
    client, _ = seeded
    headers = await login(client, username)
    for path in ("/api/v1/review/pack", "/api/v1/review/pack.xlsx?lang=fr"):
        assert (await client.get(path, headers=headers)).status_code == status, path


@pytest.mark.parametrize(
    ("query", "field", "status", "code"),
    [
        ("?from=2026-13-01", "from", 422, "review.period_invalid"),
        ("?from=26-01-01", "from", 400, "request.validation_failed"),
        ("?to=2026-02-30", "to", 422, "review.period_invalid"),
        ("?from=2026-06-01&to=2026-01-01", "to", 422, "review.period_invalid"),
        ("?from=2020-01-01&to=2026-12-31", "to", 422, "review.period_invalid"),
        ("?from=0001-01-01", "from", 422, "review.period_invalid"),
    ],
)
async def test_a_bad_period_is_refused_naming_the_field(
    seeded: tuple[Client, Read], query: str, field: str, status: int, code: str
) -> None:
    """A malformed day breaks the schema (400); a day or a period the rules cannot use, 422."""
    client, _ = seeded
    response = await client.get(f"/api/v1/review/pack{query}", headers=await login(client, "lead"))
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert body["details"][0]["field"] == field and body["details"][0]["message"]


async def test_a_period_of_one_quarter_compares_with_the_quarter_before(
    seeded: tuple[Client, Read],
) -> None:
    client, read = seeded
    pack = await _pack(client, f"?from={YEAR}-04-01&to={YEAR}-06-30")
    assert [(q["year"], q["quarter"]) for q in pack["realisation"]] == [(YEAR, 2)]
    assert pack["previous"]["start"] == f"{YEAR}-01-01" and pack["previous"]["end"] == f"{YEAR}-03-31"
    assert pack["asOf"] == f"{YEAR}-06-30"
    assert pack["totals"]["findings"] == len(await _findings(read, f"{YEAR}-04-01", f"{YEAR}-06-30")) == 3
    only_from = await _pack(client, f"?from={YEAR}-07-01")
    assert only_from["period"]["end"] == f"{YEAR}-12-31"
