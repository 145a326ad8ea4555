"""The OCDS record of one contracting process: its releases and the compiled release,
merged with ocdsmerge (the Open Contracting Partnership's reference merge)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.core import clock
from app.portal.ocds import EXTENSIONS, OCDS_VERSION, iso, releases_for_ocid

# How releases merge into a record (OCDS 1.1 merging rules for the fields these releases
# use): arrays of objects merge by `id`, arrays of strings are replaced whole (ocdsmerge's
# default for them). Given here rather than read from the published schema, so that
# compiling a record never fetches anything.
MERGE_RULES: dict[tuple[str, ...], str] = {
    ("tag",): "omitWhenMerged",
    ("parties", "roles"): "wholeListMerge",
    ("tender", "submissionMethod"): "wholeListMerge",
    ("awards", "relatedLots"): "wholeListMerge",
    ("bids", "details", "relatedLots"): "wholeListMerge",
    ("tender", "participationFees", "type"): "wholeListMerge",
}


def record_package(ocid: str, *, uri: str) -> dict[str, Any] | None:
    """The record of one contracting process: its releases and the compiled release."""
    import ocdsmerge

    releases = releases_for_ocid(ocid)
    if not releases:
        return None
    merger = ocdsmerge.Merger(merge_rules=MERGE_RULES)
    compiled = merger.create_compiled_release(releases)
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": iso(clock.now()),
        "publisher": {"name": current_app.config["OCDS_PUBLISHER"]},
        "extensions": EXTENSIONS,
        "records": [{"ocid": ocid, "releases": releases, "compiledRelease": compiled}],
    }
