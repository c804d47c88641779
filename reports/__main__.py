"""``python -m reports [RESULTS.jsonl ...] [-o OUT.html]``: one HTML page from all the records."""

from __future__ import annotations

import argparse
import sys

from reports import DEFAULT_OUTPUT, DEFAULT_RESULTS, DEFAULT_SAVED, render, summary_line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports", description=__doc__)
    parser.add_argument(
        "results", nargs="*", default=[str(DEFAULT_RESULTS)], help=f"JSON-lines files (default: {DEFAULT_RESULTS})"
    )
    parser.add_argument("-o", "--output", default=str(DEFAULT_OUTPUT), help=f"HTML page (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--title", default="dlparity report")
    parser.add_argument(
        "--saved",
        default=str(DEFAULT_SAVED),
        help=f"runs stored by --save, for their history (default: {DEFAULT_SAVED})",
    )
    args = parser.parse_args(argv)
    try:
        stats = render(args.results, args.output, title=args.title, saved=args.saved)
    except FileNotFoundError as exc:
        print(f"reports: {exc}", file=sys.stderr)
        return 2
    print(stats["output"])
    print(summary_line(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
