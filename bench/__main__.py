"""python -m bench [register signoff web exports imports reminders api sandbox speed ...]: see bench/README.md."""

import argparse
import json
import platform
import sys
from pathlib import Path

from bench.exports import FORMATS as EXPORT_FORMATS
from bench.setup import configure

RESULTS = Path(__file__).with_name("results")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("benchmarks", nargs="*", default=["register"], help="which benchmarks to run")
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--mitigations", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--requests", type=int, default=60, help="web: requests per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3, help="web: interleaved rounds over the endpoints")
    parser.add_argument("--reminder-mitigations", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=3, help="speed: seconds per row per round")
    parser.add_argument("--with-exports", action="store_true", help="speed: also run the exports benchmark")
    parser.add_argument(
        "--formats", default=",".join(EXPORT_FORMATS), help="exports: which formats, comma-separated (e.g. pdf)"
    )
    parser.add_argument(
        "--portfolio", action="store_true", help="speed: also the portfolio at 100 projects × 2,000 scenarios"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="speed: only the rows whose name contains TEXT (repeatable; the bare floor always runs)",
    )
    args = parser.parse_args(argv)
    formats = args.formats.split(",")
    if set(formats) - set(EXPORT_FORMATS):
        parser.error(f"unknown export formats in {args.formats!r}; choose from {', '.join(EXPORT_FORMATS)}")

    url = configure()
    from bench import api, data, exports, imports, register, reminders, signoff, speed, web
    from bench import sandbox as sandbox_bench

    spec = data.Spec(scenarios=args.scenarios, mitigations=args.mitigations)
    assessment = data.generate(spec)

    def reminder_run():
        # A separate, larger data set: the reminder scan reads every project's mitigations.
        data.generate(data.Spec(scenarios=5000, consequences_per_scenario=1, mitigations=args.reminder_mitigations))
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after bulk inserts, as a production database has
        return reminders.run(repeats=3)

    runners = {
        "register": lambda: register.run(assessment, repeats=args.repeats),
        "signoff": lambda: signoff.run(assessment, repeats=args.repeats),
        "web": lambda: web.run(assessment, requests=args.requests, rounds=args.rounds),
        "exports": lambda: exports.run(assessment, formats=formats),
        "imports": lambda: imports.run(assessment),
        "reminders": reminder_run,
        "api": lambda: api.run(database_url=url),
        "sandbox": lambda: sandbox_bench.run(assessment),
        "speed": lambda: speed.run(
            database_url=url, seconds=args.seconds, rounds=args.rounds, portfolio=args.portfolio, only=args.only
        ),
    }
    if args.with_exports and "speed" in args.benchmarks and "exports" not in args.benchmarks:
        args.benchmarks.append("exports")  # after speed: the PDF/XLSX rows of the table
    unknown = set(args.benchmarks) - set(runners)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}; choose from {', '.join(runners)}")
    RESULTS.mkdir(exist_ok=True)
    for name in args.benchmarks:
        result = {**runners[name](), "python": platform.python_version(), "database": url.rsplit("@", 1)[-1]}
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
