"""Enqueueing Celery tasks after the transaction commits, without letting a broker outage break a request."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Like `task.delay_on_commit`, but a broker that is down is logged instead of raised.

    The change has already committed when this runs; failing the request then would tell the user
    their save failed when it did not. Every task enqueued here has a periodic sweep that finds
    the work still undone in the database and queues it again.
    """

    def send() -> None:
        try:
            task.delay(*args, **kwargs)
        except Exception:
            logger.warning("Could not queue %s%r; the periodic sweep will retry it.", task.name, args, exc_info=True)

    transaction.on_commit(send)
