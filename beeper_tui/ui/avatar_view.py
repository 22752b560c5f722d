"""The avatar in the person view: the contact's face, or their initials on a colour.

Images are drawn by textual-image with the protocol the setting asks for:
``auto`` (the library's detection: Sixel, Kitty graphics, else half-blocks;
always half-blocks inside tmux or screen),
``kitty``, ``sixel``, ``halfblock`` (coloured half cells: works in tmux and
over plain SSH) or ``off`` (initials only).

textual-image asks the terminal about its abilities when it is first
imported, which is impossible once Textual owns the terminal: call
:func:`prepare_images` before ``App.run``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from beeper_tui.config import IMAGE_MODES, ImageMode
from beeper_tui.service.initials import avatar_colour, initials

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from textual_image.widget._base import Image as ImageWidget

__all__ = ["IMAGE_MODES", "AvatarView", "ImageMode", "inside_multiplexer", "prepare_images"]


def prepare_images(mode: ImageMode) -> None:
    """Let textual-image query the terminal now, before Textual takes it over.

    Does nothing for ``off``, so a user who turned images off is never probed.
    """
    if mode != "off":
        import textual_image.widget  # noqa: F401 - imported for its terminal query


def inside_multiplexer(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the app runs inside tmux or screen, which pass graphics protocols badly.

    textual-image's detection can take tmux for a Kitty or Sixel terminal; what it
    then draws garbles the screen (or takes the tmux server down), so ``auto``
    draws half-blocks there.
    """
    env = os.environ if environ is None else environ
    return bool(env.get("TMUX")) or env.get("TERM", "").startswith(("screen", "tmux"))


def _image_class(mode: ImageMode) -> type[ImageWidget]:
    from textual_image import widget

    if mode == "auto" and inside_multiplexer():
        return widget.HalfcellImage
    if mode == "kitty":
        return widget.TGPImage
    if mode == "sixel":
        return widget.SixelImage
    if mode == "halfblock":
        return widget.HalfcellImage
    return widget.Image


def _text_colour(background: str) -> str:
    red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#000000" if luminance > 150 else "#ffffff"


class AvatarView(Widget):
    """A square avatar: an image when one is shown, else initials on a colour."""

    DEFAULT_CSS = """
    AvatarView {
        width: 12;
        height: 6;
    }
    AvatarView > #avatar-initials {
        width: 100%;
        height: 100%;
        content-align: center middle;
        text-style: bold;
    }
    AvatarView > #avatar-image {
        width: 100%;
        height: 100%;
    }
    """

    def __init__(
        self,
        mode: ImageMode = "auto",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.mode: ImageMode = mode
        self.showing_image = False
        """Whether an image (rather than initials) is on screen."""
        self._image: ImageWidget | None = None
        self._initials = ""

    def compose(self) -> ComposeResult:
        yield Static(id="avatar-initials")

    @property
    def initials_text(self) -> str:
        """The initials shown (empty while an image is shown)."""
        if self.showing_image:
            return ""
        return self._initials

    def show_initials(self, name: str | None, user_id: str) -> None:
        """Show the person's initials on their colour (no avatar, or it failed to load)."""
        tile = self.query_one("#avatar-initials", Static)
        colour = avatar_colour(user_id)
        tile.styles.background = colour
        tile.styles.color = _text_colour(colour)
        self._initials = initials(name)
        # The tile fills the fixed-size view: new letters never need a new layout.
        tile.update(Text(self._initials, no_wrap=True, overflow="crop"), layout=False)
        if not tile.display:
            tile.display = True
        if self._image is not None and self._image.display:
            self._image.display = False
        self.showing_image = False

    def show_image(self, image: PILImage.Image, *, name: str | None, user_id: str) -> None:
        """Show ``image``; with images ``off`` this shows the initials instead."""
        if self.mode == "off":
            self.show_initials(name, user_id)
            return
        if self._image is None:
            self._image = _image_class(self.mode)(image, id="avatar-image")
            self.mount(self._image)
        else:
            self._image.image = image
            self._image.display = True
        self.query_one("#avatar-initials", Static).display = False
        self.showing_image = True
