"""``python -m beeper_tui``: the same as the ``beeper-tui`` command."""

import sys

from beeper_tui.cli import main

sys.exit(main())
