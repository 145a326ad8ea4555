"""Whether a supplier may take part in procurements at all now: the one rule that tender
document downloads (and every other document step) and bids consult.

Two sources bar a supplier: the organisation's own administrative ban
(`Organisation.blacklisted_until`, set by the administrators) and every bar a higher floor
registers through `bidding.hooks.register_participation_bar` (the credit records' 失信
entries). A refusal says why and until when, and is audited once it has been answered.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from app.core import clock, formatting
from app.core.auth.models import Organisation
from app.core.errors import DomainError, Forbidden
from bidding import actions, hooks
from bidding.hooks import Bar


def bars(org: Organisation) -> list[Bar]:
    """Every bar in force on the organisation now (empty → it may take part)."""
    now = clock.now()
    found: list[Bar] = []
    if org.blacklisted_until is not None and org.blacklisted_until > now:
        found.append(
            Bar(
                reason=_(
                    "贵单位被列入失信名单（%(r)s）", r=org.blacklist_reason or _("管理员决定")
                ),
                until=org.blacklisted_until,
                source="organisation",
            )
        )
    return found + hooks.participation_bars(org, now)


def message(bar: Bar) -> str:
    if bar.until is None:
        return _("%(r)s，在解除前不得下载招标文件或投标。", r=bar.reason)
    local = clock.to_cst(bar.until)
    if local.time() == dt.time():
        # A ban that ends at 24:00 of its last day reads by that day, as it was decided.
        return _(
            "%(r)s，限制至 %(d)s（含当日），期间不得下载招标文件或投标。",
            r=bar.reason,
            d=(local.date() - dt.timedelta(days=1)).isoformat(),
        )
    return _(
        "%(r)s，至 %(t)s（北京时间）前不得下载招标文件或投标。",
        r=bar.reason,
        t=formatting.cst(bar.until),
    )


def bar_messages(org: Organisation) -> list[str]:
    return [message(b) for b in bars(org)]


def audit_refusal(
    exc: DomainError,
    org: Organisation,
    found: list[Bar],
    activity: str,
    lot_id: int | None,
    *,
    not_invited: bool = False,
) -> DomainError:
    """Mark the refusal for the audit log (written after the refused transaction rolls back).

    One entry per refused attempt, whether a bar or a missing invitation (a lot whose
    method lets only invitees respond) refused it.
    """
    data: dict[str, object] = {
        "activity": activity,
        "lot_id": lot_id,
        "bars": [
            {"source": b.source, "until": b.until.isoformat() if b.until else None} for b in found
        ],
    }
    if not_invited:
        data["not_invited"] = True
    return exc.audited(actions.PARTICIPATION_REFUSED, org, data)


def ensure_not_barred(org: Organisation, *, activity: str, lot_id: int | None = None) -> None:
    found = bars(org)
    if found:
        exc = Forbidden("；".join(message(b) for b in found))
        raise audit_refusal(exc, org, found, activity, lot_id)
