"""API viewsets of the assessments app, one module per resource family."""
