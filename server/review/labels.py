"""The names of the pack's keys (severities, record statuses, ageing buckets, action types) as msgids,
for every renderer: translated when the language is known."""

from __future__ import annotations

from typing import Final

from server.lib.i18n import N_
from server.reports.wording import CLASS_LABELS, CLASS_PLURAL_LABELS

__all__ = ["ACTION_TYPE_LABELS", "AGE_LABELS", "SEVERITY_LABEL", "SEVERITY_LABELS", "STATUS_LABELS"]

SEVERITY_LABEL: Final[dict[str, str]] = {
    "major": CLASS_LABELS["nc_major"],
    "minor": CLASS_LABELS["nc_minor"],
    "observation": CLASS_LABELS["observation"],
    "improvement": CLASS_LABELS["improvement"],
}
"""One finding's severity."""
SEVERITY_LABELS: Final[dict[str, str]] = {
    "major": CLASS_PLURAL_LABELS["nc_major"],
    "minor": CLASS_PLURAL_LABELS["nc_minor"],
    "observation": CLASS_PLURAL_LABELS["observation"],
    "improvement": CLASS_PLURAL_LABELS["improvement"],
}
"""A column of counts of one severity."""
STATUS_LABELS: Final[dict[str, str]] = {
    "open": N_("Open"),
    "analysis": N_("Cause analysis"),
    "action_plan": N_("Action plan"),
    "in_progress": N_("Actions in progress"),
    "verification": N_("Awaiting verification"),
    "closed": N_("Closed out"),  # a record: feminine in French ("Clôturée"), unlike an audit
    "rejected": N_("Rejected"),
}
AGE_LABELS: Final[dict[str, str]] = {
    "0-30": N_("0 to 30 days"),
    "31-90": N_("31 to 90 days"),
    "91-180": N_("91 to 180 days"),
    ">180": N_("More than 180 days"),
}
ACTION_TYPE_LABELS: Final[dict[str, str]] = {
    "correction": N_("Correction"),
    "corrective": N_("Corrective action"),
    "preventive": N_("Preventive action"),
}
