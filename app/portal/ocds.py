"""OCDS 1.1 releases built from published announcements.

One announcement is one release: intent → planning; tender → tender; clarification →
tenderAmendment; termination → tenderCancellation; candidate publicity and a failed lot's
notice (流标/废标) → tenderUpdate (the latter with the tender `unsuccessful`); result →
award; contract → contract (an amended contract → contractAmendment). The ocid names the
project (its unified trade id), so every notice of one procurement shares it.

Bids (the ocds_bid_extension): the counts of bids and of valid bids from the candidate
publicity on; each bid (tenderer, price, valid or disqualified) only once the result is
public — the result announcement or the notice of a lot whose evaluation failed. A record
per ocid compiles its releases with ocdsmerge.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.auth.models import Organisation
from app.core.extensions import db
from app.portal import ocds_prequal
from bidding.bids.models import Bid, get_freeze
from bidding.labels import METHOD_LABELS
from bidding.methods import rule_for
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus, Method, Project
from bidding.prequal.notice import prequal_of_announcement
from bidding.results.handoff import result_of

OCDS_VERSION = "1.1"
CURRENCY = "CNY"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_lots_extension/v1.1.5/extension.json"
)
BIDS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_bid_extension/v1.1.5/extension.json"
)
EXTENSIONS = [LOTS_EXTENSION, BIDS_EXTENSION, *ocds_prequal.EXTENSIONS]

TAGS: dict[AnnouncementKind, str] = {
    AnnouncementKind.INTENT: "planning",
    AnnouncementKind.TENDER: "tender",
    AnnouncementKind.CLARIFICATION: "tenderAmendment",
    AnnouncementKind.TERMINATION: "tenderCancellation",
    AnnouncementKind.CANDIDATES: "tenderUpdate",
    AnnouncementKind.FAILURE: "tenderUpdate",
    AnnouncementKind.RESULT: "award",
    AnnouncementKind.CONTRACT: "contract",
    AnnouncementKind.PREQUALIFICATION: "tender",
    AnnouncementKind.PREQUAL_RESULT: "tenderUpdate",
}
FEED_KINDS = tuple(TAGS)


def _method(method: Method, lots: list[Lot]) -> str:
    """OCDS procurementMethod (open / selective / limited / direct), as the method's rule
    says; 'selective' where a prequalification chooses who may bid."""
    if ocds_prequal.with_prequalification(lots):
        return "selective"
    return rule_for(method).ocds_method


def _method_details(method: Method, lots: list[Lot]) -> str:
    # The feed is in Chinese whatever the reader's language, like the notices it carries.
    words = METHOD_LABELS[method.value]
    return f"{words}（资格预审）" if ocds_prequal.with_prequalification(lots) else words


CATEGORIES = {"A": "works", "B": "goods", "C": "services"}
LOT_STATUS = {
    LotStatus.DRAFT: "planning",
    LotStatus.PUBLISHED: "active",
    LotStatus.SUSPENDED: "active",
    LotStatus.CLOSED: "active",
    LotStatus.OPENED: "active",
    LotStatus.EVALUATING: "active",
    LotStatus.EVALUATED: "active",
    LotStatus.PUBLICITY: "active",
    LotStatus.CONTRACTED: "complete",
    LotStatus.FAILED: "unsuccessful",
    LotStatus.AWARDED: "complete",
    LotStatus.TERMINATED: "cancelled",
}
TENDER_STATUS = {
    AnnouncementKind.TERMINATION: "cancelled",
    AnnouncementKind.FAILURE: "unsuccessful",
}
# Unified social credit codes are issued under the market-regulation registry.
ORG_SCHEME = "CN-SAIC"


def ocid_for(project: Project) -> str:
    return f"{current_app.config['OCDS_PREFIX']}-{project.trade_id}"


def release_id(a: Announcement) -> str:
    return f"{ocid_for(a.project)}-{a.kind.value}-{a.id}"


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def value(amount: Decimal | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"amount": Decimal(amount), "currency": CURRENCY}


def _party(org: Organisation, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {"id": f"org-{org.id}", "name": org.name, "roles": roles}
    if org.credit_code:
        party["identifier"] = {"scheme": ORG_SCHEME, "id": org.credit_code, "legalName": org.name}
    if org.address:
        party["address"] = {"streetAddress": org.address, "countryName": "中国"}
    if org.contact_name or org.contact_phone:
        party["contactPoint"] = {
            k: v for k, v in (("name", org.contact_name), ("telephone", org.contact_phone)) if v
        }
    return party


def _ref(org: Organisation) -> dict[str, str]:
    return {"id": f"org-{org.id}", "name": org.name}


def _lots_of(a: Announcement) -> list[Lot]:
    return [a.lot] if a.lot is not None else list(a.project.lots)


def _lot(lot: Lot) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": lot.code,
        "title": lot.name,
        "status": LOT_STATUS[lot.status],
        "value": value(lot.budget),
    }
    return out


def _item(lot: Lot) -> dict[str, Any]:
    return {
        "id": f"item-{lot.code}",
        "description": lot.name,
        "classification": {
            "scheme": "CN-GPCC",
            "id": lot.category_code,
            "description": CATEGORIES.get(lot.category_code[:1], ""),
        },
        "quantity": 1,
        "relatedLot": lot.code,
    }


def _period(start: dt.datetime | None, end: dt.datetime | None) -> dict[str, str] | None:
    out = {k: v for k, v in (("startDate", iso(start)), ("endDate", iso(end))) if v}
    return out or None


def _superseded_release(a: Announcement) -> str | None:
    if a.supersedes_id is None:
        return None
    old = db.session.get(Announcement, a.supersedes_id)
    if old is None or old.published_at is None:
        return None
    return release_id(old)


def release(a: Announcement) -> dict[str, Any]:
    """The OCDS release of one published announcement."""
    project = a.project
    lots = _lots_of(a)
    total = sum((lot.budget for lot in lots), Decimal("0.00")) if lots else None
    purchaser, agency = project.purchaser, project.agency
    parties = [_party(purchaser, ["buyer"])]
    if agency.id != purchaser.id:
        parties.append(_party(agency, ["procuringEntity"]))
    else:
        parties[0]["roles"].append("procuringEntity")
    tag = TAGS[a.kind]
    if a.kind == AnnouncementKind.CONTRACT and a.supersedes_id is not None:
        tag = "contractAmendment"
    out: dict[str, Any] = {
        "ocid": ocid_for(project),
        "id": release_id(a),
        "date": iso(a.published_at),
        "tag": [tag],
        "initiationType": "tender",
        "language": "zh",
        "parties": parties,
        "buyer": _ref(purchaser),
    }
    if a.kind == AnnouncementKind.INTENT:
        out["planning"] = {
            "rationale": a.title,
            "budget": {"description": project.funding_source or a.title, "amount": value(total)},
        }
        out["tender"] = {
            "id": project.code,
            "title": project.name,
            "status": "planning",
            "procuringEntity": _ref(agency),
            "value": value(total),
            "procurementMethod": _method(a.method, lots),
            "procurementMethodDetails": _method_details(a.method, lots),
        }
        return _clean(out)
    if a.kind in (AnnouncementKind.RESULT, AnnouncementKind.CONTRACT):
        return _clean(_result_release(a, out, lots))

    deadline = max((lot.bid_deadline for lot in lots if lot.bid_deadline), default=None)
    doc_start = min((lot.doc_start_at for lot in lots if lot.doc_start_at), default=None)
    objection_days = current_app.config["OBJECTION_LAST_DAYS_BEFORE_DEADLINE"]
    tender: dict[str, Any] = {
        "id": project.code,
        "title": project.name,
        "description": project.description or a.title,
        "status": TENDER_STATUS.get(a.kind, "active"),
        "procuringEntity": _ref(agency),
        "value": value(total),
        "procurementMethod": _method(a.method, lots),
        "procurementMethodDetails": _method_details(a.method, lots),
        "mainProcurementCategory": CATEGORIES.get(a.category_code[:1]),
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": "加密电子投标文件在线递交",
        "tenderPeriod": _period(doc_start or a.published_at, deadline),
        "enquiryPeriod": _period(
            a.published_at,
            deadline - dt.timedelta(days=objection_days) if deadline else None,
        ),
        "items": [_item(lot) for lot in lots],
        "lots": [_lot(lot) for lot in lots],
    }
    prequal = prequal_of_announcement(a)
    if prequal is not None:
        # Before the bids: the submission terms and periods are the prequalification's.
        base = {
            k: v
            for k, v in tender.items()
            if k not in ("submissionMethodDetails", "tenderPeriod", "enquiryPeriod")
        }
        tender = ocds_prequal.tender(a, prequal, base, iso, value)
    if a.kind == AnnouncementKind.CLARIFICATION:
        amendment: dict[str, Any] = {
            "id": f"amendment-{a.id}",
            "date": iso(a.published_at),
            "description": a.body[:2000] or a.title,
            "rationale": a.title,
        }
        amends = _superseded_release(a)
        if amends:
            amendment["amendsReleaseID"] = amends
        amendment["releaseID"] = release_id(a)
        tender["amendments"] = [amendment]
    if a.kind in (AnnouncementKind.TERMINATION, AnnouncementKind.FAILURE):
        reason = (a.fields or {}).get("reason") or a.title
        # Not a 1.1 core field (core from 1.2); 1.1 schemas allow additional fields, and it
        # carries the local reason the status code alone cannot.
        tender["statusDetails"] = str(reason)
    out["tender"] = tender
    if a.kind in (AnnouncementKind.CANDIDATES, AnnouncementKind.FAILURE):
        out["bids"] = _bids(out, lots, details=_result_is_public(a))
    return _clean(out)


def _add_party(out: dict[str, Any], org: Organisation, role: str) -> None:
    """Name an organisation among the release's parties once, with every role it has."""
    for party in out["parties"]:
        if party["id"] == f"org-{org.id}":
            if role not in party["roles"]:
                party["roles"].append(role)
            return
    out["parties"].append(_party(org, [role]))


