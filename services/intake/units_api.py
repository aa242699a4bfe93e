"""The organisation tree for clients: units by level and parent, and one unit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from shared.api.auth import Principal
from shared.api.deps import TreeDep, require_role
from shared.api.masking import mask_name, mask_phone
from shared.api.problems import Problem, not_found
from shared.cases.access import named_unit
from shared.org.levels import Level
from shared.org.models import Contact, Unit

router = APIRouter(prefix="/v1/units", tags=["organisation"])

Reader = Annotated[Principal, Depends(require_role("reader"))]


class ContactOut(BaseModel):
    name: str
    phone: str
    channels: list[str]


class UnitOut(BaseModel):
    code: str
    name: str
    level: Level
    parent_code: str | None
    team: str
    primary: ContactOut
    backup: ContactOut


class UnitPage(BaseModel):
    items: list[UnitOut]
    total: int
    offset: int
    limit: int


def _contact(contact: Contact, *, pii: bool) -> ContactOut:
    return ContactOut(
        name=contact.name if pii else mask_name(contact.name),
        phone=contact.phone if pii else mask_phone(contact.phone),
        channels=list(contact.channels),
    )


def present_unit(unit: Unit, *, pii: bool) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name=unit.name,
        level=unit.level,
        parent_code=unit.parent_code,
        team=unit.team,
        primary=_contact(unit.primary, pii=pii),
        backup=_contact(unit.backup, pii=pii),
    )


@router.get("", response_model=UnitPage, summary="Units of the county, in code order")
async def list_units(
    principal: Reader,
    tree: TreeDep,
    level: Level | None = None,
    parent: Annotated[str | None, Query(description="Only the children of this unit")] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=40, description="Only units whose name or code has this"),
    ] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> UnitPage:
    if parent is not None:
        named_unit(principal, parent)
    if parent is not None and tree.get(parent) is None:
        raise Problem(
            status=422,
            slug="unknown-unit",
            title="Unknown unit",
            detail=f"parent {parent} is not a unit of this county",
            errors=[{"field": "parent", "message": "unknown unit"}],
        )
    units = [
        u
        for u in tree.units(level=level, parent=parent)
        if principal.can_see(u.code) and (q is None or q in u.name or q in u.code)
    ]
    pii = principal.has("pii")
    window = units[offset : offset + limit]
    return UnitPage(
        items=[present_unit(u, pii=pii) for u in window],
        total=len(units),
        offset=offset,
        limit=limit,
    )


@router.get("/{code}", response_model=UnitOut, summary="One unit")
async def get_unit(code: str, principal: Reader, tree: TreeDep) -> UnitOut:
    unit = tree.get(named_unit(principal, code))
    if unit is None:
        raise not_found(f"unit {code}")
    return present_unit(unit, pii=principal.has("pii"))
