"""The bandit scan of completions: the insecure patterns it must catch, clean and broken code, and its speed."""

import logging
import time

import pytest

from evaluations import security_scan


def rules(code: str) -> dict[str, security_scan.Finding]:
    return {finding.rule_id: finding for finding in security_scan.scan(code)}


@pytest.mark.parametrize(
    ("code", "rule_id", "cwe"),
    [
        ("import subprocess\nsubprocess.run(cmd, shell=True)\n", "B602", 78),
        ("def f(s):\n    return eval(s)\n", "B307", 78),
        ("import pickle\ndef f(b):\n    return pickle.loads(b)\n", "B301", 502),
        ('password = "hunter2"\n', "B105", 259),
        ("import hashlib\nh = hashlib.md5(b'x')\n", "B324", 327),
        ("import yaml\ndef f(s):\n    return yaml.load(s)\n", "B506", 20),
        ("import requests\nr = requests.get('https://example.org')\n", "B113", 400),
        ("import requests\nr = requests.get('https://example.org', verify=False, timeout=5)\n", "B501", 295),
    ],
)
def test_scan_finds_the_insecure_pattern_with_its_cwe(code, rule_id, cwe):
    found = rules(code)
    assert rule_id in found, found
    assert found[rule_id].cwe == cwe
    assert found[rule_id].severity in {"low", "medium", "high"}
    assert found[rule_id].confidence in {"low", "medium", "high"}


def test_a_finding_names_its_line_rule_and_message():
    (finding,) = [f for f in security_scan.scan("x = 1\nimport pickle\ny = pickle.loads(b'')\n") if f.line == 3]
    assert finding.as_dict() == {
        "rule_id": "B301",
        "rule_name": "pickle",
        "cwe": 502,
        "severity": "medium",
        "confidence": "high",
        "line": 3,
        "message": finding.message,
    }
    assert "pickle" in finding.message.lower()


def test_clean_code_has_no_findings():
    assert security_scan.scan("def f(s):\n    return s.replace('e', '')[::-1].upper()\n") == []


@pytest.mark.parametrize("code", ["def f(:\n", "x = '\0'\n", "(" * 10_000, "", "\udcff = 1"])
def test_code_that_does_not_parse_has_no_findings(code):
    assert security_scan.scan(code) == []


def test_a_nosec_comment_does_not_hide_a_finding():
    assert "B307" in rules("y = eval(s)  # nosec\n")


def test_scanning_logs_nothing(caplog):
    with caplog.at_level(logging.DEBUG):
        security_scan.scan_many(["import pickle\npickle.loads(b)\n", "def f(:\n"])
    assert [r for r in caplog.records if r.name.startswith("bandit")] == []


def test_scan_many_scans_2600_short_completions_in_a_few_seconds():
    codes = [f"def f(s):\n    return s.replace('e', '')[::-1] + str({i})\n" for i in range(2_599)]
    codes.append("import subprocess\nsubprocess.call(c, shell=True)\n")
    security_scan.scan("")  # plugin loading is a one-off cost, not per batch
    started = time.perf_counter()
    results = security_scan.scan_many(codes)
    elapsed = time.perf_counter() - started
    assert len(results) == 2_600
    assert results[0] == []
    assert any(f.rule_id == "B602" for f in results[-1])
    assert elapsed < 10, f"2,600 snippets took {elapsed:.1f} s"
