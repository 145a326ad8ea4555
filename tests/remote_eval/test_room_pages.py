"""The evaluation room's pages: who sees what, per role and phase."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core import clock
from app.core.auth.models import Role
from app.core.extensions import db
from remote_eval import clarifications, committee, hosting, scoring
from remote_eval.models import Phase
from tests.factories import login, make_user
from tests.remote_eval.committee_world import active, build, sign_everyone_in, to_election
from tests.remote_eval.review_world import build_world, move, pass_all


def _page(client: Any, user: Any, path: str, status: int = 200) -> str:
    login(client, user)
    resp = client.get(path)
    assert resp.status_code == status, resp.get_data(as_text=True)[:1000]
    return resp.get_data(as_text=True)


def test_each_role_finds_the_room_in_its_list(client: Any, app: Any) -> None:
    w = build()
    # Before forming: the agency's staff get the form for the opened lot, experts sealed.
    html = _page(client, w.host, "/evaluations/")
    assert "组建评标委员会" in html and 'data-expert="' in html
    assert all(inv.expert.name not in html for inv in w.accepted())
    assert w.reps[0].display_name in html
    session = w.form()
    member = active(session)[0]
    for user in (member.user, w.host, w.staff_second, w.supervisor_second):
        client.get("/logout")
        html = _page(client, user, "/evaluations/")
        assert f"/evaluations/{session.id}" in html, user.role
    client.get("/logout")
    html = _page(client, w.supervisor_other, "/evaluations/")
    assert f"/evaluations/{session.id}" not in html


def test_supplier_gets_403_on_the_room_and_the_list_shows_nothing(client: Any) -> None:
    w = build()
    session = w.form()
    supplier = db.session.get(type(w.host), w.bids[0].submitted_by_id)
    _page(client, supplier, f"/evaluations/{session.id}", 403)
    assert client.get(f"/evaluations/{session.id}/live").status_code == 403
    client.get("/logout")
    _page(client, w.supervisor_other, f"/evaluations/{session.id}", 403)


def test_names_are_hidden_until_sign_in_and_venue_staff_confirm_only_their_venue(
    client: Any,
) -> None:
    w = build()
    session = w.form()
    members = active(session)
    second = [m for m in members if m.venue_centre_id == w.second.id]
    main = [m for m in members if m.venue_centre_id != w.second.id]
    html = _page(client, w.staff_second, f"/evaluations/{session.id}")
    assert "签到后显示姓名" in html
    names = [inv.expert.name for inv in w.accepted()]
    assert not any(n in html for n in names)
    assert all(f'data-testid="confirm-{m.id}"' in html for m in second)
    assert not any(f'data-testid="confirm-{m.id}"' in html for m in main)
    sign_everyone_in(w, session)
    html = client.get(f"/evaluations/{session.id}").get_data(as_text=True)
    # Least exposure: the secondary venue's staff see the names of its own members only.
    by_invitation = {inv.id: inv.expert.name for inv in w.accepted()}
    here = [by_invitation[m.invitation_id] for m in second if m.invitation_id]
    there = [by_invitation[m.invitation_id] for m in main if m.invitation_id]
    assert here and all(n in html for n in here)
    assert not any(n in html for n in there)


def test_member_sees_sign_in_then_commitment_with_the_bidders(client: Any) -> None:
    w = build()
    session = w.form()
    member = active(session)[0]
    committee.confirm_identity(member, w.venue_staff(member))
    db.session.commit()
    html = _page(client, member.user, f"/evaluations/{session.id}")
    assert 'data-testid="signin"' in html
    for m in active(session):
        if m.identity_confirmed_at is None:
            committee.confirm_identity(m, w.venue_staff(m))
        committee.sign_in(m, m.user)
    hosting.advance(session, w.host)
    db.session.commit()
    html = client.get(f"/evaluations/{session.id}").get_data(as_text=True)
    assert 'data-testid="commitment-form"' in html
    assert all(b.supplier.name in html for b in w.bids)
    assert "承诺书" in html


def test_election_ballot_for_members_and_the_host_sees_the_unmet_checks(client: Any) -> None:
    w = build()
    session = w.form()
    to_election(w, session)
    member = active(session)[0]
    html = _page(client, member.user, f"/evaluations/{session.id}")
    assert 'data-testid="vote-form"' in html
    client.get("/logout")
    html = _page(client, w.host, f"/evaluations/{session.id}")
    assert 'data-testid="advance"' in html and 'data-testid="exit-problems"' in html
    assert 'data-testid="vote-form"' not in html
    client.get("/logout")
    html = _page(client, w.supervisor_main, f"/evaluations/{session.id}")
    assert "只读" in html and "eval-chat-form" not in html and 'data-testid="advance"' not in html


def test_review_table_highlights_differences_and_offers_the_leader_a_vote(
    client: Any, app: Any
) -> None:
    from remote_eval import review

    w = build_world("comprehensive", ["450000.00", "430000.00"])
    bid = w.bids[0]
    for n, m in enumerate(w.members):
        review.record_verdict(w.session, m, bid, "Q1", n != 2, "" if n != 2 else "执照过期")
    db.session.commit()
    html = _page(client, w.leader.user, f"/evaluations/{w.session.id}")
    assert "eval-differ" in html and "执照过期" in html
    assert f'data-testid="decide-{bid.id}-Q1"' in html
    client.get("/logout")
    other = w.members[1]
    html = _page(client, other.user, f"/evaluations/{w.session.id}")
    assert f'data-testid="decide-{bid.id}-Q1"' not in html
    assert f'data-testid="verdict-{bid.id}-Q1"' in html


def _to_scoring(w: Any) -> None:
    pass_all(w)
    move(w, Phase.SCORING)


def test_scores_stay_hidden_from_observers_and_until_one_has_submitted(client: Any) -> None:
    w = build_world("comprehensive", ["450000.00", "430000.00"])
    _to_scoring(w)
    bid = w.bids[0]
    first, second = w.members[0], w.members[1]
    scoring.save_scores(w.session, first, bid, {"T1": "33.5", "T2": "5", "C1": "10"})
    scoring.submit_sheet(w.session, first, bid)
    db.session.commit()
    html = _page(client, w.host, f"/evaluations/{w.session.id}")
    assert "33.5" not in html and f'data-testid="others-{bid.id}"' not in html
    assert first.seat in html  # who submitted is shown
    client.get("/logout")
    html = _page(client, second.user, f"/evaluations/{w.session.id}")
    assert "33.5" not in html and f'data-testid="sheet-{bid.id}"' in html
    assert 'type="number"' in html and 'max="40"' in html and 'step="0.5"' in html
    scoring.save_scores(w.session, second, bid, {"T1": "30", "T2": "5", "C1": "10"})
    scoring.submit_sheet(w.session, second, bid)
    db.session.commit()
    html = client.get(f"/evaluations/{w.session.id}").get_data(as_text=True)
    assert "33.5" in html and f'data-testid="others-{bid.id}"' in html


def test_summary_and_clarifications_for_the_committee(client: Any) -> None:
    w = build_world("lowest_price", ["450000.00", "430000.00"])
    pass_all(w)
    clarifications.ask(
        w.session, w.members[1], w.bids[0], "请说明工期安排。", clock.now() + dt.timedelta(hours=2)
    )
    move(w, Phase.SUMMARY)
    html = _page(client, w.leader.user, f"/evaluations/{w.session.id}")
    assert 'data-testid="summary-table"' in html and 'data-testid="lock-summary"' in html
    assert "请说明工期安排。" in html and "等待投标人答复" in html
    assert 'data-testid="candidates"' in html


def test_bidder_answers_a_clarification_once_and_sees_nothing_else(client: Any) -> None:
    w = build_world("lowest_price", ["450000.00", "430000.00"])
    item = clarifications.ask(
        w.session, w.members[0], w.bids[0], "请说明报价构成。", clock.now() + dt.timedelta(hours=2)
    )
    db.session.commit()
    bidder = w.bidders[0]
    html = _page(client, bidder, "/evaluations/clarifications")
    assert "请说明报价构成。" in html and 'data-testid="answer-submit"' in html
    assert w.bids[1].supplier.name not in html and "评委" not in html
    clarifications.answer(item, bidder, "人工费占六成。")
    db.session.commit()
    html = client.get("/evaluations/clarifications").get_data(as_text=True)
    assert "人工费占六成。" in html and 'data-testid="answer-submit"' not in html
    client.get("/logout")
    html = _page(client, w.bidders[1], "/evaluations/clarifications")
    assert "请说明报价构成。" not in html
    client.get("/logout")
    _page(client, w.members[0].user, "/evaluations/clarifications", 403)


def test_the_live_fragment_and_the_english_page(client: Any) -> None:
    w = build()
    session = w.form()
    html = _page(client, w.host, f"/evaluations/{session.id}/live")
    assert "<html" not in html and 'data-testid="eval-steps"' in html
    html = client.get(f"/evaluations/{session.id}?lang=en").get_data(as_text=True)
    assert "Evaluation room" in html and "Check in" in html, html[html.find("<main") :][:1500]
    assert "签到后显示姓名" not in html


def test_the_menu_entries(client: Any) -> None:
    w = build()
    session = w.form()
    expert = next(m.user for m in active(session) if m.expert_id)
    assert "我的评标" in _page(client, expert, "/")
    client.get("/logout")
    assert "评标室" in _page(client, w.host, "/")
    client.get("/logout")
    assert "评标澄清" in _page(client, make_user(Role.SUPPLIER), "/")
