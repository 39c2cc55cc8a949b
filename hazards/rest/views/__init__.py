"""API viewsets of the hazards app, one module per resource family."""
