"""Audit action names of service ratings (好差评)."""

RATED = "rating.given"
DEFAULTED = "rating.defaulted"
FOLLOW_UP_ANSWERED = "rating.follow_up_answered"
FOLLOW_UP_CLOSED = "rating.follow_up_closed"
