"""The registry of evaluation methods (评标办法).

Registration is explicit and in one place, at the bottom of this module: a centre's
local method is one new module in this package plus one `register(...)` line here.
"""

from __future__ import annotations

from remote_eval.methods.average_base import AverageBase
from remote_eval.methods.base import (
    CANDIDATES,
    BidderInput,
    BidderResult,
    Evaluation,
    EvaluationMethod,
    PriceOutcome,
)
from remote_eval.methods.comprehensive import Comprehensive
from remote_eval.methods.lowest_price import LowestPrice
from remote_eval.methods.reasonable_lowest import ReasonableLowest

__all__ = [
    "CANDIDATES",
    "BidderInput",
    "BidderResult",
    "Evaluation",
    "EvaluationMethod",
    "PriceOutcome",
    "all_methods",
    "find",
    "get",
    "register",
]

_REGISTRY: dict[str, EvaluationMethod] = {}


def register(method_cls: type[EvaluationMethod]) -> type[EvaluationMethod]:
    """Add a method; a second method with the same code is a programming error."""
    if method_cls.code in _REGISTRY:
        raise ValueError(f"evaluation method {method_cls.code!r} is already registered")
    _REGISTRY[method_cls.code] = method_cls()
    return method_cls


def find(code: str) -> EvaluationMethod | None:
    return _REGISTRY.get(code)


def get(code: str) -> EvaluationMethod:
    """The method for a code; KeyError for an unknown one (schemes are validated first)."""
    return _REGISTRY[code]


def all_methods() -> list[EvaluationMethod]:
    """Every method, in registration order (the order the scheme form offers them)."""
    return list(_REGISTRY.values())


# The methods this deployment offers, in the order the scheme form lists them.

register(LowestPrice)
register(Comprehensive)
register(ReasonableLowest)
register(AverageBase)
