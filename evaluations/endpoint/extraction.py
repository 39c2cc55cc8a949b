"""From a chat model's answer to a HumanEval completion: the text that, appended to the task's prompt, makes
the program the sandbox runs.

The code is the answer's first fenced block that defines the entry point, else its first Python (or untagged)
block, else its first block; the whole answer when it has no fence. Code that (re)defines the entry
point becomes a completion after a blank line: the prompt is itself a valid function (signature and docstring),
so the later definition replaces it and the answer's own imports and helpers come along. Anything else is the
function's body, indented like the prompt's docstring if the model wrote it flush left.
"""

import re
import textwrap

from evaluations.suites.base import EvalTask

# An opening fence: three or more backticks or tildes, an optional info string (the language).
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
# Reasoning models put their thinking in the answer; it is not the code and may hold code-like drafts.
_THINKING = re.compile(r"<think(?:ing)?>.*?</think(?:ing)?>", re.DOTALL | re.IGNORECASE)
_PYTHON_TAGS = {"", "python", "python3", "py", "py3"}


def _blocks(text: str) -> list[tuple[str, str]]:
    """(language, code) of every fenced block; an unclosed last block (an answer cut at max_tokens) counts."""
    blocks, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, body = opening["fence"], []
        language = opening["info"].strip().split(" ", 1)[0].lower() if opening["info"].strip() else ""
        i += 1
        while i < len(lines):
            line = lines[i]
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                break
            body.append(line)
            i += 1
        blocks.append((language, textwrap.dedent("\n".join(body))))
        i += 1
    return blocks


def _defines(code: str, name: str) -> bool:
    return re.search(rf"^(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(", code, re.MULTILINE) is not None


def extract_code(answer: str, entry_point: str) -> str:
    """The code in a chat answer, line endings normalised, thinking removed."""
    text = _THINKING.sub("", answer.replace("\r\n", "\n").replace("\r", "\n"))
    blocks = _blocks(text)
    if not blocks:
        return textwrap.dedent(text).strip("\n")
    defining = [code for _, code in blocks if _defines(code, entry_point)]
    if defining:
        return defining[0].strip("\n")
    python = [code for language, code in blocks if language in _PYTHON_TAGS]
    return (python or [blocks[0][1]])[0].strip("\n")


def _body_indent(prompt: str) -> str:
    """The indentation of the prompt's last line (its docstring's closing quotes), four spaces by default."""
    for line in reversed(prompt.split("\n")):
        if line.strip():
            indent = line[: len(line) - len(line.lstrip())]
            return indent or "    "
    return "    "


def completion_from_answer(answer: str, task: EvalTask) -> str:
    """The HumanEval completion a chat answer gives for this task."""
    code = extract_code(answer, task.entry_point)
    if not code.strip():
        return ""
    if _defines(code, task.entry_point):
        return "\n\n" + code + "\n"
    indents = [len(line) - len(line.lstrip()) for line in code.split("\n") if line.strip()]
    if min(indents) == 0:
        code = textwrap.indent(code, _body_indent(task.prompt))
    # The body starts on a line of its own even if the prompt does not end with a newline.
    lead = "" if task.prompt.endswith("\n") else "\n"
    return lead + code + "\n"
