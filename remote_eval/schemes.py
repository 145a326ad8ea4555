"""The lot's scoring scheme: edited by the agency's staff while the lot is a draft, frozen
by the tender notice, and afterwards changed only by a published clarification.

Every change runs in the caller's transaction with one audit entry; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import DecimalException
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding import retention
from bidding.documents.policies import ensure_before_deadline
from bidding.labels import eval_label
from bidding.models import Announcement, Lot
from remote_eval import actions, policies
from remote_eval.models import ScoringScheme, ScoringSchemeVersion
from remote_eval.scheme import Scheme, ensure_valid
from remote_eval.scheme_text import default_data, describe_changes, with_ids


def scheme_of(lot: Lot) -> ScoringScheme | None:
    return db.session.execute(
        select(ScoringScheme).where(ScoringScheme.lot_id == lot.id)
    ).scalar_one_or_none()


def centre_settings(lot: Lot) -> Mapping[str, Any]:
    return lot.project.centre.settings or {}


def lot_method(lot: Lot) -> str:
    return lot.evaluation_method.value


def working_data(lot: Lot) -> dict[str, Any]:
    """What the editor shows: the stored scheme, or the template for the lot's method when
    there is none yet or the lot's method changed since it was saved (a draft lot only)."""
    row = scheme_of(lot)
    if row is None or (row.frozen_at is None and row.method != lot_method(lot)):
        return default_data(lot_method(lot))
    return row.data


def current_version(lot: Lot) -> int:
    """The version a client must send back; 0 while nothing has been stored."""
    row = scheme_of(lot)
    return row.version if row is not None else 0


def get_or_create_scheme(lot: Lot, user: User | None = None) -> ScoringScheme:
    """The lot's row, created from the template for its method when there is none."""
    row = scheme_of(lot)
    if row is None:
        row = ScoringScheme(
            lot_id=lot.id,
            method=lot_method(lot),
            data=default_data(lot_method(lot)),
            updated_at=clock.now(),
            updated_by_id=user.id if user is not None else None,
        )
        db.session.add(row)
        db.session.flush()
    return row


def check_scheme(lot: Lot, data: Mapping[str, Any]) -> Scheme:
    """Parse and validate a scheme for this lot; ValidationError lists every problem."""
    if not isinstance(data, Mapping):
        raise ValidationError(_l("评分办法应为 JSON 对象。"), field="scheme")
    given = with_ids(dict(data))
    given.setdefault("method", lot_method(lot))
    if given.get("method") != lot_method(lot):
        raise ValidationError(
            _l(
                "评分办法的评标方法应与标段一致：本标段为%(m)s（%(code)s）。",
                m=eval_label(lot.evaluation_method),
                code=lot_method(lot),
            ),
            field="method",
        )
    _check_sizes(given)
    try:
        return ensure_valid(Scheme.from_dict(given), lot.category_code, centre_settings(lot))
    except DecimalException:
        # e.g. a maximum of 1E+999 against a step of 0.5: no real scheme gets here.
        raise ValidationError(_l("评分办法中的数值超出合理范围。"), field="scheme") from None


MAX_ITEMS = 100
MAX_TEXT = 2000


def _check_sizes(data: Mapping[str, Any]) -> None:
    """Keep stored schemes to the size of a real one, whatever a client sends."""
    for section in ("qualification", "compliance", "technical", "commercial"):
        rows = data.get(section)
        if isinstance(rows, list) and len(rows) > MAX_ITEMS:
            raise ValidationError(_l("每组评审项不得超过 %(n)s 项。", n=MAX_ITEMS), field=section)
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, Mapping) and any(
                len(str(row.get(k) or "")) > MAX_TEXT for k in ("id", "name", "description")
            ):
                raise ValidationError(
                    _l("评审项的编号、名称和说明均不得超过 %(n)s 个字符。", n=MAX_TEXT),
                    field=section,
                )


def _check_version(row: ScoringScheme | None, version: int | None) -> None:
    if version is None:
        return
    stored = row.version if row is not None else 0
    if version != stored:
        raise Conflict(
            _l(
                "评分办法已被他人修改（当前第 %(v)s 版，您编辑的是第 %(mine)s 版），请刷新后重新编辑。",
                v=stored,
                mine=version,
            )
        )


def save_scheme(
    lot: Lot, user: User, data: Mapping[str, Any], version: int | None
) -> ScoringScheme:
    """Store the staff's scheme while the lot is a draft."""
    policies.ensure_can_edit_scheme(user, lot)
    if not policies.scheme_is_editable(lot):
        raise Conflict(_l("招标公告发布后评分办法已冻结，只能通过澄清/更正公告修改。"))
    row = scheme_of(lot)
    _check_version(row, version)
    scheme = check_scheme(lot, data)
    if row is None:
        row = ScoringScheme(lot_id=lot.id)
        db.session.add(row)
    row.method = scheme.method
    row.data = scheme.to_dict()
    row.updated_at = clock.now()
    row.updated_by_id = user.id
    db.session.flush()
    record(
        actions.SCHEME_SAVED,
        row,
        {"lot_id": lot.id, "method": scheme.method, "version": row.version},
        actor=user,
    )
    return row


