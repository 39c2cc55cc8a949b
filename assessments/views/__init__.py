"""Browser views of the assessments app (projects, members, notifications, sign-off), one module per page."""
