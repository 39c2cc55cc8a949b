"""REST API of evaluations: runs and their results, model endpoints, suites; citations live in hazards.rest."""
