"""Prequalification (资格预审) of a lot: the notice and its two clocks, applications
uploaded, hashed and receipted, the committee's verdicts and majority, pass and fail
notices, and the passed applicants as the lot's invitees."""
