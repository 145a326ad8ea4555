"""JSON bodies are bounded before anything parses them: size and nesting depth.

Python's JSON parser recurses once per level of nesting, so a body nested ~1,000 deep
ended in RecursionError (a 500) wherever a parser met it — flask-smorest's webargs, or
`request.get_json()` — authenticated or not. One check at the door, before every view
and every parser, answers such a body with a 400 (too deep) or 413 (too large) and a
message in the caller's language.
"""

from __future__ import annotations

import re
from itertools import accumulate

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from app.core.errors import DomainError

# A JSON string, escapes included, or an unterminated one running to the end of the body
# (so that no quote is scanned twice: the scan stays linear whatever the input).
_STRING = re.compile(rb'"(?:[^"\\]|\\.?)*+(?:"|\Z)', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_OPENERS = frozenset(b"[{")


class JsonTooDeep(DomainError):
    status = 400
    code = "json_too_deep"


class JsonTooLarge(DomainError):
    status = 413
    code = "json_too_large"


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings
    do not count). Malformed text is measured all the same; the parser refuses it later."""
    brackets = _BRACKET.findall(_STRING.sub(b"", body))
    steps = (1 if b[0] in _OPENERS else -1 for b in brackets)
    return max(accumulate(steps), default=0)


def _is_json(mimetype: str) -> bool:
    # Wider than any parser's own test (application/json, application/*+json), so that
    # whatever one of them would parse has been checked.
    return "json" in (mimetype or "").lower()


def _too_large(limit: int) -> JsonTooLarge:
    return JsonTooLarge(
        _l("JSON 数据过大：单次请求不得超过 %(n)s KB。", n=limit // 1024),
        limit_bytes=limit,
    )


def check_json_body() -> None:
    """before_request: refuse a JSON body over JSON_MAX_BYTES or nested past JSON_MAX_DEPTH."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not _is_json(request.mimetype):
        return
    max_bytes = int(current_app.config["JSON_MAX_BYTES"])
    max_depth = int(current_app.config["JSON_MAX_DEPTH"])
    if request.content_length is not None and request.content_length > max_bytes:
        raise _too_large(max_bytes)
    # A chunked body has no length up front: the read itself stops past the limit.
    request.max_content_length = max_bytes
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge as exc:
        raise _too_large(max_bytes) from exc
    if json_depth(body) > max_depth:
        raise JsonTooDeep(
            _l("JSON 数据嵌套过深：对象和数组最多嵌套 %(n)s 层。", n=max_depth),
            max_depth=max_depth,
        )


def install(app: Flask) -> None:
    """Register the check; create_app() does so before CSRF and before any view."""
    app.before_request(check_json_body)


__all__ = ["JsonTooDeep", "JsonTooLarge", "check_json_body", "install", "json_depth"]
