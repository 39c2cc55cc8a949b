"""Hazard scenarios, consequences, mitigations, risk acceptances, risk matrices and the catalogue."""
