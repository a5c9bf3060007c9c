"""Reading the audit trail by the person who made the changes (the admin screens' person filter)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import login

QUESTION: dict[str, Any] = {
    "clauses": ["iso9001:7.5.3.2"],
    "text": {"ar": "هل يُحفظ سجل الطلبات؟", "fr": "Le registre des demandes est-il tenu ?"},
}


async def test_the_actor_filter_keeps_only_that_persons_changes(client: AsyncTestClient[Any]) -> None:
    lead, admin = await login(client, "lead"), await login(client, "admin")
    created = (await client.post("/api/v1/org-questions", json=QUESTION, headers=lead)).json()
    unit = {"code": "TRL", "kind": "directorate", "name": {"ar": "وحدة التجريب", "fr": "Unité d'essai"}}
    assert (await client.post("/api/v1/units", json=unit, headers=admin)).status_code == 201

    def read(**params: str) -> Any:
        return client.get("/api/v1/audit-trail", params=params, headers=admin)

    by_lead = (await read(actor="lead")).json()["items"]
    assert by_lead and {e["actorUsername"] for e in by_lead} == {"lead"}
    assert (by_lead[0]["entity"], by_lead[0]["entityId"]) == ("question", created["code"])
    by_admin = (await read(actor="admin", entity="unit")).json()["items"]
    assert [(e["actorUsername"], e["entityId"]) for e in by_admin][:1] == [("admin", by_admin[0]["entityId"])]
    assert by_admin[0]["changes"]["code"] == [None, "TRL"]
    assert (await read(actor="admin", entity="question")).json()["items"] == []
    assert (await read(actor="nobody")).json() == {"items": [], "nextBeforeId": None}
    assert (await read(actor="x" * 65)).status_code == 400
