"""Invited suppliers of a lot (邀请招标): chosen by written recommendation with reasons or by
a verifiable random draw from the centre's supplier library, sent an invitation letter;
only they obtain the documents and bid (`may_respond`, the one eligibility rule)."""
