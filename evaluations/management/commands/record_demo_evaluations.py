"""Run the demo's simulated completions in the sandbox and record their outcomes in evaluations/demo_data/."""

from django.core.management.base import BaseCommand, CommandError

from evaluations import demo, sandbox, tasksets


class Command(BaseCommand):
    help = "Record the sandbox outcomes of the demo's simulated completions (run after changing a suite)."

    def handle(self, *args, **options):
        ready, message = sandbox.available()
        if not ready:
            raise CommandError(message)
        for spec in demo.DEMO_RUNS:
            tasks = tasksets.builtin_tasks(
                spec.suite_key, version=spec.version, seed=spec.seed, tasks_per_level=spec.tasks_per_level
            )
            samples = demo.completions(spec, tasks)
            outcomes = sandbox.run_samples([(task, completion) for task, _, completion in samples])
            demo.record(
                spec,
                {
                    f"{task.task_id}#{index}": [result.outcome, result.detail, result.duration_ms]
                    for (task, index, _), result in zip(samples, outcomes, strict=True)
                },
            )
            self.stdout.write(f"{spec.file.name}: {len(samples)} samples recorded.")
