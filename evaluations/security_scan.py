"""Static security scan of model completions with bandit: findings by rule, CWE and severity, never running the code."""

import functools
import io
import logging
from dataclasses import asdict, dataclass

from bandit.core import config as bandit_config
from bandit.core import extension_loader, meta_ast, metrics, node_visitor, test_set

# bandit's visitor derives a module name from the file name; a bare relative name keeps it from looking
# for __init__.py files on disk, so scanning text touches no file.
_PSEUDO_FILENAME = "./completion.py"


@dataclass(frozen=True)
class Finding:
    """One insecure pattern bandit found in a completion."""

    rule_id: str  # bandit test id, e.g. "B602"
    rule_name: str  # e.g. "subprocess_popen_with_shell_equals_true", or the blacklist entry ("pickle")
    cwe: int | None
    severity: str  # "low" | "medium" | "high"
    confidence: str  # "low" | "medium" | "high"
    line: int  # in the scanned text
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@functools.cache
def _test_set() -> test_set.BanditTestSet:
    # Loading bandit's plugins is the slow part (entry points); done once per process and reused, since
    # the test set holds only configuration and every scan gets its own visitor and results.
    logging.getLogger("bandit").setLevel(logging.CRITICAL)  # bandit logs per file; a run scans thousands
    return test_set.BanditTestSet(bandit_config.BanditConfig(), profile={})


def scan(code: str) -> list[Finding]:
    """bandit's findings for one completion's text; code that does not parse has none."""
    data = code.encode("utf-8", errors="replace")
    visitor = node_visitor.BanditNodeVisitor(
        _PSEUDO_FILENAME,
        io.BytesIO(data),
        meta_ast.BanditMetaAst(),
        _test_set(),
        False,  # debug
        # No "# nosec" lines: a completion is untrusted text and must not be able to hide its own findings.
        {},
        metrics.Metrics(),
    )
    try:
        visitor.process(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # Unparseable (or pathologically nested) code cannot be scanned; the sandbox run records it as a
        # syntax error, so the scan reports nothing rather than failing the whole batch.
        return []
    return [_finding(issue) for issue in visitor.tester.results]


def scan_many(codes: list[str]) -> list[list[Finding]]:
    """Findings for each completion, in order."""
    return [scan(code) for code in codes]


def _finding(issue) -> Finding:
    rule_name = issue.test
    blacklisted = extension_loader.MANAGER.blacklist_by_id.get(issue.test_id)
    if blacklisted is not None:
        rule_name = blacklisted["name"]  # every blacklist hit reports the test name "blacklist"
    return Finding(
        rule_id=issue.test_id,
        rule_name=rule_name,
        cwe=issue.cwe.id or None,  # bandit uses 0 for "no CWE"
        severity=issue.severity.lower(),
        confidence=issue.confidence.lower(),
        line=issue.lineno,
        message=issue.text,
    )
