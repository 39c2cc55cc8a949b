"""Browser views of evaluations: runs, their results and tasks, endpoints and teams' own suites."""
