"""Organisation API: everyone signed in reads the structure; admins and the audit lead change it.

The organisation's profile (``/api/v1/organisation``: name, provinces, facts for the checklists) is
replaced whole, naming the ``rev`` it was read at (``If-Match: "<rev>"`` or a ``rev`` field): without
it 428, and 412 when it changed since.

An object that an audit, a finding or another org object uses cannot be deleted (409 ``org.in_use``,
naming its users, ``details.archive: true``): archive it instead. Archived objects leave the lists
unless ``includeArchived=true``; reading one by id always works.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from server.auth.guards import principal_of
from server.auth.policy import CAN_EDIT_ORG, SIGNED_IN
from server.checklists.library import load_library
from server.lib.etag import REVISION_ETAG, IfMatch, revision_etag, revisions_read
from server.org import service
from server.org.schemas import (
    PersonIn,
    PersonOut,
    ProcessIn,
    ProcessOut,
    ProfileIn,
    ProfileOut,
    SiteIn,
    SiteOut,
    UnitIn,
    UnitOut,
)

__all__ = [
    "CONTROLLERS",
    "OrganisationController",
    "PeopleController",
    "ProcessesController",
    "SitesController",
    "UnitsController",
]

Req = Request[Any, Any, Any]
IncludeArchived = Annotated[
    bool,
    QueryParameter(name="includeArchived", description="Also list archived objects (left out by default)."),
]


def _with_etag(profile: ProfileOut) -> Response[ProfileOut]:
    return Response(content=profile, headers={"ETag": revision_etag(profile.rev)})


class OrganisationController(Controller):
    path = "/api/v1/organisation"
    tags = ["organisation"]

    @get("/", operation_id="getOrganisation", guards=[SIGNED_IN], response_headers=REVISION_ETAG)
    async def get_organisation(self) -> Response[ProfileOut]:
        """The organisation's name, provinces and facts; empty (``rev`` 0) until first set."""
        return _with_etag(await service.get_profile())

    @put("/", operation_id="updateOrganisation", guards=[CAN_EDIT_ORG], response_headers=REVISION_ETAG)
    async def update_organisation(
        self, request: Req, data: JSONBody[ProfileIn], if_match: IfMatch = None
    ) -> Response[ProfileOut]:
        """Replace the profile. Province codes are unique (422); a province that sites name cannot be
        taken off (409 ``org.in_use``); facts are named after the checklist library's placeholders (422
        ``org.unknown_fact`` listing them). Send the rev you read: 428 without it, 412 with
        ``details.currentRev`` if the profile changed since."""
        placeholders = load_library(request.app.state.settings.checklists_dir)[0].placeholders
        profile = await service.replace_profile(
            principal_of(request), data, revisions_read(if_match, data.rev), known_facts=placeholders.keys()
        )
        return _with_etag(profile)


class UnitsController(Controller):
    path = "/api/v1/units"
    tags = ["organisation"]

    @get("/", operation_id="listUnits", guards=[SIGNED_IN])
    async def list_units(self, include_archived: IncludeArchived = False) -> list[UnitOut]:
        """Active units (the tree is given by ``parentId``)."""
        return await service.list_units(include_archived=include_archived)

    @get("/{unit_id:uuid}", operation_id="getUnit", guards=[SIGNED_IN])
    async def get_unit(self, unit_id: FromPath[UUID]) -> UnitOut:
        """The unit, archived or not."""
        return await service.get_unit(str(unit_id))

    @post("/", operation_id="createUnit", guards=[CAN_EDIT_ORG])
    async def create_unit(self, request: Req, data: JSONBody[UnitIn]) -> UnitOut:
        return await service.create_unit(principal_of(request), data)

    @put("/{unit_id:uuid}", operation_id="updateUnit", guards=[CAN_EDIT_ORG])
    async def update_unit(self, request: Req, unit_id: FromPath[UUID], data: JSONBody[UnitIn]) -> UnitOut:
        return await service.update_unit(principal_of(request), str(unit_id), data)

    @delete("/{unit_id:uuid}", operation_id="deleteUnit", guards=[CAN_EDIT_ORG])
    async def delete_unit(self, request: Req, unit_id: FromPath[UUID]) -> None:
        """Refused (409) while sub-units, processes, people, audits or findings use the unit."""
        await service.delete_unit(principal_of(request), str(unit_id))

    @post("/{unit_id:uuid}/archive", operation_id="archiveUnit", guards=[CAN_EDIT_ORG], status_code=200)
    async def archive_unit(self, request: Req, unit_id: FromPath[UUID]) -> UnitOut:
        """Refused (409) while active sub-units, processes or people are in the unit."""
        return await service.archive_unit(principal_of(request), str(unit_id))

    @post("/{unit_id:uuid}/restore", operation_id="restoreUnit", guards=[CAN_EDIT_ORG], status_code=200)
    async def restore_unit(self, request: Req, unit_id: FromPath[UUID]) -> UnitOut:
        """Refused (409) while the parent unit is archived."""
        return await service.restore_unit(principal_of(request), str(unit_id))


