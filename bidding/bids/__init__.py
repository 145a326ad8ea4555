"""Sealed bids: upload, receipts, deadline freeze, opening."""
