"""What can happen to one sample, in display order: the one list pages, scoring and exports use."""

PASSED = "passed"
WRONG_ANSWER = "wrong_answer"
EXCEPTION = "exception"
SYNTAX_ERROR = "syntax_error"
TIMEOUT = "timeout"
SANDBOX_VIOLATION = "sandbox_violation"  # a resource limit was hit (memory, processes, output, file size)

CHOICES = [
    (PASSED, "Passed"),
    (WRONG_ANSWER, "Wrong answer"),
    (EXCEPTION, "Exception"),
    (SYNTAX_ERROR, "Syntax error"),
    (TIMEOUT, "Timeout"),
    (SANDBOX_VIOLATION, "Sandbox limit"),
]
FAILURE_CLASSES = [value for value, _ in CHOICES if value != PASSED]
