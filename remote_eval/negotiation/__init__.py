"""竞争性谈判 and 竞争性磋商 in rounds: the evaluation room's committee, as the negotiation
group, meets each supplier separately, collects sealed quotes round by round, amends the
requirements between rounds, drops suppliers with a reason and ends with a sealed final
quote (最后报价), which is the price the room then evaluates."""
