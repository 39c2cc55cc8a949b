"""The program that runs inside the sandbox around one sample (read by runner.py, run with `python -c`).

It is kept free of imports from Hazlog: the sandbox sees the standard library and nothing else. It reads
{"program", "nonce", "verdict_fd"} from stdin, compiles the program first (a syntax error is its own
class), runs it, and writes "<nonce> <outcome> <detail>" to the verdict descriptor. A sample that ends the
process before that line is written (os._exit, a signal, a limit) has no verdict: the parent classifies it
from how the process ended. The nonce keeps text the sample prints from passing for a verdict.
"""

HARNESS = r"""
import json, os, sys, traceback
_msg = json.loads(sys.stdin.read())
_program, _nonce, _fd = _msg["program"], _msg["nonce"], _msg["verdict_fd"]
del _msg
sys.stdin.close()

def _verdict(outcome, detail=""):
    line = (_nonce + " " + outcome + " " + detail.replace("\n", " ")[:400] + "\n").encode("utf-8", "replace")
    os.write(_fd, line)
    os.close(_fd)

try:
    _code = compile(_program, "<sample>", "exec")
except (SyntaxError, ValueError) as _exc:
    _verdict("syntax_error", f"{type(_exc).__name__}: {_exc}")
    sys.exit(0)
_globals = {"__name__": "__sample__", "__builtins__": __builtins__}
try:
    exec(_code, _globals)
except AssertionError as _exc:
    _verdict("wrong_answer", "A test failed" + (f": {_exc}" if str(_exc) else "."))
except MemoryError:
    _verdict("sandbox_violation", "Memory limit reached.")
except RecursionError as _exc:
    _verdict("exception", f"RecursionError: {_exc}")
except BaseException as _exc:
    _tail = traceback.format_exception_only(type(_exc), _exc)[-1].strip()
    _verdict("exception", _tail)
else:
    _verdict("passed")
"""
