"""Tender documents, downloads, clarifications (澄清/更正), Q&A (答疑) and objections (异议)."""
