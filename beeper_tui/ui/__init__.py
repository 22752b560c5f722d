"""The Textual user interface.

Importing it makes Rich count spacing combining marks as terminals do
(:func:`~beeper_tui.ui.cell_text.spacing_marks_take_a_cell`), so every width
Textual computes matches what tmux and xterm draw.
"""

from .cell_text import spacing_marks_take_a_cell

spacing_marks_take_a_cell()
