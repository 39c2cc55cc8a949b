"""Daily reminders: who has what to do (rules.py), gathered into one digest per person per day (digests.py)."""
