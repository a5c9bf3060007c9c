"""The completeness gate: exactly what is missing, one test per item, worded for someone who can act."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from server.lib.i18n import translate
from server.reports.facts import ReportFacts
from server.reports.gate import MissingItem, missing_items, missing_message
from server.sync.schemas import ConclusionData
from tests.unit.reports.test_logic import complete_facts


def codes(facts: ReportFacts) -> list[str]:
    return [item.code for item in missing_items(facts)]


def with_audit(**changes: Any) -> ReportFacts:
    facts = complete_facts()
    return msgspec.structs.replace(facts, audit=msgspec.structs.replace(facts.audit, **changes))


def with_conclusion(**changes: Any) -> ReportFacts:
    facts = complete_facts()
    assert facts.conclusion is not None
    return msgspec.structs.replace(facts, conclusion=msgspec.structs.replace(facts.conclusion, **changes))


def test_complete_facts_miss_nothing() -> None:
    assert missing_items(complete_facts()) == []


def test_blank_objectives_are_missing() -> None:
    assert codes(with_audit(objectives="  \n")) == ["report.missing.objectives"]


def test_scope_without_standards_is_missing() -> None:
    assert codes(with_audit(standards=[])) == ["report.missing.scope"]


def test_scope_without_process_or_units_is_missing() -> None:
    assert codes(complete_facts(process=None, units=[])) == ["report.missing.scope"]
    assert codes(complete_facts(process=None)) == []  # audited units are a scope
    assert codes(complete_facts(units=[])) == []  # so is a process


def test_criteria_without_documents_are_missing() -> None:
    assert codes(with_audit(criteria=[])) == ["report.missing.criteria"]
    assert codes(with_audit(criteria=[" "])) == ["report.missing.criteria"]


def test_nonconformity_without_evidence_is_named_by_its_statement_and_clauses() -> None:
    facts = complete_facts()
    findings = [
        msgspec.structs.replace(f, evidence=" ") if f.id in ("f-major", "f-obs", "f-ofi") else f
        for f in facts.findings
    ]
    items = missing_items(msgspec.structs.replace(facts, findings=findings))
    assert items == [  # observations and opportunities are not held to it here
        MissingItem(
            code="report.missing.evidence",
            params={
                "finding_id": "f-major",
                "statement": "Issue de secours bloquée",
                "clauses": "ISO 9001 8.5.1, ISO 14001 8.1",
            },
        )
    ]
    assert missing_message(items[0], "fr") == translate(
        "fr",
        "Nonconformity «{statement}» ({clauses}) has no evidence: add the evidence on the tablet and sync.",
        statement="Issue de secours bloquée",
        clauses="ISO 9001 8.5.1, ISO 14001 8.1",
    )


def test_long_statement_is_cut_and_a_question_clause_names_the_finding() -> None:
    facts = complete_facts()
    long = "Le registre " + "très " * 30 + "incomplet"
    findings = [
        msgspec.structs.replace(f, evidence="", statement=long) if f.id == "f-gp" else f
        for f in facts.findings
    ]
    (item,) = missing_items(msgspec.structs.replace(facts, findings=findings))
    assert item.params["statement"].endswith("…") and len(item.params["statement"]) <= 61
    assert item.params["clauses"] == "ISO 9001 7.1.6"  # the question's clause, as the finding cites none


def test_nonconformity_without_statement_or_evidence_is_named_by_its_clauses() -> None:
    facts = complete_facts()
    findings = [
        msgspec.structs.replace(f, evidence="", statement="") if f.id == "f-minor" else f
        for f in facts.findings
    ]
    (item,) = missing_items(msgspec.structs.replace(facts, findings=findings))
    assert item.params == {"finding_id": "f-minor", "statement": "", "clauses": "ISO 14001 7.5.3"}
    assert missing_message(item, "en") == (
        "A nonconformity (ISO 14001 7.5.3) has no statement and no evidence: "
        "complete it on the tablet and sync."
    )


def test_missing_closing_meeting() -> None:
    assert codes(complete_facts(closing=None)) == ["report.missing.closing_meeting"]


def test_missing_conclusion_is_one_item() -> None:
    assert codes(complete_facts(conclusion=None)) == ["report.missing.conclusion"]


def test_empty_conclusions_text() -> None:
    assert codes(with_conclusion(conclusions=" ")) == ["report.missing.conclusions_text"]


def test_standard_without_degree() -> None:
    facts = complete_facts()
    assert facts.conclusion is not None
    items = missing_items(with_conclusion(degrees=facts.conclusion.degrees[:1]))
    assert items == [MissingItem(code="report.missing.degree", params={"standard": "ISO 14001"})]
    assert "ISO 14001" in missing_message(items[0], "ar")


def test_conclusion_without_lead_auditor_signature() -> None:
    facts = complete_facts()
    assert facts.conclusion is not None
    auditee_only = [s for s in facts.conclusion.signatures if s.role == "auditee_representative"]
    assert codes(with_conclusion(signatures=auditee_only)) == ["report.missing.lead_auditor_signature"]


def test_conclusion_without_auditee_signature_or_reason() -> None:
    facts = complete_facts()
    assert facts.conclusion is not None
    lead_only = [s for s in facts.conclusion.signatures if s.role == "lead_auditor"]
    assert codes(with_conclusion(signatures=lead_only)) == ["report.missing.auditee_signature"]
    assert codes(with_conclusion(signatures=lead_only, auditee_unsigned_reason=" ")) == [
        "report.missing.auditee_signature"
    ]
    assert codes(with_conclusion(signatures=lead_only, auditee_unsigned_reason="Absente, en mission")) == []


def test_several_gaps_are_listed_in_the_report_order() -> None:
    facts = complete_facts(process=None, units=[], closing=None, conclusion=ConclusionData())
    facts = msgspec.structs.replace(facts, audit=msgspec.structs.replace(facts.audit, objectives=""))
    assert codes(facts) == [
        "report.missing.objectives",
        "report.missing.scope",
        "report.missing.closing_meeting",
        "report.missing.conclusions_text",
        "report.missing.degree",
        "report.missing.degree",
        "report.missing.lead_auditor_signature",
        "report.missing.auditee_signature",
    ]


@pytest.mark.parametrize("locale", ["ar", "fr", "en"])
def test_every_item_is_worded_in_each_locale(locale: Any) -> None:
    facts = complete_facts(process=None, units=[], closing=None, conclusion=ConclusionData())
    facts = msgspec.structs.replace(
        facts,
        audit=msgspec.structs.replace(facts.audit, objectives="", criteria=[]),
        findings=[msgspec.structs.replace(f, evidence="") for f in facts.findings],
    )
    items = missing_items(facts)
    assert {i.code for i in items} == {
        "report.missing.objectives",
        "report.missing.scope",
        "report.missing.criteria",
        "report.missing.evidence",
        "report.missing.closing_meeting",
        "report.missing.conclusions_text",
        "report.missing.degree",
        "report.missing.lead_auditor_signature",
        "report.missing.auditee_signature",
    }
    for item in items:
        text = missing_message(item, locale)
        assert text.strip() and "{" not in text
    assert missing_message(MissingItem(code="report.missing.conclusion"), locale).strip()
