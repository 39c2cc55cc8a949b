"""Writes of the evaluations app: runs, endpoints and teams' own suites."""
