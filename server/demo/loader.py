"""Loading the fictional demo council (``organisation.yaml``) into an empty database."""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
import msgspec
import yaml

from server.auth import store as auth_store
from server.auth.logic import hash_password, make_hasher
from server.checklists.library import load_library
from server.demo.audits import load_demo_audits
from server.demo.completed_audit import issue_demo_reports, load_completed_audit
from server.demo.nonconformities import advance_demo_nonconformities
from server.lib.clock import utcnow
from server.lib.db import write_transaction
from server.lib.principal import Role
from server.lib.standards import Standard, Tag
from server.lib.structs import LocalizedName
from server.org import people_store, profile_store, store
from server.org.logic import check_facts, check_unique_provinces
from server.org.schemas import (
    AvailabilityIO,
    Criticality,
    FactIn,
    LocalizedText,
    PersonIn,
    ProcessIn,
    ProfileIn,
    ProfileName,
    ProvinceCode,
    ProvinceIn,
    QualificationIO,
    SiteIn,
    SiteKind,
    UnitIn,
    UnitKind,
)
from server.programme import store as programme_store
from server.programme.schemas import PolicyIO
from server.settings import Settings

__all__ = ["DEMO_FILE", "DemoData", "database_is_empty", "load_demo", "read_demo"]

DEMO_FILE = Path(__file__).with_name("organisation.yaml")


class DemoUnit(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    kind: UnitKind
    parent: str | None
    name: LocalizedName


class DemoSite(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    kind: SiteKind
    province: ProvinceCode
    name: LocalizedName
    address: str = ""


class DemoProcess(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name: LocalizedName
    owner_unit: str
    sites: list[str]
    standards: list[Standard]
    criticality: Criticality
    tags: list[Tag] = []


class DemoPerson(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    full_name: LocalizedName
    email: str
    unit: str
    job_title: LocalizedText
    roles: list[Role]
    lead_auditor: bool = False
    qualifications: list[QualificationIO] = []
    availability: list[AvailabilityIO] = []


class DemoOrganisation(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name: ProfileName
    provinces: list[ProvinceIn]
    facts: dict[str, FactIn]

    def profile(self) -> ProfileIn:
        return ProfileIn(name=self.name, provinces=self.provinces, facts=self.facts)


class DemoData(msgspec.Struct, forbid_unknown_fields=True):
    organisation: DemoOrganisation
    units: list[DemoUnit]
    sites: list[DemoSite]
    processes: list[DemoProcess]
    people: list[DemoPerson]
    programme_policy: PolicyIO | None = None


def read_demo(path: Path = DEMO_FILE) -> DemoData:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return msgspec.convert(raw, DemoData, strict=False)


async def database_is_empty() -> bool:
    return not await auth_store.list_users() and not await store.list_units()


async def load_demo(settings: Settings, path: Path = DEMO_FILE) -> list[tuple[str, list[Role]]] | None:
    """Load the demo council when the database is empty; returns the accounts created, else None."""
    if not await database_is_empty():
        return None
    data = read_demo(path)
    profile = data.organisation.profile()
    check_unique_provinces(profile.provinces)
    check_facts(profile.facts, load_library(settings.checklists_dir)[0].placeholders.keys())
    hasher = make_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    hashes = [
        await anyio.to_thread.run_sync(hash_password, hasher, settings.demo_password) for _ in data.people
    ]
    accounts: list[tuple[str, list[Role]]] = []
    async with write_transaction():
        await profile_store.write_profile(None, await profile_store.lock_profile(), profile)
        units: dict[str, str] = {}
        for unit in data.units:
            created = await store.create_unit(
                None,
                UnitIn(
                    code=unit.code,
                    kind=unit.kind,
                    name=unit.name,
                    parent_id=units[unit.parent] if unit.parent else None,
                ),
            )
            units[unit.code] = created.id
        sites: dict[str, str] = {}
        for site in data.sites:
            sites[site.code] = (
                await store.create_site(
                    None,
                    SiteIn(
                        code=site.code,
                        kind=site.kind,
                        province=site.province,
                        name=site.name,
                        address=site.address,
                    ),
                )
            ).id
        for process in data.processes:
            await store.create_process(
                None,
                ProcessIn(
                    code=process.code,
                    name=process.name,
                    owner_unit_id=units[process.owner_unit],
                    standards=process.standards,
                    criticality=process.criticality,
                    site_ids=[sites[s] for s in process.sites],
                    tags=process.tags,
                ),
            )
        for person, password_hash in zip(data.people, hashes, strict=True):
            created_person = await people_store.create_person(
                None,
                PersonIn(
                    full_name=person.full_name,
                    unit_id=units[person.unit],
                    email=person.email,
                    job_title=person.job_title,
                    lead_auditor=person.lead_auditor,
                    qualifications=person.qualifications,
                    availability=person.availability,
                ),
            )
            await auth_store.create_user(
                None,
                username=person.username,
                password_hash=password_hash,
                roles=person.roles,
                person_id=created_person.id,
                locale="ar" if person.username.startswith("auditee") else "fr",
                now=utcnow(),
            )
            accounts.append((person.username, sorted(person.roles)))
        if data.programme_policy is not None:
            await programme_store.save_policy(None, data.programme_policy, 0)
        await load_demo_audits(settings.checklists_dir, utcnow().date())
        completed = await load_completed_audit(settings, utcnow().date())
    if completed is not None:
        # After the commit: issuing a report reads the audit in a snapshot transaction of its own.
        await issue_demo_reports(settings, completed)
        # The issued reports opened the nonconformity records: their follow-up is under way.
        await advance_demo_nonconformities(settings, completed)
    return accounts
