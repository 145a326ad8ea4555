"""Pool management by centre staff: register, edit, suspend, retire, CSV import."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.core.auth.models import OrgKind, Role
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from experts import pool
from experts.models import Expert, ExpertStatus, Specialty
from tests.experts.world import build_world
from tests.factories import credit, csrf_from, login, make_centre, make_org, make_user


def id_card(n: int) -> str:
    first = f"11010119800101{n:03d}"
    weights = pool.ID_WEIGHTS
    total = sum(int(c) * w for c, w in zip(first, weights, strict=True))
    return first + pool.ID_CHECK[total % 11]


def test_shipped_classification_has_four_levels_below_the_category() -> None:
    build_world()
    codes = db.session.query(Specialty).all()
    assert len(codes) >= 60
    leaf = db.session.get(Specialty, "A08.01.02.03")
    assert leaf.level == 4 and leaf.parent_code == "A08.01.02"


def test_centre_staff_register_an_expert_storing_only_an_id_card_hash() -> None:
    w = build_world()
    number = id_card(1)
    e = pool.register_expert(
        w.centre,
        {
            "name": "王工",
            "id_card": number,
            "phone": "13900000001",
            "main_specialty": "A08.01.01.01",
            "secondary_specialties": "A09.01.01.01",
            "employer_code": credit(),
            "username": "wanggong",
        },
        w.centre_staff,
    )
    assert e.id_card_hash != number and number not in e.id_card_hash
    assert e.id_card_tail == number[-4:]
    assert e.user.role == Role.EXPERT
    assert [s.specialty_code for s in e.secondary] == ["A09.01.01.01"]
    with pytest.raises(Conflict):
        pool.register_expert(
            w.centre,
            {
                "name": "王工",
                "id_card": number,
                "phone": "13900000001",
                "main_specialty": "A08.01.01.01",
            },
            w.centre_staff,
        )


def test_agency_staff_cannot_manage_the_pool() -> None:
    w = build_world()
    with pytest.raises(Forbidden):
        pool.register_expert(
            w.centre,
            {
                "name": "王工",
                "id_card": id_card(2),
                "phone": "13900000001",
                "main_specialty": "A08.01.01.01",
            },
            w.agency_staff,
        )


def test_bad_fields_are_refused_with_their_reason() -> None:
    w = build_world()
    with pytest.raises(ValidationError, match="身份证") as err:
        pool.register_expert(
            w.centre,
            {
                "name": "王工",
                "id_card": "110101198001010000",
                "phone": "139",
                "main_specialty": "Z1",
            },
            w.centre_staff,
        )
    assert "phone" in str(err.value.message) and "Z1" in str(err.value.message)


def test_suspend_needs_a_reason_and_retired_is_final() -> None:
    w = build_world()
    e = pool.register_expert(
        w.centre,
        {
            "name": "李工",
            "id_card": id_card(3),
            "phone": "13900000002",
            "main_specialty": "A08.01.01.01",
        },
        w.centre_staff,
    )
    with pytest.raises(ValidationError):
        pool.set_status(e, ExpertStatus.SUSPENDED, "", w.centre_staff)
    pool.set_status(e, ExpertStatus.RETIRED, "年龄", w.centre_staff)
    with pytest.raises(Conflict):
        pool.set_status(e, ExpertStatus.ACTIVE, "", w.centre_staff)


CSV_HEAD = "name,id_card,phone,email,main_specialty,secondary_specialties,employer_code\n"


def test_csv_import_with_one_bad_row_imports_nothing_and_lists_every_bad_row() -> None:
    w = build_world()
    text = CSV_HEAD + (
        f"张一,{id_card(10)},13900000010,a@b.cn,A08.01.01.01,,{credit()}\n"
        f"张二,110101198001010000,13900000011,,A08.01.01.01,,\n"
        f"张三,{id_card(12)},1390,,Q99,,\n"
        f"张四,{id_card(10)},13900000013,,A08.01.01.01,,\n"
    )
    with pytest.raises(pool.ImportRefused) as err:
        pool.import_csv(w.centre, text, w.centre_staff)
    rows = {(r["row"], r["column"]) for r in err.value.rows}
    assert rows == {(3, "id_card"), (4, "phone"), (4, "main_specialty"), (5, "id_card")}
    db.session.rollback()
    assert db.session.query(Expert).count() == 0


def test_csv_import_of_a_clean_file_imports_all_rows() -> None:
    w = build_world()
    text = (
        "\ufeff"
        + CSV_HEAD
        + "".join(
            f"专家{i},{id_card(20 + i)},139000000{i:02d},,A08.01.01.01,A09.01.01.01;B01.01.01.01,\n"
            for i in range(5)
        )
    )
    experts = pool.import_csv(w.centre, text, w.centre_staff)
    assert len(experts) == 5
    assert len(experts[0].secondary) == 2


def test_csv_import_page_shows_every_bad_row(client) -> None:  # noqa: ANN001
    import io

    w = build_world()
    db.session.commit()
    login(client, w.centre_staff)
    token = csrf_from(client, "/experts/pool/import")
    text = CSV_HEAD + "张二,110101198001010000,13900000011,,A08.01.01.01,,\n"
    res = client.post(
        "/experts/pool/import",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "pool.csv")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert "id_card" in html and "身份证号码无效" in html


def test_csv_import_api_answers_422_with_rows(client) -> None:  # noqa: ANN001
    from tests.factories import token_headers

    w = build_world()
    db.session.commit()
    text = CSV_HEAD + "张二,110101198001010000,13900000011,,A08.01.01.01,,\n"
    res = client.post(
        "/api/v1/experts/pool/import",
        json={"centre_id": w.centre.id, "csv": text},
        headers=token_headers(w.centre_staff),
    )
    assert res.status_code == 422
    assert res.get_json()["rows"][0]["row"] == 2


def test_pool_pages_render_for_centre_staff(client) -> None:  # noqa: ANN001
    w = build_world()
    e = pool.register_expert(
        w.centre,
        {
            "name": "赵工",
            "id_card": id_card(40),
            "phone": "13900000040",
            "main_specialty": "A08.01.01.01",
        },
        w.centre_staff,
    )
    supervisor = make_user(Role.SUPERVISOR, centre=w.centre)
    db.session.commit()
    login(client, w.centre_staff)
    assert "赵工" in client.get("/experts/pool").get_data(as_text=True)
    assert client.get(f"/experts/pool/{e.id}").status_code == 200
    assert client.get("/experts/pool/new").status_code == 200
    assert client.get(f"/experts/draws/new?lot_id={w.lot.id}").status_code == 200
    client2 = client.application.test_client()
    login(client2, supervisor)
    assert client2.get("/experts/pool").status_code == 403


def test_expert_pool_menu_is_shown_to_centre_staff_only(client: FlaskClient) -> None:
    centre = make_centre()
    agency_staff = make_user(
        Role.STAFF, organisation=make_org(OrgKind.AGENCY, centre=centre), centre=centre
    )
    centre_staff = make_user(
        Role.STAFF, organisation=make_org(OrgKind.CENTRE, centre=centre), centre=centre
    )
    db.session.commit()
    login(client, agency_staff)
    assert 'href="/experts/pool"' not in client.get("/inbox").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/inbox")})
    login(client, centre_staff)
    assert 'href="/experts/pool"' in client.get("/inbox").get_data(as_text=True)
