"""Embedded reference: codes, CRS, geography (COG 2025), specialties. No user file."""
