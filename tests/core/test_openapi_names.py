"""Every schema of the JSON API has a name of its own in the OpenAPI document: two schema
classes with one name make apispec rename one of them (RatingOut1, …), and clients
generated from the document would then carry a name that changes with import order."""

from __future__ import annotations

import tempfile
import warnings

from app.factory import create_app


def test_no_two_api_schemas_share_a_name() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = create_app({"TESTING": True, "INSTANCE_PATH": tempfile.mkdtemp()})
        with app.test_request_context():
            app.test_client().get("/api/v1/openapi.json")
    clashes = sorted(
        {
            str(w.message).split("name ")[1].split(".")[0]
            for w in caught
            if "Multiple schemas resolved" in str(w.message)
        }
    )
    assert clashes == [], clashes
