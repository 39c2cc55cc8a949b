"""Browser views of the hazards app (dashboard, assessment workspace, scenarios, mitigations, catalogue)."""