class SitesController(Controller):
    path = "/api/v1/sites"
    tags = ["organisation"]

    @get("/", operation_id="listSites", guards=[SIGNED_IN])
    async def list_sites(self, include_archived: IncludeArchived = False) -> list[SiteOut]:
        return await service.list_sites(include_archived=include_archived)

    @get("/{site_id:uuid}", operation_id="getSite", guards=[SIGNED_IN])
    async def get_site(self, site_id: FromPath[UUID]) -> SiteOut:
        """The site, archived or not."""
        return await service.get_site(str(site_id))

    @post("/", operation_id="createSite", guards=[CAN_EDIT_ORG])
    async def create_site(self, request: Req, data: JSONBody[SiteIn]) -> SiteOut:
        """The province must be one of the organisation's (422 ``org.unknown_province``) when it lists
        any."""
        return await service.create_site(principal_of(request), data)

    @put("/{site_id:uuid}", operation_id="updateSite", guards=[CAN_EDIT_ORG])
    async def update_site(self, request: Req, site_id: FromPath[UUID], data: JSONBody[SiteIn]) -> SiteOut:
        """The province must be one of the organisation's (422 ``org.unknown_province``) when it lists
        any."""
        return await service.update_site(principal_of(request), str(site_id), data)

    @delete("/{site_id:uuid}", operation_id="deleteSite", guards=[CAN_EDIT_ORG])
    async def delete_site(self, request: Req, site_id: FromPath[UUID]) -> None:
        """Refused (409) while processes, audits or findings use the site."""
        await service.delete_site(principal_of(request), str(site_id))

    @post("/{site_id:uuid}/archive", operation_id="archiveSite", guards=[CAN_EDIT_ORG], status_code=200)
    async def archive_site(self, request: Req, site_id: FromPath[UUID]) -> SiteOut:
        return await service.archive_site(principal_of(request), str(site_id))

    @post("/{site_id:uuid}/restore", operation_id="restoreSite", guards=[CAN_EDIT_ORG], status_code=200)
    async def restore_site(self, request: Req, site_id: FromPath[UUID]) -> SiteOut:
        return await service.restore_site(principal_of(request), str(site_id))


