"""Who may do what with a lot's tender documents, questions and objections.

The lot relations themselves (manage, oversee, supervise) are `bidding.policies`; these
rules add what the document side needs: the supplier acting, the downloader, and the
secrecy of downloaders and objectors until the bid deadline.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core import clock, formatting
from app.core.auth.models import Organisation, OrgKind, Role
from app.core.errors import Forbidden, NotFound, TooLate
from bidding import participation
from bidding.documents.queries import current_document, has_downloaded
from bidding.models import Lot, LotStatus
from bidding.policies import can_manage_lot, can_oversee_lot, can_supervise_lot

# A lot takes questions, objections and clarifications while published or suspended.
OPEN_STATUSES = (LotStatus.PUBLISHED, LotStatus.SUSPENDED)
NO_ACCESS = _l("您无权查看该标段的此项内容。")


def ensure_supplier_org(
    user: Any, *, activity: str = "documents", lot: Lot | None = None
) -> Organisation:
    """The supplier organisation the user acts for, refusing barred ones (失信, bans)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != Role.SUPPLIER:
        raise Forbidden(_l("只有供应商用户可以执行此操作。"))
    org = user.organisation
    if org is None or org.kind != OrgKind.SUPPLIER:
        raise Forbidden(_l("您的账号未关联供应商企业，请先完善企业信息。"))
    participation.ensure_not_barred(org, activity=activity, lot_id=lot.id if lot else None)
    return org


def ensure_downloader(user: Any, lot: Lot) -> Organisation:
    org = ensure_supplier_org(user)
    if not has_downloaded(lot, org):
        raise Forbidden(_l("只有已下载本标段招标文件的供应商可以执行此操作。"))
    return org


def ensure_before_deadline(lot: Lot) -> None:
    if lot.bid_deadline is not None and clock.now() >= lot.bid_deadline:
        raise TooLate(
            _l("投标截止时间（%(t)s）已过，不能再办理此事项。", t=formatting.cst(lot.bid_deadline))
        )


def visible_to_supplier(lot: Lot) -> bool:
    return lot.status != LotStatus.DRAFT


def ensure_lot_readable(user: Any, lot: Lot) -> None:
    """Staff of the agency and overseers always; suppliers once the lot is published."""
    if can_manage_lot(user, lot) or can_oversee_lot(user, lot):
        return
    if user.role == Role.SUPPLIER and visible_to_supplier(lot):
        return
    if user.role == Role.SUPPLIER:
        raise NotFound(_l("标段不存在或尚未发布。"))
    raise Forbidden(NO_ACCESS)


def can_inspect_lot(user: Any, lot: Lot) -> bool:
    """Staff of the agency and supervisors: every version, objections, later the downloaders.
    Administrators are kept out, as from every bidding secret."""
    return can_manage_lot(user, lot) or can_supervise_lot(user, lot)


def can_upload_directly(lot: Lot) -> bool:
    """Before publication, or the first issue of a published lot. Later versions go
    through a clarification, so that every downloader hears of them."""
    if lot.status == LotStatus.DRAFT:
        return True
    return (
        lot.status in OPEN_STATUSES
        and current_document(lot) is None
        and (lot.bid_deadline is None or clock.now() < lot.bid_deadline)
    )


def _deadline_passed(lot: Lot) -> bool:
    return lot.bid_deadline is not None and clock.now() >= lot.bid_deadline


def ensure_can_list_downloaders(user: Any, lot: Lot) -> None:
    """Who downloaded: secret from everyone until the bid deadline has passed."""
    if not _deadline_passed(lot):
        raise Forbidden(
            _l(
                "投标截止（%(t)s）前，任何人均不得查看招标文件下载人名单。",
                t=formatting.cst(lot.bid_deadline),
            )
        )
    if not can_inspect_lot(user, lot):
        raise Forbidden(_l("只有本项目代理机构工作人员和监督人员可以查看下载人名单。"))


def can_list_downloaders(user: Any, lot: Lot) -> bool:
    return _deadline_passed(lot) and can_inspect_lot(user, lot)


def objector_visible(lot: Lot) -> bool:
    """Naming the objector would reveal a downloader, so it waits for the deadline too."""
    return _deadline_passed(lot)
