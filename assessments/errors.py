"""Domain errors raised by services; the web views and the API map each to one response."""

from typing import Any


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """Bad input, with messages per field ("__all__" for the whole object)."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in errors.items()))


class StaleVersion(DomainError):
    """Someone else saved first; nothing was written. Carries the current object to show both versions."""

    code = "stale_version"

    def __init__(self, current: Any, expected_version: int):
        self.current = current
        self.expected_version = expected_version
        super().__init__(
            f"{current} was changed by someone else (it is now at version {current.version}, "
            f"you edited version {expected_version}). Nothing was saved."
        )


class InvalidTransition(DomainError):
    """A workflow transition that the table or a guard does not allow, with the reason."""

    code = "invalid_transition"


class ContentFrozen(DomainError):
    """A write to an assessment whose status does not allow content changes."""

    code = "content_frozen"


class StorageUnavailable(DomainError):
    """The file store could not keep an upload's bytes; nothing was saved."""

    code = "storage_unavailable"


class QueueUnavailable(DomainError):
    """The job queue (Redis) could not take a task; the work is recorded and will be queued again."""

    code = "queue_unavailable"

    def __init__(self, message: str, job: Any = None):
        super().__init__(message)
        self.job = job
