"""The hazards app's REST API resources, built on the framework in assessments/rest."""