def _result_is_public(a: Announcement) -> bool:
    """The individual bids are published with the result: the award, or the notice of a
    lot whose evaluation failed (a lot failed at the deadline opened no bid)."""
    if a.kind == AnnouncementKind.RESULT:
        return True
    return a.kind == AnnouncementKind.FAILURE and (a.fields or {}).get("stage") == "evaluation"


def _bid_value(bid_id: Any) -> Decimal | None:
    bid = db.session.get(Bid, bid_id) if isinstance(bid_id, int) else None
    price = (bid.price_form or {}).get("total_price") if bid is not None else None
    return Decimal(str(price)) if price not in (None, "") else None


def _bids(out: dict[str, Any], lots: list[Lot], *, details: bool) -> dict[str, Any]:
    """Bid statistics per lot (bids at the deadline; valid bids once evaluated) and, when
    `details`, each bid: its tenderer, price and whether the committee kept it."""
    stats: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for lot in lots:
        freeze, result = get_freeze(lot), result_of(lot)
        if freeze is not None:
            stats.append(
                {
                    "id": f"{lot.code}-bids",
                    "measure": "bids",
                    "value": freeze.bid_count,
                    "date": iso(freeze.frozen_at),
                    "relatedLot": lot.code,
                }
            )
            # The prequalification's counts are as secret as the bids' until the opening.
            stats += ocds_prequal.statistics(lot, iso)
        if result is None:
            continue
        stats.append(
            {
                "id": f"{lot.code}-validBids",
                "measure": "validBids",
                "value": len(result.candidates),
                "date": iso(result.report_at),
                "relatedLot": lot.code,
            }
        )
        if not details:
            continue
        entries = [(c, "valid", c.get("price")) for c in result.candidates]
        entries += [(r, "disqualified", _bid_value(r.get("bid_id"))) for r in result.rejected]
        for entry, status, price in entries:
            org = (
                db.session.get(Organisation, entry["supplier_id"])
                if entry.get("supplier_id")
                else None
            )
            if org is None:
                continue
            _add_party(out, org, "tenderer")
            rows.append(
                {
                    "id": f"{lot.code}-bid-{org.id}",
                    "status": status,
                    "tenderers": [_ref(org)],
                    "value": value(Decimal(str(price))) if price is not None else None,
                    "relatedLots": [lot.code],
                }
            )
    return {"statistics": stats, "details": rows}


