"""`KeyTree`: Textual's Tree with the list keys used everywhere else (j/k, g/G, h/l).

Labels must be `rich.text.Text` built by `iris_tui.ui.text.safe()`: a `str` label is parsed as
markup by Tree, and tree labels here are server text (note titles, file names).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode


class KeyTree(Tree[Any]):
    # with NO_COLOR the cursor is only a shade of grey: mark it as the RowList does
    DEFAULT_CSS = """
    KeyTree:nocolor > .tree--cursor { text-style: underline; }
    KeyTree:nocolor:focus > .tree--cursor { text-style: reverse; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
        Binding("g,home", "scroll_home", "First", show=False, id="tree.first"),
        Binding("G,shift+g,end", "scroll_end", "Last", show=False, id="tree.last"),
        Binding("h", "collapse_or_parent", "Collapse", show=False, id="tree.collapse"),
        Binding("l", "expand", "Expand", show=False, id="tree.expand"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(Text(""), id=id)
        self.show_root = False
        self.guide_depth = 2

    def process_label(self, label: Any) -> Text:
        if not isinstance(label, Text):  # never parse markup: callers pass Text, be sure anyway
            label = Text(str(label))
        return super().process_label(label)

    def move_to(self, node: TreeNode[Any] | None) -> None:
        """Put the cursor on `node` (its ancestors expanded) right after nodes were added."""
        parent = node.parent if node is not None else None
        while parent is not None:
            parent.expand()
            parent = parent.parent
        _ = self.last_line  # line numbers are rebuilt lazily: make them current first
        self.move_cursor(node)

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_to(node.parent)

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()
