"""Settings classes chosen by TENDERHALL_ENV, overridden by TENDERHALL_* variables.

Every value a centre may tune (legal clocks, limits) lives here or in the centre's own
settings row, never as a literal in a rule.
"""

from __future__ import annotations

import json
import os
import typing
from typing import Any

DEFAULT_SECRET = "dev-insecure-secret-key-change-me"


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = DEFAULT_SECRET
    DATABASE_URL: str | None = None  # None → SQLite file in the instance folder
    REDIS_URL: str | None = None
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # CSRF is enforced by our own hook so that bearer-token API calls are exempt.
    WTF_CSRF_CHECK_DEFAULT = False

    # Login protection
    LOGIN_RATE_LIMIT = "10 per minute"
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    RATELIMIT_ENABLED = True

    # Localisation
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    DISPLAY_TIMEZONE = "Asia/Shanghai"

    # Uploads
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
    ALLOWED_DOCUMENT_EXTENSIONS = ("pdf", "zip", "doc", "docx", "xls", "xlsx", "rar", "7z", "txt")
    STORAGE_DIR: str | None = None  # None → instance/storage
    # JSON bodies are checked before any parser sees them (app.core.json_limits): deeper
    # nesting would exhaust the parser's recursion, and no form of the API needs either.
    JSON_MAX_BYTES = 2 * 1024 * 1024
    JSON_MAX_DEPTH = 64

    # Mail: "mailbox" writes RFC 5322 messages to a local mbox file; "smtp" sends.
    MAIL_BACKEND = "mailbox"
    MAIL_MBOX_PATH: str | None = None  # None → instance/mailbox.mbox
    MAIL_SMTP_HOST = "127.0.0.1"
    MAIL_SMTP_PORT = 25
    MAIL_SMTP_USER: str | None = None
    MAIL_SMTP_PASSWORD: str | None = None
    MAIL_SMTP_STARTTLS = False
    MAIL_FROM = "Tender Hall <noreply@tenderhall.local>"

    # OCDS
    OCDS_PREFIX = "ocds-th0001"
    OCDS_PUBLISHER = "Tender Hall"

    # Legal clocks (defaults; centres may override per method in their settings)
    BID_PERIOD_MIN_DAYS = 20
    BID_PERIOD_MIN_DAYS_BY_METHOD = {
        "open": 20,
        "invited": 20,
        "negotiation": 3,
        "consultation": 10,
        "inquiry": 3,
        "single_source": 5,
    }
    CLARIFICATION_MIN_DAYS = 15
    # 公开招标数额标准: at or above it, a method other than open tendering needs the finance
    # office's approval (a centre's "open_tender_threshold" setting wins)
    OPEN_TENDER_THRESHOLD = "4000000"
    DOCUMENT_WINDOW_MIN_WORKING_DAYS = 5
    # 资格预审 (招标投标法实施条例 第十六条、第十七条): documents on offer ≥ 5 days;
    # applications due ≥ 5 days after the offer closes
    PREQUAL_OFFER_MIN_DAYS = 5
    PREQUAL_APPLICATION_MIN_DAYS = 5
    OBJECTION_LAST_DAYS_BEFORE_DEADLINE = 10
    OBJECTION_ANSWER_DAYS = 3
    # Result stages (bidding.clocks.result_period_days; centres override per method)
    PUBLICITY_WITHIN_DAYS = 3  # publish the candidates within … days of the signed report
    PUBLICITY_MIN_DAYS = 3  # … for at least … days
    RESULT_OBJECTION_ANSWER_DAYS = 3
    CHALLENGE_WORKING_DAYS = 7  # 质疑, government procurement, after the result
    CHALLENGE_ANSWER_WORKING_DAYS = 7
    COMPLAINT_WORKING_DAYS = 15  # 投诉 after the answer (government procurement)
    COMPLAINT_DAYS_TENDERING = 10  # 投诉 after the answer (tendering law, calendar days)
    COMPLAINT_DECISION_WORKING_DAYS = 30
    CONTRACT_FILING_DAYS = 30
    CONTRACT_NOTICE_WORKING_DAYS = 2
    RESULT_REMIND_HOURS = 24  # remind the answerer this long before a filing falls due
    RESULT_SWEEP_SECONDS = 300
    ARCHIVE_RETENTION_YEARS = 15
    ARCHIVE_SWEEP_SECONDS = 600
    ARCHIVE_RETENTION_YEARS_BY_CATEGORY: dict[str, int] = {}
    # Supervision (app/supervision): the rules sweep, a rule's time budget, warning steps
    SUPERVISION_SWEEP_SECONDS = 600
    # A lot's bid rules run once per this many seconds of a surge, after the bids commit
    # (app/supervision/bursts.py); 0 runs them inline in each bid's transaction.
    SUPERVISION_BURST_SECONDS = 2.0
    SUPERVISION_RULE_TIME_FACTOR = 10  # a rule over this many times its usual time is stopped
    SUPERVISION_RULE_MIN_SECONDS = 5.0  # the least budget, and a new rule's budget
    SUPERVISION_SEND_HOURS = 48  # a warning found → the supervisor sends it
    SUPERVISION_ANSWER_HOURS = 72  # sent → the responsible staff member answers
    SUPERVISION_READ_HOURS = 48  # answered → the supervisor reads the answer
    SUPERVISION_CLOSE_HOURS = 48  # read → closed
    SUPERVISION_ESCALATE_HOURS = 24  # an escalated warning's new answer time
    # Thresholds of the rules that look across lots (app/supervision/rules/)
    SUPERVISION_WINDOW_DAYS = 365  # how far back the cross-lot rules look
    SUPERVISION_MEETING_MIN_LOTS = 3  # the same bidders together in this many lots of one purchaser
    SUPERVISION_MEETING_SHARE = 0.75  # …and in this share of the lots either of them entered
    SUPERVISION_WINNER_SHARE = 0.5  # one winner's share of a purchaser's awards above this…
    SUPERVISION_WINNER_MIN_AWARDS = 5  # …once the purchaser has made this many awards
    SUPERVISION_BLOC_CORRELATION = 0.8  # two members' score deviations correlated above this…
    SUPERVISION_BLOC_MIN_LOTS = 3  # …across at least this many shared lots
    SUPERVISION_DECLINE_SHARE = 0.6  # an expert's declines on one purchaser/agency above this…
    SUPERVISION_DECLINE_MIN = 3  # …and at least this many of them
    SUPERVISION_LOT_DECLINES = 5  # this many experts declining one lot
    TWO_FACTOR_REQUIRED_ROLES = ("staff", "expert", "supervisor", "admin")

    # Realtime rooms
    ROOMS_HOST = "127.0.0.1"
    # None → beside the web port in `flask serve` (web + 1), else 5001 (app.core.rooms.rooms_port)
    ROOMS_PORT: int | None = None
    ROOMS_PUBLIC_URL: str | None = None  # None → ws(s)://<the page's host>:<rooms port>/
    ROOM_TOKEN_TTL_SECONDS = 300
    # How often the rooms process compares each room's log with what its connections were
    # sent, and sends what a lost publish left out (remote_eval.ws.RoomServer.catch_up).
    ROOMS_CATCH_UP_SECONDS = 1.0

    SCHEDULER_ENABLED = True
    SCHEDULER_TICK_SECONDS = 30

    # Sealed bids and the opening hall
    OPENING_KEY_THRESHOLD = 2  # k of the k-of-n opening key custody
    OPENING_KEY_CUSTODIANS = 3  # default n offered by the key ceremony form
    CUSTODIAN_PASSPHRASE_MIN_LENGTH = 10
    CUSTODY_SCRYPT_N = 0  # 0 → app.core.crypto's default cost
    MIN_BIDS_TO_OPEN = 3  # fewer bids at the deadline → 流标
    BID_CHUNK_MAX_BYTES = 8 * 1024 * 1024
    OPENING_SIGNIN_BEFORE_MINUTES = 30
    OPENING_SIGNIN_AFTER_MINUTES = 60
    BID_DEADLINE_SWEEP_SECONDS = 15
    # Plaintext file hashes after the prices are read (bidding/bids/file_hashes.py): a
    # thread started when the ceremony commits, and a sweep that finishes what a crash left.
    BID_FILES_CHECK_THREAD = True
    BID_FILES_CHECK_SWEEP_SECONDS = 15

    # Bid bonds: the centre's bond account (a centre's "bond_account" setting wins),
    # sub-account numbers, the bank's signed notices and refunds
    BOND_ACCOUNT_NAME = ""  # "" → the centre's name
    BOND_ACCOUNT_BANK = "中国工商银行股份有限公司"
    BOND_ACCOUNT_NUMBER = "0602 0000 0920 0000 000"
    BOND_SUB_ACCOUNT_PREFIX = ""  # "" → the centre's region code
    BOND_STATEMENT_MAX_ROWS = 5000
    BANK_NOTICE_MAX_SKEW_SECONDS = 300
    BOND_REFUND_DAYS = 5  # 民法典 periods: from the day after the award / contract
    BOND_REFUND_SWEEP_SECONDS = 3600

    # Expert draws (centres override the cap in their settings as "max_sittings_per_purchaser")
    EXPERT_DRAW_WINDOW_HOURS = 24  # a draw may run at most this long before the evaluation
    EXPERT_MIN_RESERVES = 2
    EXPERT_ANSWER_HOURS = 2  # time an invited expert has to answer
    EXPERT_MAX_SITTINGS_PER_PURCHASER = 3  # per rolling 12 months
    EXPERT_AVOID_PAST_YEARS = 3
    EXPERT_SIGNIN_EARLY_MINUTES = 60
    EXPERT_REVEAL_AFTER_HOURS = 24
    EXPERT_INVITATION_SWEEP_SECONDS = 60
    EXPERT_REVEAL_SWEEP_SECONDS = 600
    EXPERT_FEE_HALF_DAY = 400  # yuan per started half day when a centre published no standard
    EXPERT_SMS_BACKEND = "log"  # "log" appends to EXPERT_SMS_LOG_PATH
    EXPERT_SMS_LOG_PATH: str | None = None  # None → instance/sms.log

    # Evaluation rooms and assistance between centres (remote_eval/venues)
    VENUE_SLOT_MINUTES = 30  # bookings hold seats in slots of this length
    VENUE_MAX_BOOKING_HOURS = 12
    VENUE_ASSISTANCE_ANSWER_HOURS = 24  # default time the other centre has to answer
    VENUE_ASSISTANCE_SWEEP_SECONDS = 300
    VENUE_HEARTBEAT_TIMEOUT_SECONDS = 60  # a venue silent this long is marked dropped
    VENUE_HEARTBEAT_SWEEP_SECONDS = 20
    EVAL_START_DECISION_HOURS = 2  # not started this long after its time: purchaser decides
    VENUE_HANDOVER_WORKING_DAYS = 5  # secondary venues hand their records over within
    EVAL_BREAK_SEAL_HOURS = 4  # an evaluation broken off this long is sealed
    EVAL_FAULT_SWEEP_SECONDS = 300
    # Venue video (WebRTC): the browsers' ICE servers, e.g. [{"urls": "stun:stun.example.cn:3478"},
    # {"urls": "turn:turn.example.cn:3478", "username": "...", "credential": "..."}] for coturn;
    # empty on one machine or one LAN, where host candidates connect directly.
    ICE_SERVERS: list[dict[str, object]] = []
    VENUE_RECORDING_MAX_BYTES = 8 * 1024**3  # one venue's recording of one session
    VENUE_RECORDING_CHUNK_MAX_BYTES = 16 * 1024**2
    # A recording whose terminal sent nothing for this long (closed browser, lost
    # terminal) is closed as interrupted, keeping what arrived.
    VENUE_RECORDING_IDLE_MINUTES = 60

    # flask-smorest / OpenAPI
    API_TITLE = "Tender Hall API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            }
        },
        "security": [{"bearerAuth": []}],
    }


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    DEBUG = False


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = True
    SCHEDULER_ENABLED = False
    # Tests run the file-hash pass explicitly (or switch the thread on) so that no
    # background writer races their assertions.
    BID_FILES_CHECK_THREAD = False
    SUPERVISION_BURST_SECONDS = 0  # likewise: bid rules inline (tests/supervision covers both)
    RATELIMIT_ENABLED = True
    SECRET_KEY = "testing-secret-key"


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    MAIL_BACKEND = "smtp"


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def _coerce(raw: str, current: Any, hint: Any = None) -> Any:
    if current is None and hint is not None and int in typing.get_args(hint):
        # `int | None` settings whose default is None (e.g. ROOMS_PORT) still arrive as ints.
        return int(raw) if raw.strip() else None
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, (dict, list, tuple)):
        value = json.loads(raw)
        return tuple(value) if isinstance(current, tuple) else value
    return raw


def load_config(env: str | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Collect settings: class defaults, then TENDERHALL_* environment, then explicit overrides."""
    name = env or os.environ.get("TENDERHALL_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"TENDERHALL_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    cls = CONFIGS[name]
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    hints = typing.get_type_hints(cls)
    for key, raw in os.environ.items():
        if key.startswith("TENDERHALL_") and key != "TENDERHALL_ENV":
            name_ = key.removeprefix("TENDERHALL_")
            settings[name_] = _coerce(raw, settings.get(name_), hints.get(name_))
    if overrides:
        settings.update(overrides)
    if settings["ENV_NAME"] == "production" and settings["SECRET_KEY"] == DEFAULT_SECRET:
        raise RuntimeError(
            "Production refuses to start with the default secret key: set TENDERHALL_SECRET_KEY"
        )
    return settings