class ProcessesController(Controller):
    path = "/api/v1/processes"
    tags = ["organisation"]

    @get("/", operation_id="listProcesses", guards=[SIGNED_IN])
    async def list_processes(self, include_archived: IncludeArchived = False) -> list[ProcessOut]:
        """The auditable processes with owner unit, sites, standards and criticality."""
        return await service.list_processes(include_archived=include_archived)

    @get("/{process_id:uuid}", operation_id="getProcess", guards=[SIGNED_IN])
    async def get_process(self, process_id: FromPath[UUID]) -> ProcessOut:
        """The process, archived or not."""
        return await service.get_process(str(process_id))

    @post("/", operation_id="createProcess", guards=[CAN_EDIT_ORG])
    async def create_process(self, request: Req, data: JSONBody[ProcessIn]) -> ProcessOut:
        return await service.create_process(principal_of(request), data)

    @put("/{process_id:uuid}", operation_id="updateProcess", guards=[CAN_EDIT_ORG])
    async def update_process(
        self, request: Req, process_id: FromPath[UUID], data: JSONBody[ProcessIn]
    ) -> ProcessOut:
        """A new owner unit or a new site must be active (409 ``org.archived`` otherwise)."""
        return await service.update_process(principal_of(request), str(process_id), data)

    @delete("/{process_id:uuid}", operation_id="deleteProcess", guards=[CAN_EDIT_ORG])
    async def delete_process(self, request: Req, process_id: FromPath[UUID]) -> None:
        """Refused (409) while audits or findings use the process."""
        await service.delete_process(principal_of(request), str(process_id))

    @post("/{process_id:uuid}/archive", operation_id="archiveProcess", guards=[CAN_EDIT_ORG], status_code=200)
    async def archive_process(self, request: Req, process_id: FromPath[UUID]) -> ProcessOut:
        return await service.archive_process(principal_of(request), str(process_id))

    @post("/{process_id:uuid}/restore", operation_id="restoreProcess", guards=[CAN_EDIT_ORG], status_code=200)
    async def restore_process(self, request: Req, process_id: FromPath[UUID]) -> ProcessOut:
        """Refused (409) while the owner unit is archived."""
        return await service.restore_process(principal_of(request), str(process_id))


class PeopleController(Controller):
    path = "/api/v1/people"
    tags = ["organisation"]

    @get("/", operation_id="listPeople", guards=[SIGNED_IN])
    async def list_people(
        self,
        request: Req,
        unit_id: Annotated[UUID | None, QueryParameter(name="unitId")] = None,
        include_archived: IncludeArchived = False,
    ) -> list[PersonOut]:
        """Active people; contact details, qualifications and availability only for admins, the audit
        lead, management, and each person themself."""
        return await service.list_people(
            principal_of(request), str(unit_id) if unit_id else None, include_archived=include_archived
        )

    @get("/{person_id:uuid}", operation_id="getPerson", guards=[SIGNED_IN])
    async def get_person(self, request: Req, person_id: FromPath[UUID]) -> PersonOut:
        """The person, archived or not."""
        return await service.get_person(principal_of(request), str(person_id))

    @post("/", operation_id="createPerson", guards=[CAN_EDIT_ORG])
    async def create_person(self, request: Req, data: JSONBody[PersonIn]) -> PersonOut:
        return await service.create_person(principal_of(request), data)

    @put("/{person_id:uuid}", operation_id="updatePerson", guards=[CAN_EDIT_ORG])
    async def update_person(
        self, request: Req, person_id: FromPath[UUID], data: JSONBody[PersonIn]
    ) -> PersonOut:
        """Replaces the person, including the whole list of qualifications and availability periods."""
        return await service.update_person(principal_of(request), str(person_id), data)

    @delete("/{person_id:uuid}", operation_id="deletePerson", guards=[CAN_EDIT_ORG])
    async def delete_person(self, request: Req, person_id: FromPath[UUID]) -> None:
        """Refused (409) while an account is linked to the person or an audit names them."""
        await service.delete_person(principal_of(request), str(person_id))

    @post("/{person_id:uuid}/archive", operation_id="archivePerson", guards=[CAN_EDIT_ORG], status_code=200)
    async def archive_person(self, request: Req, person_id: FromPath[UUID]) -> PersonOut:
        """The person leaves pick lists; their user account is not touched."""
        return await service.archive_person(principal_of(request), str(person_id))

    @post("/{person_id:uuid}/restore", operation_id="restorePerson", guards=[CAN_EDIT_ORG], status_code=200)
    async def restore_person(self, request: Req, person_id: FromPath[UUID]) -> PersonOut:
        """Refused (409) while the person's unit is archived."""
        return await service.restore_person(principal_of(request), str(person_id))


CONTROLLERS: list[type[Controller]] = [
    OrganisationController,
    UnitsController,
    SitesController,
    ProcessesController,
    PeopleController,
]
