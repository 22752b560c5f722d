"""The result list: a virtual, line-API list of contacts.

Rows are never widgets. The list keeps a reference to the pager's plain Python
list and renders only the lines on screen (``render_line``), so appending a
page or moving the cursor costs the same with 100 rows loaded or 100,000.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Final

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from beeper_tui.service.person import Contact

from .app_keys import act_in_order
from .contact_row import RowMarks, RowStyles, Spans, row_pieces, row_segments

__all__ = ["ContactList"]

_NOTHING_POSTED: Final = object()
_NULL_STYLE: Final = Style()


class ContactList(ScrollView, can_focus=True):
    """Every loaded contact, one line each, with a trailing status row.

    The trailing row says what is happening past the last contact: loading
    more, the end of the list, an error, or why the list is empty.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # No letters: a letter typed on the list searches for it (type-to-filter).
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Details", id="contacts.select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "contact-list--cursor",
        "contact-list--secondary",
        "contact-list--self",
        "contact-list--blocked",
        "contact-list--status",
        "contact-list--error",
        "contact-list--network",
        "contact-list--match",
        "contact-list--outsider",
    }

    DEFAULT_CSS = """
    ContactList {
        background: $surface;
        overflow-x: hidden;
        & > .contact-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .contact-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .contact-list--secondary { color: $text-muted; }
        & > .contact-list--self { color: $success; text-style: bold; }
        & > .contact-list--blocked { color: $warning; }
        & > .contact-list--status { color: $text-muted; text-style: italic; }
        & > .contact-list--error { color: $error; text-style: bold; }
        & > .contact-list--network { color: $accent; }
        & > .contact-list--match { color: $text-accent; text-style: bold underline; }
        & > .contact-list--outsider { color: $text-warning; text-style: italic; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)
    """Index of the highlighted contact."""

    class Highlighted(Message):
        """The highlighted contact changed (``None`` when the list is empty)."""

        def __init__(self, contact_list: ContactList, contact: Contact | None) -> None:
            super().__init__()
            self.contact_list = contact_list
            self.contact = contact

        @property
        def control(self) -> ContactList:
            """The list that sent this message."""
            return self.contact_list

    class Selected(Message):
        """Enter or a click chose a contact."""

        def __init__(self, contact_list: ContactList, contact: Contact) -> None:
            super().__init__()
            self.contact_list = contact_list
            self.contact = contact

        @property
        def control(self) -> ContactList:
            """The list that sent this message."""
            return self.contact_list

    class NearEnd(Message):
        """The cursor or the viewport came within prefetch distance of the last row."""

        def __init__(self, contact_list: ContactList) -> None:
            super().__init__()
            self.contact_list = contact_list

        @property
        def control(self) -> ContactList:
            """The list that sent this message."""
            return self.contact_list

        def can_replace(self, message: Message) -> bool:
            # Only the latest "near the end" matters.
            return isinstance(message, ContactList.NearEnd)

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        prefetch_screens: float = 2.0,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._items: Sequence[Contact] = ()
        self._status: Text = Text("")
        self._status_wrapped: tuple[object, list[Text]] = (None, [])
        self._status_class = "contact-list--status"
        self._wants_more = False
        self._badge: Callable[[Contact], str] | None = None
        self._marks: RowMarks | None = None
        self._line_cache: LRUCache[tuple[int, int, int, bool, bool], Strip] = LRUCache(1024)
        self._row_styles: tuple[Style, RowStyles, Style] | None = None
        """The list's own style, the rows' part styles and the cursor's: resolved once per
        style change (like the line cache), not per row, which cost more than the row."""
        self._last_highlighted: Contact | object | None = None
        self._unread: frozenset[tuple[str, str]] = frozenset()
        self.prefetch_screens = prefetch_screens
        self.type_to_search: Callable[[str], None] | None = None
        """Called with a printable key no binding wants (the search pane starts a search)."""

    # -- feeding the list -------------------------------------------------

    @property
    def items(self) -> Sequence[Contact]:
        """The contacts shown (the pager's own list, not a copy)."""
        return self._items

    @property
    def highlighted(self) -> Contact | None:
        """The contact under the cursor."""
        if 0 <= self.cursor < len(self._items):
            return self._items[self.cursor]
        return None

    @property
    def unread(self) -> frozenset[tuple[str, str]]:
        """Identities (``(account ID, user ID)``) with unread messages: their rows get a mark."""
        return self._unread

    @unread.setter
    def unread(self, identities: frozenset[tuple[str, str]]) -> None:
        if identities != self._unread:
            self._unread = identities
            self._line_cache.clear()
            self.refresh()

    def _has_unread(self, contact: Contact) -> bool:
        return bool(self._unread) and any(
            (i.account_id, i.user.id) in self._unread for i in contact.identities
        )

    @property
    def status_text(self) -> str:
        """The plain text of the trailing status row."""
        return self._status.plain

    def set_items(
        self,
        items: Sequence[Contact],
        *,
        badge: Callable[[Contact], str] | None = None,
        marks: RowMarks | None = None,
        keep: int | None = None,
    ) -> None:
        """Show a new result set: the cursor and scroll go to the top, or with ``keep``
        the cursor goes to that row at the same height on screen (refreshed results)."""
        screen_row = self.cursor - int(self.scroll_offset.y)
        self._items = items
        self._badge = badge
        self._marks = marks
        self._line_cache.clear()
        self._last_highlighted = _NOTHING_POSTED  # an empty list still says "nothing"
        self._update_virtual_size()
        top = 0 if keep is None else max(0, keep - max(0, screen_row))
        self.scroll_to(0, top, animate=False, immediate=True)
        self.cursor = keep or 0
        self.refresh()

    def rows_appended(self) -> None:
        """The underlying list grew: extend the scroll range, keep the cursor."""
        self._update_virtual_size()
        self.refresh()
        if self.highlighted is not self._last_highlighted:
            self._post_highlight()
        self.call_after_refresh(self._check_near_end)

    def rows_changed(self) -> None:
        """Rows were added or replaced in place (merged people): redraw what is visible."""
        self._line_cache.clear()
        self.rows_appended()

    def set_status(
        self, text: str | Text, *, error: bool = False, wants_more: bool = False
    ) -> None:
        """Set the trailing row and whether scrolling near the end should ask for more."""
        self._status = text if isinstance(text, Text) else Text(text)
        self._status_class = "contact-list--error" if error else "contact-list--status"
        self._wants_more = wants_more
        self._update_virtual_size()  # a longer warning wraps onto more lines
        first = len(self._items) - int(self.scroll_offset.y)
        for y in range(len(self._status_lines(self.scrollable_content_region.width))):
            self.refresh_line(first + y)
        if wants_more:
            self.call_after_refresh(self._check_near_end)

    def _status_lines(self, width: int) -> list[Text]:
        """The trailing status row wrapped to ``width`` cells: a warning is never cut
        (an old build's "Update Beeper Desktop…" at 80 columns), each line indented one."""
        key = (width, id(self._status), self._status.plain)
        if self._status_wrapped[0] != key:
            lines: list[Text] = []
            if width > 1:
                lines = list(self._status.wrap(self.app.console, width - 1))
            wrapped = [Text(" ", end="") + line for line in lines] or [Text(" ", end="")]
            self._status_wrapped = (key, wrapped)
        return self._status_wrapped[1]

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width
        size = Size(width, len(self._items) + len(self._status_lines(width)))
        if size == self.virtual_size:
            return
        if self.styles.height is not None and self.styles.height.is_auto:
            self.virtual_size = size  # the list's own height follows its rows: lay out again
            return
        # Otherwise a page moves the scrollbar's thumb, not the screen: no layout
        # (it cost more than the rows), unless the scrollbar comes or goes.
        self.set_reactive(ContactList.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    # -- rendering ----------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()
        self._row_styles = None

    def on_resize(self, event: events.Resize) -> None:
        self._line_cache.clear()
        self._update_virtual_size()
        self.call_after_refresh(self._check_near_end)

    def on_focus(self, event: events.Focus) -> None:
        self._line_cache.clear()
        self._row_styles = None
        self.refresh()
        # Coming back from the sidebar: the detail panel follows this list again.
        self._post_highlight()

    def on_blur(self, event: events.Blur) -> None:
        self._line_cache.clear()
        self._row_styles = None
        self.refresh()

    def _part_styles(self) -> tuple[Style, RowStyles, Style]:
        """The list's style, the parts' styles and the cursor's (see ``_row_styles``)."""
        if self._row_styles is None:
            self._row_styles = (
                self.rich_style,
                RowStyles(
                    muted=self._fg("contact-list--secondary"),
                    network=self._fg("contact-list--network"),
                    you=self._fg("contact-list--self"),
                    blocked=self._fg("contact-list--blocked"),
                    outsider=self._fg("contact-list--outsider"),
                    match=self.get_component_rich_style("contact-list--match", partial=True),
                ),
                self.get_component_rich_style("contact-list--cursor"),
            )
        return self._row_styles

    def _fg(self, component: str) -> Style:
        """A component's colour and weight, resolved against this list's background.

        The partial style would keep ``$text-muted``'s alpha unresolved (white on a
        light theme); the full one blends it with the background the row sits on.
        """
        full = self.get_component_rich_style(component)
        return Style(color=full.color, bold=full.bold, italic=full.italic)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        base = self._part_styles()[0]
        if index < len(self._items):
            is_cursor = index == self.cursor
            contact = self._items[index]
            # The contact is in the key: a row replaced in place never shows its old line.
            key = (index, id(contact), width, is_cursor, self.has_focus)
            strip = self._line_cache.get(key)
            if strip is None:
                marks = self._marks(index) if self._marks is not None else ((), True)
                strip = self._render_row(
                    contact, width, base, is_cursor, marks, unread=self._has_unread(contact)
                )
                self._line_cache[key] = strip
            return strip
        status = self._status_lines(width)
        if 0 <= index - len(self._items) < len(status):
            style = base + self.get_component_rich_style(self._status_class)
            text = status[index - len(self._items)].copy()
            text.truncate(width, overflow="ellipsis", pad=True)
            strip = Strip(text.render(self.app.console)).adjust_cell_length(width)
            return strip.apply_style(style)
        return Strip.blank(width, base)

    def _render_row(
        self,
        contact: Contact,
        width: int,
        base: Style,
        is_cursor: bool,
        marks: tuple[Spans, bool] = ((), True),
        *,
        unread: bool = False,
    ) -> Strip:
        _, styles, cursor_style = self._part_styles()
        badge = self._badge(contact) if self._badge is not None else None
        pieces = row_pieces(contact, width, styles, badge, marks, unread=unread)
        # On the cursor row the cursor's colours win: muted grey on the cursor's blue is unreadable.
        row_style = base + cursor_style if is_cursor else base
        segments = row_segments(pieces, width, row_style, row_style if is_cursor else _NULL_STYLE)
        # Measured, not assumed: a row is exactly ``width`` cells or the borders move.
        return Strip(segments).adjust_cell_length(width, row_style)

    # -- cursor and scrolling --------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._items) - 1)) if self._items else 0

    def watch_cursor(self, old: int, new: int) -> None:
        offset = int(self.scroll_offset.y)
        self.refresh_line(old - offset)
        self.refresh_line(new - offset)
        if self._items:
            # On the last contact, bring the status row ("end of list", "loading
            # more…") into view too.
            status = self._status_lines(self.scrollable_content_region.width)
            height = 1 + len(status) if new == len(self._items) - 1 else 1
            region = Region(0, new, 1, height)
            self.scroll_to_region(region, animate=False, immediate=True, force=True)
        if self.highlighted is not self._last_highlighted:
            self._post_highlight()
        self._check_near_end()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._check_near_end()

    def _post_highlight(self) -> None:
        self._last_highlighted = self.highlighted
        self.post_message(self.Highlighted(self, self._last_highlighted))

    def _check_near_end(self) -> None:
        if not self._wants_more or not self.is_mounted:
            return
        height = max(1, self.scrollable_content_region.height)
        seen = max(self.cursor, int(self.scroll_offset.y) + height)
        if seen >= len(self._items) - int(height * self.prefetch_screens):
            self.post_message(self.NearEnd(self))

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._items) - 1

    def action_select(self) -> None:
        contact = self.highlighted
        if contact is not None:
            self.post_message(self.Selected(self, contact))

    async def on_key(self, event: events.Key) -> None:
        """A letter no binding wants starts a search with it (as in fzf); other keys act in
        the order typed (:func:`act_in_order`: escape then ``mia`` searches for ``mia``)."""
        char = event.character
        if not event.is_printable or not char:
            await act_in_order(self, event)
            return
        if self.type_to_search is None:
            return
        # Keys of a burst that arrive after the focus moved to the box belong there
        # too, spaces as well ("dubois renee"); a space on its own starts nothing.
        moved = self.screen.focused is not self
        if moved or (not char.isspace() and event.key not in self.screen.active_bindings):
            event.stop()
            event.prevent_default()
            self.type_to_search(char)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = int(self.scroll_offset.y) + offset.y
        if 0 <= index < len(self._items):
            self.cursor = index
            if event.chain >= 2:
                self.action_select()
