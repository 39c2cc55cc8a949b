"""Projects, members and roles, assessments, workflow and sign-off, audit, notifications and jobs."""
