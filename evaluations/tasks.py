"""Celery tasks of the evaluations app: thin and id-based; the work resumes safely when delivered twice."""

from celery import shared_task

from evaluations.services import execution, runs

# A full chained run (2,600 samples) takes a few minutes in the sandbox; an endpoint run may take much
# longer, so the hard limit is generous and the run resumes from what it saved if it is ever hit.
RUN_SOFT_TIME_LIMIT = 50 * 60
RUN_TIME_LIMIT = 55 * 60


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=RUN_SOFT_TIME_LIMIT, time_limit=RUN_TIME_LIMIT)
def evaluations_run(run_id: int) -> str:
    return execution.run_execute(run_id=run_id)


@shared_task(acks_late=True)
def evaluations_requeue_stuck() -> int:
    return runs.run_requeue_stuck()
