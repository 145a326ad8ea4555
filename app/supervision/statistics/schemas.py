"""Schemas of the statistics API (the OpenAPI source)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .series import KEYS


class StatisticsArgs(Schema):
    start = fields.String(
        load_default=None,
        validate=validate.Length(max=20),
        metadata={"description": "first day, YYYY-MM-DD or YYYY-MM (default: 12 months back)"},
    )
    end = fields.String(
        load_default=None,
        validate=validate.Length(max=20),
        metadata={"description": "last day, YYYY-MM-DD or YYYY-MM (default: today)"},
    )
    centre = fields.String(
        load_default=None,
        validate=validate.Length(max=12),
        metadata={"description": "a centre's id (province-wide readers only)"},
    )


class ColumnOut(Schema):
    key = fields.String()
    label = fields.String()
    kind = fields.String(metadata={"description": "text, int, money, rate, days or score"})


class PeriodOut(Schema):
    start = fields.String()
    end = fields.String()


class SeriesOut(Schema):
    series = fields.String(metadata={"enum": list(KEYS)})
    title = fields.String()
    period = fields.Nested(PeriodOut)
    columns = fields.List(fields.Nested(ColumnOut))
    rows = fields.List(
        fields.Dict(),
        metadata={
            "description": "one object per row, keyed by the columns' keys; money as "
            "a decimal string in yuan, rates as fractions, durations in days"
        },
    )


class SeriesRefOut(Schema):
    series = fields.String()
    title = fields.String()
    note = fields.String()
