"""The organisation: its profile (name, provinces, facts), units, sites, processes and people (with
qualifications and availability)."""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, Boolean, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

__all__ = ["Availability", "OrgProfile", "Person", "Process", "ProcessSite", "Qualification", "Site", "Unit"]


def _archived_at() -> Timestamptz:
    return Timestamptz(
        null=True,
        default=None,
        help_text="Set when archived: kept for the audits that reference it, left out of pick lists.",
    )


def _archived_by() -> Varchar:
    return Varchar(length=64, null=True, default=None, help_text="Username of who archived it.")


class OrgProfile(Table, tablename="org_profile"):
    """The one row describing the organisation itself; absent until it is first needed or set."""

    id = Integer(primary_key=True, default=1, help_text="Always 1: there is one profile.")
    name_ar = Varchar(length=200, default="")
    name_fr = Varchar(length=200, default="")
    name_en = Varchar(length=200, default="", help_text="Empty: the French name stands in.")
    provinces = JSON(
        default=[],
        help_text="[{code, ar, fr, en}] in display order. Empty: a site may name any well-formed code.",
    )
    facts = JSON(
        default={},
        help_text="{placeholder name: {ar, fr, en}}: the organisation's values for the checklist "
        "library's placeholders (checklists/placeholders.yaml).",
    )
    rev = Integer(default=0, help_text="0 until first set, then one more at each change.")
    updated_at = Timestamptz(null=True, default=None)
    updated_by = Varchar(length=64, default="", help_text="Username of who last changed it.")


class Unit(Table, tablename="org_unit"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    code = Varchar(length=24, unique=True, help_text="Short code used on documents, e.g. DAF-DMP.")
    kind = Varchar(length=24, help_text="general_directorate, directorate, division or service.")
    parent: ForeignKey[Unit] = ForeignKey("self", null=True, default=None, on_delete=OnDelete.restrict)
    name_ar = Varchar(length=200)
    name_fr = Varchar(length=200)
    archived_at = _archived_at()
    archived_by = _archived_by()


class Site(Table, tablename="org_site"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    code = Varchar(length=24, unique=True)
    kind = Varchar(length=24, help_text="head_office, annex, provincial_office, works_site or facility.")
    province = Varchar(
        length=24,
        help_text="Code of one of the organisation's provinces (its profile); any well-formed code while "
        "the profile lists none.",
    )
    name_ar = Varchar(length=200)
    name_fr = Varchar(length=200)
    address = Varchar(length=200, default="")
    archived_at = _archived_at()
    archived_by = _archived_by()


class Process(Table, tablename="org_process"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    code = Varchar(length=24, unique=True)
    name_ar = Varchar(length=200)
    name_fr = Varchar(length=200)
    owner_unit = ForeignKey(Unit, null=False, on_delete=OnDelete.restrict, help_text="Unit that owns it.")
    standards = Varchar(length=40, help_text="Comma-separated: iso9001, iso14001, iso45001.")
    criticality = Varchar(length=8, help_text="low, medium or high; drives audit frequency.")
    tags = Varchar(length=300, default="", help_text="Comma-separated checklist tags (kinds of process).")
    archived_at = _archived_at()
    archived_by = _archived_by()


class ProcessSite(Table, tablename="org_process_site"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    process = ForeignKey(Process, null=False, on_delete=OnDelete.cascade)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict)


class Person(Table, tablename="org_person"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    full_name_ar = Varchar(length=200)
    full_name_fr = Varchar(length=200)
    email = Varchar(length=200, default="")
    unit = ForeignKey(Unit, null=False, on_delete=OnDelete.restrict)
    job_title_ar = Varchar(length=200, default="")
    job_title_fr = Varchar(length=200, default="")
    lead_auditor = Boolean(default=False, help_text="Qualified to lead an audit team.")
    archived_at = _archived_at()
    archived_by = _archived_by()


class Qualification(Table, tablename="org_qualification"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    person = ForeignKey(Person, null=False, on_delete=OnDelete.cascade)
    standard = Varchar(length=10, help_text="iso9001, iso14001 or iso45001.")
    since = Date(help_text="Date the qualification was obtained.")
    training = Varchar(length=200, default="")


class Availability(Table, tablename="org_availability"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    person = ForeignKey(Person, null=False, on_delete=OnDelete.cascade)
    start = Date()
    end = Date()
    available = Boolean(default=False, help_text="False for leave/mission, True for a declared availability.")
    note = Varchar(length=200, default="")
