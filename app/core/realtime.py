"""Side effects after commit, and the event broker between web and the rooms process.

`after_commit(fn)` queues work on the current session; it runs only once the
transaction has committed, and is dropped on rollback. `emit(room, kind, payload)`
persists a RoomEvent in the transaction (the replayable log) and publishes it after
commit through the configured broker: in-process (one launcher process) or Redis pub/sub.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, UniqueConstraint, event, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core import clock
from app.core.db import Base, UTCDateTime
from app.core.extensions import db

log = logging.getLogger(__name__)
_QUEUE_KEY = "tenderhall_after_commit"


def after_commit(fn: Callable[[], Any]) -> None:
    db.session.info.setdefault(_QUEUE_KEY, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the transaction itself has not committed yet
    queue = session.info.pop(_QUEUE_KEY, [])
    for fn in queue:
        try:
            fn()
        except Exception:  # a failed notification must never undo a committed decision
            log.exception("after-commit task failed")


_MARKS_KEY = "tenderhall_after_commit_marks"


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: Any) -> None:
    # A savepoint remembers how much was queued before it, so that rolling it back drops
    # only what was queued inside it: the work of the enclosing transaction still runs.
    if transaction.nested:
        marks = session.info.setdefault(_MARKS_KEY, {})
        marks[id(transaction)] = len(session.info.get(_QUEUE_KEY, []))


@event.listens_for(Session, "after_transaction_end")
def _forget_savepoint(session: Session, transaction: Any) -> None:
    if transaction.nested:
        session.info.get(_MARKS_KEY, {}).pop(id(transaction), None)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        mark = session.info.get(_MARKS_KEY, {}).get(id(savepoint))
        queue = session.info.get(_QUEUE_KEY)
        if mark is not None and queue is not None:
            del queue[mark:]
        return
    session.info.pop(_QUEUE_KEY, None)
    session.info.pop(_MARKS_KEY, None)


class RoomEvent(Base):
    """Ordered, persisted events of a live room (opening hall, evaluation room)."""

    __tablename__ = "room_event"
    __table_args__ = (UniqueConstraint("room", "seq"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    room: Mapped[str] = mapped_column(String(80), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Broker:
    def publish(self, channel: str, message: dict[str, Any]) -> None:
        raise NotImplementedError

    def subscribe(self, callback: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
        raise NotImplementedError


class InProcessBroker(Broker):
    def __init__(self) -> None:
        self._subs: list[Callable[[str, dict[str, Any]], None]] = []
        self._lock = threading.Lock()

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        with self._lock:
            subs = list(self._subs)
        for cb in subs:
            cb(channel, message)

    def subscribe(self, callback: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
        with self._lock:
            self._subs.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subs:
                    self._subs.remove(callback)

        return unsubscribe


class RedisBroker(Broker):
    """Redis pub/sub. Channels are named after the Redis database of the URL, because
    pub/sub ignores databases: two deployments (or test runs) on one Redis server would
    otherwise hear each other's rooms, and a stranger's higher seq would make the rooms
    server skip our own events as already sent."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        database = self._redis.connection_pool.connection_kwargs.get("db", 0)
        self.prefix = f"tenderhall:{database}:room:"

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        self._redis.publish(f"{self.prefix}{channel}", json.dumps(message, ensure_ascii=False))

    def subscribe(self, callback: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        prefix = self.prefix

        def handler(msg: dict[str, Any]) -> None:
            try:
                message = json.loads(msg["data"])
                channel = msg["channel"].decode().removeprefix(prefix)
            except (ValueError, UnicodeDecodeError):
                log.warning("unreadable message on %r dropped", msg.get("channel"))
                return
            callback(channel, message)

        def keep_going(exc: BaseException, pubsub: Any, worker: Any) -> None:
            # Without a handler the worker thread dies on the first error (Redis
            # restarting, a callback failing) and the process hears nothing more. The
            # next read reconnects and subscribes again; what was published meanwhile is
            # sent from the room log by the rooms server's catch-up.
            log.warning("room events subscription: %s; resubscribing", exc)
            time.sleep(0.2)

        pubsub.psubscribe(**{f"{prefix}*": handler})
        thread = pubsub.run_in_thread(sleep_time=0.05, daemon=True, exception_handler=keep_going)

        def unsubscribe() -> None:
            # The worker closes the pubsub itself when it sees the flag; closing it here
            # too would pull the socket from under a read in progress.
            thread.stop()
            thread.join(timeout=2)

        return unsubscribe


_brokers: dict[str, Broker] = {}


def get_broker(redis_url: str | None) -> Broker:
    key = redis_url or "inprocess"
    if key not in _brokers:
        _brokers[key] = RedisBroker(redis_url) if redis_url else InProcessBroker()
    return _brokers[key]


def current_broker() -> Broker:
    from flask import current_app

    return get_broker(current_app.config.get("REDIS_URL"))


def emit(room: str, kind: str, payload: dict[str, Any]) -> RoomEvent:
    """Append to the room log now; publish after commit."""
    last = db.session.execute(
        select(func.max(RoomEvent.seq)).where(RoomEvent.room == room)
    ).scalar()
    ev = RoomEvent(
        room=room, seq=(last or 0) + 1, kind=kind, payload=payload, created_at=clock.now()
    )
    db.session.add(ev)
    db.session.flush()
    broker = current_broker()
    message = {
        "room": room,
        "seq": ev.seq,
        "kind": kind,
        "payload": payload,
        "at": ev.created_at.isoformat(),
    }
    after_commit(lambda: broker.publish(room, message))
    return ev
