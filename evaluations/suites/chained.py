"""The chained string-manipulation suite (framework §5, the Codex experiment): 13 one-line building blocks.

A task of n steps is a function whose docstring lists n blocks in order; its reference joins the blocks'
one-line implementations. Blocks are drawn with a generator seeded by (version, seed, level, index), and the
hidden tests compare the candidate with the reference on random strings drawn from the same seed, their
expected outputs computed at generation time and written into the test as literals. A suite version and a
seed therefore name exactly one task set; changing anything here means a new version.
"""

import random
import string
from dataclasses import dataclass

from evaluations.suites.base import CHAINED_SCALE, EvalTask, Suite


@dataclass(frozen=True)
class Block:
    key: str
    description: str
    code: str  # one line that transforms `s`


BLOCKS = [
    Block("remove_e", 'remove every letter "e" (lower case only)', 's = s.replace("e", "")'),
    Block("spaces_to_bangs", 'replace every space with "!"', 's = s.replace(" ", "!")'),
    Block("lowercase", "convert the string to lower case", "s = s.lower()"),
    Block("trim_two", "drop the first two and the last two characters", "s = s[2:-2]"),
    Block("remove_vowels", 'remove every vowel ("aeiouAEIOU")', 's = "".join(c for c in s if c not in "aeiouAEIOU")'),
    Block(
        "remove_every_third",
        "remove every character whose index is a multiple of 3 (0, 3, 6, ...)",
        's = "".join(c for i, c in enumerate(s) if i % 3 != 0)',
    ),
    Block("first_half", "keep only the first half of the characters (rounded down)", "s = s[: len(s) // 2]"),
    Block("triple_spaces", "replace every space with three spaces", 's = s.replace(" ", "   ")'),
    Block(
        "reverse_words", "reverse the order of the words (split on single spaces)", 's = " ".join(s.split(" ")[::-1])'
    ),
    Block(
        "drop_first_half_words",
        "drop the first half of the words (split on single spaces, half rounded down)",
        's = " ".join(s.split(" ")[len(s.split(" ")) // 2 :])',
    ),
    Block(
        "append_apples",
        'add the word "apples" after every word (split on single spaces)',
        's = " ".join(w + " apples" for w in s.split(" "))',
    ),
    Block(
        "upper_every_other",
        "make every other character upper case, starting with the first (index 0, 2, 4, ...)",
        's = "".join(c.upper() if i % 2 == 0 else c for i, c in enumerate(s))',
    ),
    Block("remove_punctuation", 'delete every "!", "?" and "."', 's = "".join(c for c in s if c not in "!?.")'),
]
BLOCKS_BY_KEY = {block.key: block for block in BLOCKS}
ALPHABET = string.ascii_letters + "      !?.,"
TESTS_PER_TASK = 10


def apply(blocks: list[Block], s: str) -> str:
    for block in blocks:
        scope = {"s": s}
        exec(block.code, {}, scope)  # noqa: S102 - our own one-line blocks, at generation time only
        s = scope["s"]
    return s


def _inputs(rng: random.Random) -> list[str]:
    inputs = ["", "a", "Hello World. Are you there?"]
    while len(inputs) < TESTS_PER_TASK:
        words = [
            "".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(1, 8)))
            for _ in range(rng.randint(1, 7))
        ]
        text = " ".join(words)
        if rng.random() < 0.5:
            text += rng.choice("!?.")
        inputs.append(text)
    return inputs


def make_task(version: str, seed: int, level: int, index: int) -> EvalTask:
    rng = random.Random(f"{version}:{seed}:{level}:{index}")
    blocks = [rng.choice(BLOCKS) for _ in range(level)]
    steps = "\n".join(f"    {number}. {block.description}" for number, block in enumerate(blocks, start=1))
    prompt = (
        "def string_manipulation(s: str) -> str:\n"
        '    """Transform the string s by applying these steps in order, and return the result:\n'
        f"{steps}\n"
        '    """\n'
    )
    reference = "".join(f"    {block.code}\n" for block in blocks) + "    return s\n"
    asserts = "".join(f"    assert candidate({text!r}) == {apply(blocks, text)!r}\n" for text in _inputs(rng))
    return EvalTask(
        task_id=f"chained/L{level:02d}/T{index:02d}",
        level=level,
        prompt=prompt,
        entry_point="string_manipulation",
        test=f"def check(candidate):\n{asserts}",
        reference=reference,
        attributes={"steps": [block.key for block in blocks]},
    )


class ChainedSuite(Suite):
    key = "chained"
    title = "Chained string manipulation"
    description = (
        "The Codex experiment: 1 to 13 one-line string operations chained in one docstring. Humans who can "
        "chain two can chain any number; the models measured in 2021 lost 2–3× pass rate per added step."
    )
    versions = ("1",)
    seeded = True
    scale = CHAINED_SCALE
    levels = tuple(range(1, len(BLOCKS) + 1))
    default_tasks_per_level = 20

    def tasks(self, *, version: str, seed: int, tasks_per_level: int) -> list[EvalTask]:
        self.check_arguments(version=version, seed=seed, tasks_per_level=tasks_per_level)
        return [make_task(version, seed, level, index) for level in self.levels for index in range(tasks_per_level)]
