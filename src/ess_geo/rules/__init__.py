"""The ESS rules: pure functions returning evidence, and check_territory."""
