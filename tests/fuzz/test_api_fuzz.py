"""Schemathesis against our own OpenAPI document: no input may produce a 500.

The budget is bounded (examples per operation) so that it runs in CI on every push.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from app.core.auth.models import OrgKind, Role
from app.core.extensions import db
from tests.factories import make_centre, make_org, make_user, token_headers

pytestmark = pytest.mark.fuzz

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def actors() -> dict[str, dict[str, str]]:
    centre = make_centre()
    agency = make_org(OrgKind.AGENCY, centre=centre)
    make_org(OrgKind.PURCHASER, centre=centre)
    supplier_org = make_org(OrgKind.SUPPLIER, centre=centre)
    staff = make_user(Role.STAFF, organisation=agency, centre=centre)
    supplier = make_user(Role.SUPPLIER, organisation=supplier_org)
    admin = make_user(Role.ADMIN, centre=centre)
    db.session.commit()
    return {
        "staff": token_headers(staff),
        "supplier": token_headers(supplier),
        "admin": token_headers(admin),
        "anonymous": {},
    }


def _fuzz(operation: Any, actors: dict[str, dict[str, str]], failures: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        # No shrinking: the first 500 is reported as generated, which bounds the run time.
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        for who, headers in actors.items():
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(
                    f"{operation.method.upper()} {operation.path} as {who}: "
                    f"{response.status_code} for {case.path_parameters} {case.query} {case.body!r:.300}"
                )
                raise AssertionError(failures[-1])

    # A failure is recorded above; go on with the other operations.
    with contextlib.suppress(AssertionError):
        run()


def test_no_input_makes_a_server_error(app: Any, actors: dict[str, dict[str, str]]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        _fuzz(result.ok(), actors, failures)
        operations += 1
    assert operations > 0
    assert failures == [], "\n".join(failures)
