"""Marshmallow schemas of the public API and the OCDS feed (the OpenAPI source)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.portal.queries import STATUS_ALIASES, STATUS_GROUPS
from bidding import methods
from bidding.labels import KIND_LABELS, kind_label

_PAGE_ERROR = _l("页码须为不小于 1 的整数。")


class AnnouncementQuery(Schema):
    """Filters of the public announcement list (all optional, combined with AND)."""

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=100_000, error=_PAGE_ERROR),
        metadata={"description": "Page number, from 1"},
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=100, error=_l("每页条数须在 1 到 100 之间。")),
    )
    centre = fields.Integer(metadata={"description": "Centre id"})
    region = fields.String(
        validate=validate.Length(max=60), metadata={"description": "Region name or code prefix"}
    )
    kind = fields.String(
        validate=validate.OneOf(
            list(KIND_LABELS),
            error=_l("公告类型无效，可选：%(ok)s。", ok=", ".join(KIND_LABELS)),
        )
    )
    category = fields.String(
        validate=[
            validate.Length(min=1, max=12),
            validate.Regexp(
                r"^[A-Za-z0-9]+$", error=_l("品目分类代码只能由字母和数字组成（如 A、A08）。")
            ),
        ],
        metadata={"description": "Category code prefix, e.g. A or A08"},
    )
    method = fields.String(
        validate=validate.OneOf(
            methods.codes(),
            error=_l("采购方式无效，可选：%(ok)s。", ok=", ".join(methods.codes())),
        )
    )
    status = fields.String(
        validate=validate.OneOf(
            [*STATUS_GROUPS, *STATUS_ALIASES],
            error=_l(
                "项目状态无效，可选：%(ok)s。", ok=", ".join([*STATUS_GROUPS, *STATUS_ALIASES])
            ),
        )
    )
    q = fields.String(
        validate=validate.Length(max=60, error=_l("关键词不得超过 60 个字。")),
        metadata={"description": "Keywords (Chinese full-text, two characters and up)"},
    )


class PublicCentre(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    region = fields.String()


class PublicLot(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    category_code = fields.String()
    status = fields.Function(lambda lot: lot.status.value)
    budget = fields.Decimal(as_string=True, places=2)
    ceiling_price = fields.Decimal(as_string=True, places=2, allow_none=True)
    floor_price = fields.Decimal(as_string=True, places=2, allow_none=True)
    bid_bond = fields.Decimal(as_string=True, places=2)
    doc_start_at = fields.DateTime(allow_none=True)
    doc_end_at = fields.DateTime(allow_none=True)
    bid_deadline = fields.DateTime(allow_none=True)
    opening_place = fields.String()
    documents_url = fields.Function(lambda lot: f"/supplier/lots/{lot.id}")


class PublicProject(Schema):
    id = fields.Integer()
    code = fields.String()
    trade_id = fields.String()
    name = fields.String()
    purchaser = fields.Function(lambda p: p.purchaser.name)
    agency = fields.Function(lambda p: p.agency.name)


class AnnouncementSummary(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.Function(lambda a: a.kind.value)
    # A result announcement is named in its method's words (中标 or 成交).
    kind_label = fields.Function(lambda a: kind_label(a.kind, a.method))
    method = fields.Function(lambda a: a.method.value)
    category_code = fields.String()
    published_at = fields.DateTime()
    centre = fields.Nested(PublicCentre)
    project_id = fields.Integer()
    lot_id = fields.Integer(allow_none=True)
    lot_status = fields.Function(lambda a: a.lot.status.value if a.lot else None)
    supersedes_id = fields.Integer(allow_none=True)
    url = fields.Function(lambda a: f"/announcements/{a.id}")


class AnnouncementDetail(AnnouncementSummary):
    body = fields.String()
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    project = fields.Nested(PublicProject)
    lot = fields.Nested(PublicLot, allow_none=True)
    related_ids = fields.List(fields.Integer())
    superseded_by_ids = fields.List(fields.Integer())


class AnnouncementPage(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    items = fields.List(fields.Nested(AnnouncementSummary))


class OcdsPageQuery(Schema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=100_000, error=_PAGE_ERROR)
    )
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=100, error=_l("每页条数须在 1 到 100 之间。")),
    )


class OcdsValue(Schema):
    amount = fields.Float(metadata={"description": "Exact decimal yuan, written as a JSON number"})
    currency = fields.String()


class OcdsRelease(Schema):
    """One OCDS 1.1 release (documented shape; the payload carries further OCDS fields)."""

    ocid = fields.String()
    id = fields.String()
    date = fields.String()
    tag = fields.List(fields.String())
    initiationType = fields.String()
    language = fields.String()
    parties = fields.List(fields.Dict())
    buyer = fields.Dict()
    planning = fields.Dict()
    tender = fields.Dict()


class OcdsReleasePackage(Schema):
    """An OCDS 1.1 release package."""

    uri = fields.String()
    version = fields.String()
    publishedDate = fields.String()
    publisher = fields.Dict()
    extensions = fields.List(fields.String())
    links = fields.Dict()
    releases = fields.List(fields.Nested(OcdsRelease))


class OcdsRecord(Schema):
    ocid = fields.String()
    releases = fields.List(fields.Nested(OcdsRelease))
    compiledRelease = fields.Nested(OcdsRelease)


class OcdsRecordPackage(Schema):
    """An OCDS 1.1 record package."""

    uri = fields.String()
    version = fields.String()
    publishedDate = fields.String()
    publisher = fields.Dict()
    extensions = fields.List(fields.String())
    records = fields.List(fields.Nested(OcdsRecord))
