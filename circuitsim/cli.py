"""The ``circuitsim`` command."""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    """Entry point of the ``circuitsim`` console command."""
    import connectome

    parser = argparse.ArgumentParser(prog="circuitsim", description="Summarise a C. elegans connectome.")
    parser.add_argument("--dataset", default=connectome.DEFAULT_DATASET, help="dataset name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the shipped datasets and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, desc in connectome.datasets().items():
            print(f"{name:18s} {desc}")
        return 0
    try:
        conn = connectome.load(args.dataset)
    except connectome.UnknownDatasetError as err:
        print(f"circuitsim: {err}", file=sys.stderr)
        return 2
    print(repr(conn))
    print(conn.summary().to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
