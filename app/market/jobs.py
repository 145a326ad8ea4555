"""Scheduled sweeps: close auctions on the server clock; list types by qualification validity."""

from __future__ import annotations

from app.market import agencies, auction


def close_auctions() -> None:
    auction.close_due()


def qualification_validity() -> None:
    agencies.sweep_validity()
