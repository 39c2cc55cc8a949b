"""What a chat model is asked for one HumanEval-style task (the answer is read by `extraction`)."""

from evaluations.suites.base import EvalTask

SYSTEM = "You are an expert Python programmer. You write correct, complete, self-contained code."
INSTRUCTION = (
    "Complete the following Python function. Reply with the whole function, signature included, in one "
    "```python code block; keep any imports it needs and add no tests, examples or explanations."
)


def messages_for(task: EvalTask) -> list[dict]:
    """The chat messages for one task: the instruction, then the task's prompt as a fenced block."""
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"{INSTRUCTION}\n\n```python\n{task.prompt.rstrip()}\n```"},
    ]
