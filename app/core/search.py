"""Chinese full-text search that works for two-character words, on SQLite and PostgreSQL.

Text is cut into overlapping character bigrams (and whole ASCII words); each distinct
term is stored once per document. A query of n characters matches a document holding
all of its bigrams; single characters fall back to the unigram terms also stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Integer, PrimaryKeyConstraint, Select, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.extensions import db

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z0-9]+")


class SearchTerm(Base):
    __tablename__ = "search_term"
    __table_args__ = (PrimaryKeyConstraint("kind", "term", "doc_id"),)
    kind: Mapped[str] = mapped_column(String(20))
    term: Mapped[str] = mapped_column(String(40))
    doc_id: Mapped[int] = mapped_column(Integer, index=True)


def terms(text: str) -> set[str]:
    out: set[str] = set()
    for run in _CJK.findall(text or ""):
        out.update(run)  # unigrams, for one-character queries
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(w.lower()[:40] for w in _WORD.findall(text or ""))
    return out


def query_terms(query: str) -> set[str]:
    out: set[str] = set()
    for run in _CJK.findall(query or ""):
        if len(run) == 1:
            out.add(run)
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(w.lower()[:40] for w in _WORD.findall(query or ""))
    return out


def index(kind: str, doc_id: int, *texts: str) -> None:
    """(Re)index one document in the current transaction."""
    db.session.execute(
        delete(SearchTerm).where(SearchTerm.kind == kind, SearchTerm.doc_id == doc_id)
    )
    all_terms: set[str] = set()
    for t in texts:
        all_terms |= terms(t)
    if all_terms:
        db.session.execute(
            SearchTerm.__table__.insert(),
            [{"kind": kind, "term": t, "doc_id": doc_id} for t in sorted(all_terms)],
        )


def matching_ids(kind: str, query: str) -> Select[tuple[int]] | None:
    """A subquery of doc ids holding every term of the query, or None for an empty query."""
    qterms = query_terms(query)
    if not qterms:
        return None
    if len(qterms) == 1:
        # The common two-character query: one range of the primary key, no grouping.
        return select(SearchTerm.doc_id).where(
            SearchTerm.kind == kind, SearchTerm.term == next(iter(qterms))
        )
    return (
        select(SearchTerm.doc_id)
        .where(SearchTerm.kind == kind, SearchTerm.term.in_(sorted(qterms)))
        .group_by(SearchTerm.doc_id)
        .having(func.count() == len(qterms))
    )


def remove(kind: str, doc_ids: Iterable[int]) -> None:
    db.session.execute(
        delete(SearchTerm).where(SearchTerm.kind == kind, SearchTerm.doc_id.in_(list(doc_ids)))
    )
