"""Tender Hall ground floor: database, auth, audit, crypto, storage, clock."""
