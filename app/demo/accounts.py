"""The demo accounts: one shared password, a fixed TOTP secret each, and the printed list."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from config import BaseConfig

DEMO_PASSWORD = "TenderHall-2026"

# Demo accounts of the roles the platform requires a second factor of log in with one.
TWO_FACTOR_ROLES = BaseConfig.TWO_FACTOR_REQUIRED_ROLES


def demo_totp_secret(username: str) -> str:
    """A fixed, reproducible TOTP secret per demo account (never use outside the demo)."""
    digest = hashlib.sha256(f"tenderhall-demo:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _account(username: str, role: str, note: str) -> dict[str, Any]:
    return {
        "username": username,
        "password": DEMO_PASSWORD,
        "role": role,
        "totp_secret": demo_totp_secret(username) if role in TWO_FACTOR_ROLES else None,
        "note": note,
    }


# The accounts printed by `flask serve` and by the seed command.
DEMO_ACCOUNTS: list[dict[str, Any]] = [
    _account("admin", "admin", "平台管理员"),
    _account("wlcb_staff", "staff", "乌兰察布 · 代理机构经办人"),
    _account("wlcb_super", "supervisor", "乌兰察布 · 监督人员"),
    _account("my_staff", "staff", "绵阳 · 代理机构经办人"),
    _account("my_super", "supervisor", "绵阳 · 监督人员"),
    _account("wlcb_centre", "staff", "乌兰察布 · 交易中心工作人员（专家库）"),
    _account("my_centre", "staff", "绵阳 · 交易中心工作人员（专家库）"),
    _account("wlcb_buyer1", "purchaser", "乌兰察布 · 采购人经办人（采购计划备案）"),
    _account("wlcb_rep", "staff", "乌兰察布 · 业主代表（评标委员会成员）"),
    _account("expert001", "expert", "评标专家（共 64 位：expert001–expert064）"),
    _account("supplier01", "supplier", "供应商（supplier01–supplier24，一家企业一个账号）"),
    _account("wlcb_buyer", "purchaser", "乌兰察布 · 采购人（中介超市的服务需求）"),
    _account("wlcb_reviewer", "purchaser", "乌兰察布 · 采购单位评审代表（中介超市综合评审）"),
    _account("agency01", "intermediary", "中介机构（agency01–agency06，中介超市）"),
]
# Usernames of the expert accounts, for the expert pool to attach profiles to.
DEMO_EXPERTS: list[str] = [f"expert{n:03d}" for n in range(1, 65)]

# Opening-key custodians of the demo lots and their passphrases (demo only: real
# custodians type their own at the key ceremony and nobody else ever learns them).
CUSTODY_PASSPHRASES: dict[str, str] = {
    "wlcb_staff": "kaibiao-wlcb-staff",
    "wlcb_super": "kaibiao-wlcb-super",
    "wlcb_centre": "kaibiao-wlcb-centre",
}


def account_lines() -> list[str]:
    """The account list the seed prints: role, username and TOTP secret of each."""
    return [
        f"  {acc['role']:<12} {acc['username']:<12} TOTP {acc['totp_secret'] or '-'}"
        for acc in DEMO_ACCOUNTS
    ]


def signing_passphrase(username: str) -> str:
    """The passphrase a demo committee member wraps their report-signing key under (demo
    only: a real member chooses their own in the browser and the server never learns it)."""
    return f"qianming-{username}"
