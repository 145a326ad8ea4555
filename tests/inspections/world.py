"""A centre with an inspection list, targets and inspectors (one of whom worked for a target)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core import clock
from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.inspections import lists
from app.inspections.models import InspectionItem, RosterEntry
from tests.factories import make_centre, make_org, make_user

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=clock.CST)


@dataclass
class World:
    centre: Centre
    supervisor: User
    items: list[InspectionItem]
    orgs: list[Organisation]
    targets: list[RosterEntry]
    inspectors: list[RosterEntry]


def build(n_targets: int = 6, n_inspectors: int = 5) -> World:
    clock.set_now(T0)
    centre = make_centre()
    supervisor = make_user(Role.SUPERVISOR, centre=centre)
    items = [
        lists.add_item(supervisor, "代理机构从业人员管理", "《政府采购代理机构管理暂行办法》"),
        lists.add_item(supervisor, "招标文件编制与发售", "《招标投标法实施条例》"),
    ]
    orgs = [
        make_org(OrgKind.AGENCY if n % 2 else OrgKind.SUPPLIER, centre=centre)
        for n in range(n_targets)
    ]
    targets = [lists.add_target(supervisor, o) for o in orgs]
    inspectors = []
    for n in range(n_inspectors):
        user = make_user(Role.SUPERVISOR, centre=centre)
        # every inspector once worked for a target: the first for the first, and so on
        employers = [
            {"credit_code": orgs[n % n_targets].credit_code, "name": orgs[n % n_targets].name}
        ]
        inspectors.append(lists.add_inspector(supervisor, user, employers))
    return World(centre, supervisor, items, orgs, targets, inspectors)
