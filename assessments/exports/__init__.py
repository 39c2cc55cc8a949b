"""Exports of an assessment (PDF, XLSX, CSV, JSON), built by a Celery worker from one export document."""
