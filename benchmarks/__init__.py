"""Performance figures for beeper-tui: ``python -m benchmarks`` (``make bench``).

Not part of ``make test`` and not shipped in the wheel. One module per figure
(``fig01_…`` to ``fig13_…``), each implementing :class:`benchmarks.figure.Figure`
and runnable alone as ``python -m benchmarks.figNN_…``, which is how the runner
(``benchmarks/__main__.py``) starts each one in a fresh process. Run from the
repository root: the figures drive the app with the tests' own helpers
(``tests/ui_helpers.py``), found through the working directory on ``sys.path``.
"""

import os

# As in tests/conftest.py: Textual reads this on import, and no figure may
# pick up a real Desktop's address or token from the environment.
os.environ["TEXTUAL_ANIMATIONS"] = "none"
for _name in ("BEEPER_ACCESS_TOKEN", "BEEPER_BASE_URL", "BEEPER_DESKTOP_BASE_URL"):
    os.environ.pop(_name, None)
