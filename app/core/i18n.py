"""Marking messages that are translated later, through a variable."""


def N_(message: str) -> str:  # noqa: N802  (babel's default keyword for deferred messages)
    """Return the message unchanged; extraction sees it, the caller translates it with _()."""
    return message
