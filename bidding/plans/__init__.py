"""Procurement plan filing (采购计划备案): a purchaser's budgeted need, filed as plan lines
with the supervising finance office before any intent or notice; projects draw on them."""
