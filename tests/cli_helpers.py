"""Running a subcommand the way ``beeper-tui`` does, against a demo app a test configured."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp

from beeper_tui.cli import parse


def run_command(argv: Sequence[str], *, demo_app: ASGIApp | None = None) -> int:
    """``beeper-tui ARGV…`` parsed by the real tree; its command runs on ``demo_app`` if given."""
    args = parse(argv)
    if isinstance(args, int):
        return args
    status: int = args.run(args, demo_app=demo_app)
    return status


def export_main(argv: Sequence[str], *, demo_app: ASGIApp | None = None) -> int:
    """``beeper-tui export ARGV…``; returns the exit status (2 for bad arguments)."""
    return run_command(["export", *argv], demo_app=demo_app)


def search_main(argv: Sequence[str], *, demo_app: ASGIApp | None = None) -> int:
    """``beeper-tui search ARGV…``; returns the exit status."""
    return run_command(["search", *argv], demo_app=demo_app)
