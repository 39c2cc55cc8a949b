"""Celery tasks of the hazards app: thin, id-free sweeps that call services and are safe to run twice."""

from celery import shared_task

from hazards.services import acceptances


@shared_task(acks_late=True)
def acceptances_expire() -> int:
    """Mark risk acceptances past their expiry date as expired (each once) and tell the people concerned."""
    return acceptances.acceptances_expire()
