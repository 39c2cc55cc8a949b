"""Evidence files and links on scenarios and mitigations: their limits, content checks and storage."""
