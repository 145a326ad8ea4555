"""Scheduled sweeps: close auctions and open sealed quotes on the server clock; list types
by qualification validity."""

from __future__ import annotations

from app.market import agencies, auction, sealed


def close_auctions() -> None:
    auction.close_due()


def open_sealed_quotes() -> None:
    sealed.open_due()


def qualification_validity() -> None:
    agencies.sweep_validity()