def freeze_for_tender(lot: Lot, user: User, notice: Announcement) -> ScoringScheme:
    """Run before the tender notice opens the lot: the published scheme becomes version 1.

    A lot whose staff never saved a scheme publishes the standard template of its method,
    which is what the editor offered them; a stored scheme that no longer fits the lot
    (its method or category changed, or the centre narrowed a range) refuses the notice.
    """
    row = scheme_of(lot)
    defaulted = row is None
    row = row or get_or_create_scheme(lot, user)
    if row.frozen_at is not None:
        return row
    if row.method != lot_method(lot):
        raise ValidationError(
            _l(
                "标段“%(n)s”的评分办法按%(old)s编制，而标段的评标方法为%(new)s："
                "请先修改评分办法，再发布招标公告。",
                n=lot.name,
                old=eval_label(row.method),
                new=eval_label(lot.evaluation_method),
            ),
            field="scoring_scheme",
        )
    try:
        scheme = check_scheme(lot, row.data)
    except ValidationError as exc:
        raise ValidationError(
            _("标段“%(n)s”的评分办法有误，不能发布招标公告：", n=lot.name) + str(exc.message),
            field="scoring_scheme",
        ) from None
    now = clock.now()
    row.data = scheme.to_dict()
    row.frozen_at = now
    db.session.add(
        ScoringSchemeVersion(
            scheme=row, version=1, data=row.data, applied_at=now, announcement_id=notice.id
        )
    )
    db.session.flush()
    record(
        actions.SCHEME_FROZEN,
        row,
        {"lot_id": lot.id, "announcement_id": notice.id, "defaulted": defaulted},
        actor=user,
    )
    return row


def _frozen_row(lot: Lot, user: User) -> ScoringScheme:
    policies.ensure_can_edit_scheme(user, lot)
    row = scheme_of(lot)
    if row is None or row.frozen_at is None:
        raise Conflict(_l("评分办法尚未随招标公告发布，请直接编辑。"))
    if not policies.amendment_is_possible(lot):
        raise Conflict(_l("只有已发布（或因异议暂停）的标段可以通过澄清/更正修改评分办法。"))
    ensure_before_deadline(lot)
    return row


def propose_amendment(
    lot: Lot, user: User, data: Mapping[str, Any], version: int | None = None
) -> ScoringScheme:
    """Store a change of the frozen scheme; the lot's next clarification publishes it."""
    row = _frozen_row(lot, user)
    _check_version(row, version)
    scheme = check_scheme(lot, data)
    if not describe_changes(Scheme.from_dict(row.data), scheme):
        raise ValidationError(_l("修改后的评分办法与已发布的相同。"), field="scheme")
    row.pending_data = scheme.to_dict()
    row.pending_at = clock.now()
    row.pending_by_id = user.id
    db.session.flush()
    record(actions.AMENDMENT_PROPOSED, row, {"lot_id": lot.id, "version": row.version}, actor=user)
    return row


def withdraw_amendment(lot: Lot, user: User, version: int | None = None) -> ScoringScheme:
    retention.ensure_deletable(lot, _l("评分办法修改"), "scoring_scheme_amendment", user)
    row = _frozen_row(lot, user)
    _check_version(row, version)
    if row.pending_data is None:
        raise Conflict(_l("没有待发布的评分办法修改。"))
    row.pending_data = None
    row.pending_at = None
    row.pending_by_id = None
    db.session.flush()
    record(actions.AMENDMENT_WITHDRAWN, row, {"lot_id": lot.id}, actor=user)
    return row


def pending_changes(lot: Lot) -> list[str]:
    """The pending amendment as a change list in the current locale; [] when none."""
    row = scheme_of(lot)
    if row is None or row.pending_data is None:
        return []
    return describe_changes(Scheme.from_dict(row.data), Scheme.from_dict(row.pending_data))


def clarification_addendum(lot: Lot) -> str | None:
    """The paragraph a clarification carrying the pending amendment adds to its body."""
    lines = pending_changes(lot)
    if not lines:
        return None
    numbered = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))
    return _("评分办法修改如下：") + "\n" + numbered


def apply_amendment(lot: Lot, user: User, notice: Announcement) -> ScoringScheme | None:
    """Hook of a published clarification: the pending amendment becomes the scheme."""
    row = scheme_of(lot)
    if row is None or row.pending_data is None:
        return None
    now = clock.now()
    number = len(row.versions) + 1
    row.data = row.pending_data
    row.pending_data = None
    row.pending_at = None
    row.pending_by_id = None
    row.updated_at = now
    row.updated_by_id = user.id
    db.session.add(
        ScoringSchemeVersion(
            scheme=row, version=number, data=row.data, applied_at=now, announcement_id=notice.id
        )
    )
    db.session.flush()
    record(
        actions.SCHEME_AMENDED,
        row,
        {"lot_id": lot.id, "announcement_id": notice.id, "published_version": number},
        actor=user,
    )
    return row


def published_scheme(lot: Lot) -> tuple[Scheme, ScoringScheme] | None:
    """The scheme suppliers and the public see: only once the tender notice froze it."""
    row = scheme_of(lot)
    if row is None or row.frozen_at is None:
        return None
    return Scheme.from_dict(row.data), row
