"""Every JSON endpoint refuses a body nested too deep or too large before parsing it:
a 400/413 with a message in the caller's language, never a 500."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from app.core.json_limits import json_depth

WRITE_METHODS = ("POST", "PUT", "PATCH")


def _path(rule: Any) -> str:
    def value(m: re.Match[str]) -> str:
        return "1" if m.group(1) in ("int", "float") else "x"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", value, rule.rule)


def _write_routes(app: Any) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(set(rule.methods or ()) & set(WRITE_METHODS)):
            routes.append((method, _path(rule)))
    return routes


def test_every_write_endpoint_refuses_deep_and_huge_json(app: Any, client: Any) -> None:
    routes = _write_routes(app)
    assert len(routes) > 50  # the whole URL map, API and pages alike
    deep = ("[" * 5000 + "]" * 5000).encode()
    limit = app.config["JSON_MAX_BYTES"]
    huge = json.dumps({"text": "x" * limit}).encode()
    failures = []
    for method, path in routes:
        resp = client.open(
            path,
            method=method,
            data=deep,
            content_type="application/json",
            headers={"Accept": "application/json"},
        )
        if resp.status_code != 400 or resp.get_json()["error"] != "json_too_deep":
            failures.append((method, path, "deep", resp.status_code))
        resp = client.open(
            path,
            method=method,
            data=huge,
            content_type="application/json",
            headers={"Accept": "application/json"},
        )
        if resp.status_code != 413 or resp.get_json()["error"] != "json_too_large":
            failures.append((method, path, "huge", resp.status_code))
    assert failures == []


def test_the_refusal_speaks_the_callers_language(client: Any) -> None:
    deep = ("{" + '"a":' * 1) * 100 + "1" + "}" * 100
    resp = client.post("/api/v1/auth/token", data=deep, content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["message"] == "JSON 数据嵌套过深：对象和数组最多嵌套 64 层。"
    resp = client.post("/api/v1/auth/token?lang=en", data=deep, content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["message"] == (
        "The JSON body is nested too deeply: objects and arrays may nest at most 64 levels."
    )


def test_a_page_gets_the_refusal_as_a_page(client: Any) -> None:
    resp = client.post("/login", data="[" * 3000, content_type="application/json")
    assert resp.status_code == 400
    assert "JSON 数据嵌套过深" in resp.get_data(as_text=True)


def test_ordinary_json_still_passes_the_door(client: Any) -> None:
    body = {"username": "nobody", "password": "wrong", "name": "t", "nested": [[[[{"a": 1}]]]]}
    resp = client.post("/api/v1/auth/token", json=body)
    assert resp.status_code not in (400, 413, 500)


def test_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth(b'{"a": "[[[[{{{{", "b": [1, [2]]}') == 3
    assert json_depth(b'["\\"[[[[", ["]"]]') == 2
    assert json_depth(b"{}") == 1
    assert json_depth(b'"just a string"') == 0
    assert json_depth(b"[" * 100) == 100


def test_depth_of_an_adversarial_body_is_measured_in_linear_time() -> None:
    # Escaped quotes with no closing quote: a scanner that restarts at each quote would be
    # quadratic on this.
    body = b'"' + b'\\"' * 1_000_000
    started = time.perf_counter()
    assert json_depth(body) == 0
    assert json_depth(body + b"\\") == 0
    assert time.perf_counter() - started < 2.0
