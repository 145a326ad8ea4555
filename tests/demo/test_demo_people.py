"""The demo world looks real: distinct expert names, people's names for staff, and
purchasers that buy what they are."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from app.core.auth.models import Role, User
from app.core.extensions import db
from bidding.models import Project
from experts.models import Expert

# What a purchaser's name says it is, and words one of its projects must then contain.
KINDS = {"医院": ("医院", "医疗"), "教育": ("校", "教学", "教育"), "交通": ("道路", "交通", "交警")}


def test_demo_people_and_purchasers_read_as_real(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    names = db.session.execute(
        select(Expert.name, func.count()).group_by(Expert.name).having(func.count() > 1)
    ).all()
    assert names == []
    people = db.session.execute(
        select(User.display_name).where(User.role.in_([Role.STAFF, Role.SUPERVISOR, Role.SUPPLIER]))
    ).scalars()
    for name in people:
        # A person's name: two to four Chinese characters, no job title, no number.
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", name), name
        assert not re.search(r"经办人|监督员|工作人员|联系人|经理", name), name
    for project in db.session.execute(select(Project)).scalars():
        buyer = project.purchaser.name
        for word, fits in KINDS.items():
            if word in buyer:
                assert any(f in project.name for f in fits), (buyer, project.name)
        if "医院" in project.name:
            assert "医院" in buyer, (buyer, project.name)
