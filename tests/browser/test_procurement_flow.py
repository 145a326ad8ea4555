"""A real procurement in chromium: staff register and publish, a supplier finds and downloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from app.core import clock
from app.core.auth.models import OrgKind, Role
from app.core.extensions import db
from bidding.documents.models import DocumentDownload
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from tests.factories import PASSWORD, make_centre, make_org, make_user

pytestmark = pytest.mark.browser

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=clock.CST)


def _login(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if "/login/2fa" in page.url:
        page.fill("input[name=code]", pyotp.TOTP(user.totp_secret).at(clock.now()))
        page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


def test_staff_publish_and_supplier_downloads(
    live_server: str, browser: Any, shot: Any, tmp_path: Any
) -> None:
    clock.set_now(T0)
    centre = make_centre(code="150900", name="乌兰察布市公共资源交易中心", region="乌兰察布市")
    agency = make_org(OrgKind.AGENCY, name="内蒙古诚信招标代理有限公司", centre=centre)
    make_org(OrgKind.PURCHASER, name="集宁区第一中学", centre=centre)
    supplier_org = make_org(OrgKind.SUPPLIER, name="乌兰察布市恒达科技有限公司", centre=centre)
    staff = make_user(Role.STAFF, organisation=agency, centre=centre, display_name="王代理")
    supplier = make_user(
        Role.SUPPLIER, organisation=supplier_org, totp=False, display_name="李经理"
    )
    db.session.commit()

    # Staff register a project with one lot through the form.
    staff_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = staff_ctx.new_page()
    _login(page, live_server, staff)
    page.goto(f"{live_server}/projects/new")
    page.fill("input[name=name]", "集宁区第一中学智慧教室设备采购项目")
    page.select_option("select[name=purchaser_id]", label="集宁区第一中学")
    page.select_option("select[name=method]", "open")
    page.select_option("select[name=category_code]", "B02")
    page.fill("textarea[name=description]", "采购智慧教室交互式教学一体机及配套设备。")
    page.fill("input[name=contact_name]", "王工")
    page.fill("input[name=contact_phone]", "0474-8888888")
    page.fill("input[name='lots-0-name']", "智慧教室设备")
    page.select_option("select[name='lots-0-category_code']", "B0201")
    page.fill("input[name='lots-0-budget']", "1200000.00")
    page.fill("input[name='lots-0-ceiling_price']", "1150000.00")
    page.fill("input[name='lots-0-floor_price']", "900000")
    page.fill("input[name='lots-0-bid_bond']", "20000")
    page.fill("input[name='lots-0-doc_start_at']", "2026-12-01T10:00")
    page.fill("input[name='lots-0-doc_end_at']", "2026-12-10T17:00")
    page.fill("input[name='lots-0-bid_deadline']", "2026-12-28T09:30")
    page.fill("input[name='lots-0-opening_place']", "乌兰察布市公共资源交易中心第一开标室")
    shot(page, "01-staff-project-form")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "01-staff-project-form-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("[data-testid=save-project]")
    page.wait_for_load_state()
    shot(page, "02-staff-project-detail")
    lot = db.session.execute(select(Lot)).scalar_one()
    assert lot.status == LotStatus.DRAFT
    assert lot.floor_price == Decimal("900000.00")

    # Tender documents, then the tender notice.
    page.click("[data-testid=lot-documents]")
    doc = tmp_path / "招标文件.pdf"
    doc.write_bytes(b"%PDF-1.4\n% tender documents\n" + b"0" * 4096)
    page.set_input_files("input[name=file]", str(doc))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state()
    shot(page, "03-staff-documents")
    page.goto(f"{live_server}/lots/{lot.id}/tender-notice")
    shot(page, "04-staff-tender-form")
    page.click("[data-testid=submit-tender]")
    page.wait_for_load_state()
    shot(page, "05-staff-published")
    db.session.expire_all()
    notice = db.session.execute(
        select(Announcement).where(Announcement.kind == AnnouncementKind.TENDER)
    ).scalar_one()
    assert notice.published_at is not None
    staff_ctx.close()

    # The supplier finds the notice on the public portal by a two-character word.
    clock.set_now(T0 + dt.timedelta(hours=3))
    sup_ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = sup_ctx.new_page()
    page.goto(f"{live_server}/announcements?q=教室")
    shot(page, "06-portal-search")
    page.click(f"a[href='/announcements/{notice.id}']")
    page.wait_for_load_state()
    assert "集宁区第一中学智慧教室设备采购项目" in page.content()
    shot(page, "07-portal-detail")
    page.click("[data-testid=documents-link] >> nth=0")
    page.wait_for_load_state()
    assert "/login" in page.url  # downloads need a registered supplier
    page.fill("input[name=username]", supplier.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert f"/supplier/lots/{lot.id}" in page.url
    shot(page, "08-supplier-lot")
    with page.expect_download() as info:
        page.click("[data-testid=download]")
    download = info.value
    saved = tmp_path / "got.pdf"
    download.save_as(str(saved))
    assert saved.read_bytes() == doc.read_bytes()
    page.reload()
    shot(page, "09-supplier-after-download")
    sup_ctx.close()

    db.session.expire_all()
    rows = db.session.execute(select(DocumentDownload)).scalars().all()
    assert [(r.supplier_id, r.lot_id) for r in rows] == [(supplier_org.id, lot.id)]
