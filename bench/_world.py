"""What every benchmark world starts from, inserted directly: a centre, an agency, a
purchaser, agency staff, and one project with one lot (set-up is not what is measured)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass
class Parties:
    centre: Any
    agency: Any
    purchaser: Any
    now: dt.datetime

    def org(self, kind: Any, i: int) -> Any:
        from app.core.auth import credit_code
        from app.core.auth.models import Organisation
        from app.core.extensions import db

        o = Organisation(
            kind=kind,
            name=f"基准{kind.value}{i}有限公司",
            credit_code=credit_code.complete(f"91150000{i:09d}"),
            centre_id=self.centre.id,
            created_at=self.now,
        )
        db.session.add(o)
        return o

    def user(self, role: Any, name: str, organisation: Any | None) -> Any:
        from app.core.auth.models import User
        from app.core.extensions import db

        u = User(
            username=name,
            display_name=name,
            email=f"{name}@bench.example",
            password_hash="!",
            role=role,
            organisation_id=organisation.id if organisation else None,
            centre_id=self.centre.id,
            created_at=self.now,
        )
        db.session.add(u)
        return u


def parties(now: dt.datetime) -> Parties:
    from app.core.auth.models import Centre, OrgKind
    from app.core.extensions import db

    centre = Centre(
        code="150900",
        name="基准测试交易中心",
        name_en="Bench",
        region="测试市",
        settings={},
        created_at=now,
    )
    db.session.add(centre)
    db.session.flush()
    made = Parties(centre, None, None, now)
    made.agency, made.purchaser = made.org(OrgKind.AGENCY, 1), made.org(OrgKind.PURCHASER, 2)
    db.session.flush()
    return made


def project_lot(p: Parties, staff: Any, **lot: Any) -> Any:
    """One open-tender project with one lot; `lot` gives the lot's own columns."""
    from app.core.extensions import db
    from bidding.models import Lot, Method, Project

    project = Project(
        code="BENCH-001",
        trade_id="BENCH-TRADE-001",
        name="基准测试项目",
        centre_id=p.centre.id,
        purchaser_id=p.purchaser.id,
        agency_id=p.agency.id,
        method=Method.OPEN,
        category_code="A08",
        created_by_id=staff.id,
        created_at=p.now,
    )
    db.session.add(project)
    db.session.flush()
    row = Lot(
        project_id=project.id,
        seq=1,
        code="BENCH-001-01",
        name="基准标段",
        category_code="A08",
        **lot,
    )
    db.session.add(row)
    db.session.flush()
    return row
