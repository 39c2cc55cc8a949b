"""Completions for a run's tasks from its endpoint: a bounded pool of requests in flight, progress and
cancellation between requests, per-sample results or a per-task failure once retries are exhausted.

The caller (the run's Celery task) owns the database: `should_cancel` and `progress` are only ever called from
the thread that iterates `generate()`, never from the request threads, which touch nothing but HTTP.
"""

import concurrent.futures as cf
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from evaluations.endpoint import extraction, prompting
from evaluations.endpoint.client import Answer, ChatClient, ClientSettings, EndpointConfig
from evaluations.endpoint.errors import (
    ApiKeyRefused,
    CancelledByRun,
    EndpointError,
    EndpointMisconfigured,
    EndpointUnavailable,
    RequestRefused,
)
from evaluations.endpoint.secrets import Secret, decrypt_secret
from evaluations.suites.base import EvalTask

__all__ = ["EndpointError", "GeneratedSample", "TaskFailed", "endpoint_config", "generate", "wanted_samples"]

logger = logging.getLogger(__name__)

# While every request in flight is slow, the cancel check still runs this often.
CANCEL_POLL_SECONDS = 1.0
# This many tasks failing one after another (after their retries) means the endpoint is down: stop the run.
GIVE_UP_AFTER_FAILED_TASKS = 3
# Refusals that say the endpoint's settings are wrong: every other task would be refused the same way.
_FATAL = (ApiKeyRefused, EndpointMisconfigured)
_FATAL_STATUSES = frozenset({404})


@dataclass(frozen=True)
class GeneratedSample:
    """One sample's completion, with the model's answer it was taken from."""

    task_id: str
    index: int
    completion: str
    answer: str
    finish_reason: str


@dataclass(frozen=True)
class TaskFailed:
    """The endpoint gave no answers for these samples of a task; `error`'s text is safe to record."""

    task_id: str
    indices: tuple[int, ...]
    error: EndpointError

    @property
    def message(self) -> str:
        return str(self.error)


def wanted_samples(tasks: Iterable[EvalTask], samples_per_task: int) -> list[tuple[EvalTask, int]]:
    """Every (task, sample index) of a run that has no completion yet."""
    return [(task, index) for task in tasks for index in range(samples_per_task)]


def endpoint_config(endpoint) -> EndpointConfig:
    """The request settings of a stored endpoint (anything with base_url, model, temperature, max_tokens and
    api_key_encrypted), its key decrypted into a Secret; SecretUnreadable if the key cannot be decrypted."""
    if isinstance(endpoint, EndpointConfig):
        return endpoint
    token = endpoint.api_key_encrypted
    return EndpointConfig(
        base_url=endpoint.base_url,
        model=endpoint.model,
        temperature=float(endpoint.temperature),
        max_tokens=int(endpoint.max_tokens),
        api_key=Secret(decrypt_secret(token)) if token else None,
    )


def _is_fatal(error: EndpointError) -> bool:
    if isinstance(error, _FATAL):
        return True
    # A redirect (status < 400) or a 404 means the base URL or model is wrong for every task alike.
    return isinstance(error, RequestRefused) and (
        error.status_code in _FATAL_STATUSES or (error.status_code or 0) < 400
    )


def _ask(client: ChatClient, task: EvalTask, count: int) -> list[Answer]:
    return client.samples(prompting.messages_for(task), count)


def _close_when_idle(executor: cf.ThreadPoolExecutor, client: ChatClient) -> None:
    executor.shutdown(wait=True)
    client.close()


def generate(
    *,
    endpoint,
    wanted: Iterable[tuple[EvalTask, int]],
    should_cancel: Callable[[], bool] = lambda: False,
    progress: Callable[[int, int], None] | None = None,
    options: ClientSettings | None = None,
    give_up_after: int = GIVE_UP_AFTER_FAILED_TASKS,
) -> Iterator[GeneratedSample | TaskFailed]:
    """Ask the endpoint for every wanted (task, sample index), yielding results as requests finish.

    Yields a GeneratedSample per sample, or a TaskFailed for a task whose requests kept failing (or that the
    endpoint refused, e.g. a prompt too long for the model). Raises an EndpointError that stops the run when
    the endpoint's settings are wrong (key refused, no such URL or model, base URL not allowed, unreadable key)
    or after `give_up_after` tasks failed in a row. Returns early, quietly, once `should_cancel()` is true.
    """
    options = options or ClientSettings.from_django()
    config = endpoint_config(endpoint)
    groups: dict[str, tuple[EvalTask, list[int]]] = {}
    for task, index in wanted:
        groups.setdefault(task.task_id, (task, []))[1].append(index)
    total = sum(len(indices) for _, indices in groups.values())
    logger.info(
        "Asking model endpoint %s (%s) for %d samples of %d tasks, %d requests at a time.",
        config.base_url,
        config.model,
        total,
        len(groups),
        options.concurrency,
    )
    cancelled = threading.Event()
    client = ChatClient(config, options, cancelled=cancelled)
    executor = cf.ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="endpoint-request")
    queue = iter(groups.values())
    pending: dict[cf.Future, tuple[EvalTask, list[int]]] = {}
    done = failed_in_row = 0
    try:
        while True:
            if should_cancel():
                logger.info("Run cancelled: %d of %d samples asked for were answered or failed.", done, total)
                return
            while len(pending) < options.concurrency and (item := next(queue, None)) is not None:
                pending[executor.submit(_ask, client, item[0], len(item[1]))] = item
            if not pending:
                return
            finished, _ = cf.wait(pending, timeout=CANCEL_POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
            if not finished:
                continue
            # One finished request per turn, so the cancel check runs between any two of them.
            future = next(iter(finished))
            task, indices = pending.pop(future)
            try:
                answers = future.result()
            except CancelledByRun:
                continue
            except EndpointError as exc:
                if _is_fatal(exc):
                    raise
                failed_in_row += 1
                done += len(indices)
                yield TaskFailed(task_id=task.task_id, indices=tuple(indices), error=exc)
                if progress:
                    progress(done, total)
                if failed_in_row >= give_up_after:
                    raise EndpointUnavailable(
                        f"The endpoint failed {failed_in_row} tasks in a row, each after its retries; the last: "
                        f"{exc.message}",
                        status_code=exc.status_code,
                    ) from None
                continue
            failed_in_row = 0
            for index, answer in zip(indices, answers, strict=True):
                yield GeneratedSample(
                    task_id=task.task_id,
                    index=index,
                    completion=extraction.completion_from_answer(answer.text, task),
                    answer=answer.text,
                    finish_reason=answer.finish_reason,
                )
            done += len(indices)
            if progress:
                progress(done, total)
    finally:
        # Stops retry waits at once; requests already on the wire end within their read timeout.
        cancelled.set()
        if pending:
            executor.shutdown(wait=False, cancel_futures=True)
            threading.Thread(target=_close_when_idle, args=(executor, client), daemon=True).start()
        else:
            _close_when_idle(executor, client)