def _award_id(a: Announcement) -> str:
    lot_id = (a.fields or {}).get("lot_id") or a.lot_id or a.project_id
    return f"award-{lot_id}"


def _result_release(a: Announcement, out: dict[str, Any], lots: list[Lot]) -> dict[str, Any]:
    """An award (中标结果公告) or contract (合同公告) release from the notice's fields."""
    f = a.fields or {}
    supplier_id = f.get("winner_supplier_id") or f.get("supplier_id")
    supplier = db.session.get(Organisation, supplier_id) if supplier_id else None
    if supplier is not None:
        _add_party(out, supplier, "supplier")
    amount = Decimal(str(f["amount"])) if f.get("amount") is not None else None
    related = [lot.code for lot in lots]
    if a.kind == AnnouncementKind.RESULT:
        out["bids"] = _bids(out, lots, details=True)
        out["awards"] = [
            {
                "id": _award_id(a),
                "title": a.title,
                "status": "active",
                "date": iso(a.published_at),
                "value": value(amount),
                "suppliers": [_ref(supplier)] if supplier is not None else None,
                "relatedLots": related,
            }
        ]
        return out
    signed = f.get("signed_on")
    out["contracts"] = [
        {
            "id": str(f.get("contract_number") or f"contract-{a.id}"),
            "awardID": _award_id(a),
            "title": a.title,
            "status": "active",
            "value": value(amount),
            "dateSigned": f"{signed}T00:00:00+08:00" if signed else None,
            "amendments": [
                {
                    "id": f"amendment-{a.id}",
                    "date": iso(a.published_at),
                    "rationale": str(f.get("amendment_reason") or a.title),
                    "amendsReleaseID": _superseded_release(a),
                    "releaseID": release_id(a),
                }
            ]
            if a.supersedes_id is not None
            else None,
        }
    ]
    return out


