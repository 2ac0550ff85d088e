"""Coverage, proposals, outreach, access: result objects built on the rules."""
