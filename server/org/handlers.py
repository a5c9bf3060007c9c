"""Organisation API: everyone signed in reads the structure; admins and the audit lead change it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from server.auth.guards import principal_of
from server.auth.policy import CAN_EDIT_ORG, SIGNED_IN
from server.org import people_store, store
from server.org.schemas import PersonIn, PersonOut, ProcessIn, ProcessOut, SiteIn, SiteOut, UnitIn, UnitOut

__all__ = ["CONTROLLERS", "PeopleController", "ProcessesController", "SitesController", "UnitsController"]

Req = Request[Any, Any, Any]


class UnitsController(Controller):
    path = "/api/v1/units"
    tags = ["organisation"]

    @get("/", operation_id="listUnits", guards=[SIGNED_IN])
    async def list_units(self) -> list[UnitOut]:
        """All units (the tree is given by ``parentId``)."""
        return await store.list_units()

    @get("/{unit_id:uuid}", operation_id="getUnit", guards=[SIGNED_IN])
    async def get_unit(self, unit_id: FromPath[UUID]) -> UnitOut:
        return await store.get_unit(str(unit_id))

    @post("/", operation_id="createUnit", guards=[CAN_EDIT_ORG])
    async def create_unit(self, request: Req, data: JSONBody[UnitIn]) -> UnitOut:
        return await store.create_unit(principal_of(request), data)

    @put("/{unit_id:uuid}", operation_id="updateUnit", guards=[CAN_EDIT_ORG])
    async def update_unit(self, request: Req, unit_id: FromPath[UUID], data: JSONBody[UnitIn]) -> UnitOut:
        return await store.update_unit(principal_of(request), str(unit_id), data)

    @delete("/{unit_id:uuid}", operation_id="deleteUnit", guards=[CAN_EDIT_ORG])
    async def delete_unit(self, request: Req, unit_id: FromPath[UUID]) -> None:
        """Refused (409) while the unit has sub-units, processes or people."""
        await store.delete_unit(principal_of(request), str(unit_id))


class SitesController(Controller):
    path = "/api/v1/sites"
    tags = ["organisation"]

    @get("/", operation_id="listSites", guards=[SIGNED_IN])
    async def list_sites(self) -> list[SiteOut]:
        return await store.list_sites()

    @get("/{site_id:uuid}", operation_id="getSite", guards=[SIGNED_IN])
    async def get_site(self, site_id: FromPath[UUID]) -> SiteOut:
        return await store.get_site(str(site_id))

    @post("/", operation_id="createSite", guards=[CAN_EDIT_ORG])
    async def create_site(self, request: Req, data: JSONBody[SiteIn]) -> SiteOut:
        return await store.create_site(principal_of(request), data)

    @put("/{site_id:uuid}", operation_id="updateSite", guards=[CAN_EDIT_ORG])
    async def update_site(self, request: Req, site_id: FromPath[UUID], data: JSONBody[SiteIn]) -> SiteOut:
        return await store.update_site(principal_of(request), str(site_id), data)

    @delete("/{site_id:uuid}", operation_id="deleteSite", guards=[CAN_EDIT_ORG])
    async def delete_site(self, request: Req, site_id: FromPath[UUID]) -> None:
        """Refused (409) while a process runs on the site."""
        await store.delete_site(principal_of(request), str(site_id))


class ProcessesController(Controller):
    path = "/api/v1/processes"
    tags = ["organisation"]

    @get("/", operation_id="listProcesses", guards=[SIGNED_IN])
    async def list_processes(self) -> list[ProcessOut]:
        """The auditable processes with owner unit, sites, standards and criticality."""
        return await store.list_processes()

    @get("/{process_id:uuid}", operation_id="getProcess", guards=[SIGNED_IN])
    async def get_process(self, process_id: FromPath[UUID]) -> ProcessOut:
        return await store.get_process(str(process_id))

    @post("/", operation_id="createProcess", guards=[CAN_EDIT_ORG])
    async def create_process(self, request: Req, data: JSONBody[ProcessIn]) -> ProcessOut:
        return await store.create_process(principal_of(request), data)

    @put("/{process_id:uuid}", operation_id="updateProcess", guards=[CAN_EDIT_ORG])
    async def update_process(
        self, request: Req, process_id: FromPath[UUID], data: JSONBody[ProcessIn]
    ) -> ProcessOut:
        return await store.update_process(principal_of(request), str(process_id), data)

    @delete("/{process_id:uuid}", operation_id="deleteProcess", guards=[CAN_EDIT_ORG])
    async def delete_process(self, request: Req, process_id: FromPath[UUID]) -> None:
        await store.delete_process(principal_of(request), str(process_id))


class PeopleController(Controller):
    path = "/api/v1/people"
    tags = ["organisation"]

    @get("/", operation_id="listPeople", guards=[SIGNED_IN])
    async def list_people(
        self, request: Req, unit_id: Annotated[UUID | None, QueryParameter(name="unitId")] = None
    ) -> list[PersonOut]:
        """People; contact details, qualifications and availability only for admins, the audit lead,
        management, and each person themself."""
        return await people_store.list_people(principal_of(request), str(unit_id) if unit_id else None)

    @get("/{person_id:uuid}", operation_id="getPerson", guards=[SIGNED_IN])
    async def get_person(self, request: Req, person_id: FromPath[UUID]) -> PersonOut:
        return await people_store.get_person(principal_of(request), str(person_id))

    @post("/", operation_id="createPerson", guards=[CAN_EDIT_ORG])
    async def create_person(self, request: Req, data: JSONBody[PersonIn]) -> PersonOut:
        return await people_store.create_person(principal_of(request), data)

    @put("/{person_id:uuid}", operation_id="updatePerson", guards=[CAN_EDIT_ORG])
    async def update_person(
        self, request: Req, person_id: FromPath[UUID], data: JSONBody[PersonIn]
    ) -> PersonOut:
        """Replaces the person, including the whole list of qualifications and availability periods."""
        return await people_store.update_person(principal_of(request), str(person_id), data)

    @delete("/{person_id:uuid}", operation_id="deletePerson", guards=[CAN_EDIT_ORG])
    async def delete_person(self, request: Req, person_id: FromPath[UUID]) -> None:
        """Refused (409) while an account is linked to the person."""
        await people_store.delete_person(principal_of(request), str(person_id))


CONTROLLERS: list[type[Controller]] = [
    UnitsController,
    SitesController,
    ProcessesController,
    PeopleController,
]