def _clean(obj: Any) -> Any:
    """Drop None values and empty containers: OCDS forbids nulls in most places."""
    if isinstance(obj, dict):
        cleaned = {k: _clean(v) for k, v in obj.items() if v is not None}
        return {k: v for k, v in cleaned.items() if v not in ({}, [])}
    if isinstance(obj, list):
        return [_clean(v) for v in obj if v is not None]
    return obj


def _feed_query() -> Any:
    return (
        select(Announcement)
        .where(Announcement.published_at.is_not(None), Announcement.kind.in_(FEED_KINDS))
        .options(
            joinedload(Announcement.lot),
            joinedload(Announcement.project).selectinload(Project.lots),
            joinedload(Announcement.project).joinedload(Project.purchaser),
            joinedload(Announcement.project).joinedload(Project.agency),
        )
    )


def release_page(page: int, per_page: int) -> tuple[list[dict[str, Any]], bool]:
    """One page of releases, newest first, and whether another page follows."""
    stmt = (
        _feed_query()
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    rows = list(db.session.execute(stmt).unique().scalars())
    return [release(a) for a in rows[:per_page]], len(rows) > per_page


def releases_for_ocid(ocid: str) -> list[dict[str, Any]]:
    prefix = current_app.config["OCDS_PREFIX"] + "-"
    if not ocid.startswith(prefix):
        return []
    trade_id = ocid.removeprefix(prefix)
    stmt = (
        _feed_query()
        .join(Project, Project.id == Announcement.project_id)
        .where(Project.trade_id == trade_id)
        .order_by(Announcement.published_at.asc(), Announcement.id.asc())
    )
    return [release(a) for a in db.session.execute(stmt).unique().scalars()]


def package(
    releases: list[dict[str, Any]], *, uri: str, links: dict[str, str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": iso(clock.now()),
        "publisher": {"name": current_app.config["OCDS_PUBLISHER"]},
        "extensions": EXTENSIONS,
        "releases": releases,
    }
    if links:
        body["links"] = links
    return body


def dumps(obj: Any) -> str:
    """JSON text with Decimals written as exact numbers (no float round trip)."""
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            raise ValueError("non-finite amount")
        return format(obj, "f")
    if isinstance(obj, dict):
        return (
            "{"
            + ",".join(
                f"{json.dumps(str(k), ensure_ascii=False)}:{dumps(v)}" for k, v in obj.items()
            )
            + "}"
        )
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in obj) + "]"
    return json.dumps(obj, ensure_ascii=False)
