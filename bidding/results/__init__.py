"""The result stages of a lot: from the signed evaluation report to the filed contract.

`handoff` receives the report, `publicity` publishes the candidates, `filings` keeps
objections (异议), challenges (质疑) and complaints (投诉), `award` confirms the winner and
issues the notices, `contracts` files the contract and its amendments; `jobs` watches
their deadlines.
"""
