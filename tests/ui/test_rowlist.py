"""RowList driven through a tiny App with Pilot: keys, filter, sort, selection, hostile text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.message import Message

from iris_tui.ui.widgets.rowlist import Column, RowList, column_widths, fit

HOSTILE = [
    "[@click=app.quit]x[/]",
    "\x1b[31mred\x1b]52;c;ZXZpbA==\x07",
    "\u202eevil",
]


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    kind: str | None = None
    seen: datetime | None = None


COLUMNS = [
    Column("id", "ID", lambda r: r.id, width=5, justify="right"),
    Column("name", "Name", lambda r: r.name),
    Column("kind", "Kind", lambda r: r.kind, width=8),
    Column("seen", "Seen", lambda r: r.seen, width=16),
]


def numbered(n: int) -> list[Row]:
    return [Row(i, f"host-{i:03d}", kind="ws" if i % 2 else "srv") for i in range(n)]


class ListApp(App[None]):
    def __init__(self, rows: list[Row], **options: object) -> None:
        super().__init__()
        self.initial = rows
        self.options = options
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield RowList(COLUMNS, **self.options)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query_one(RowList).set_rows(self.initial)
        self.query_one(RowList).focus()

    def on_row_list_highlighted(self, message: RowList.Highlighted) -> None:
        self.messages.append(message)

    def on_row_list_chosen(self, message: RowList.Chosen) -> None:
        self.messages.append(message)

    def on_row_list_selection_changed(self, message: RowList.SelectionChanged) -> None:
        self.messages.append(message)


def lines(rowlist: RowList) -> list[str]:
    return [rowlist.render_line(y).text for y in range(rowlist.size.height)]


def shown_ids(rowlist: RowList) -> list[int]:
    """The ids in the ID column of the rows on screen."""
    return [int(line[2:8]) for line in lines(rowlist)[1:] if line[2:8].strip().isdigit()]


async def test_cursor_keys_move_and_scroll() -> None:
    app = ListApp(numbered(100))
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        assert rowlist.cursor_index == 0
        await pilot.press("down", "j", "j")
        assert rowlist.cursor_row.id == 3
        await pilot.press("k", "up")
        assert rowlist.cursor_index == 1
        await pilot.press("G")
        assert rowlist.cursor_row.id == 99
        assert shown_ids(rowlist)[-1] == 99  # scrolled so the last row is on screen
        await pilot.press("g")
        assert rowlist.cursor_index == 0
        assert shown_ids(rowlist)[0] == 0
        await pilot.press("end", "home")
        assert rowlist.cursor_index == 0
        await pilot.press("pagedown")
        body = rowlist.size.height - 1  # one line is the header
        assert rowlist.cursor_index == body
        assert body in shown_ids(rowlist)
        await pilot.press("ctrl+f", "ctrl+b")
        assert rowlist.cursor_index == body
        await pilot.press("pageup")
        assert rowlist.cursor_index == 0
        await pilot.press("up")  # stops at the top
        assert rowlist.cursor_index == 0


async def test_highlighted_and_chosen_messages() -> None:
    app = ListApp(numbered(10))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        highlighted = [m.row.id for m in app.messages if isinstance(m, RowList.Highlighted)]
        chosen = [m for m in app.messages if isinstance(m, RowList.Chosen)]
        assert highlighted[-1] == 1
        assert [m.row.id for m in chosen] == [1]
        assert chosen[0].control is app.query_one(RowList)


async def test_filter_narrows_widens_and_keeps_the_cursor_row() -> None:
    app = ListApp(numbered(300))
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        await pilot.press("down", "down")  # on host-002
        rowlist.set_filter("HOST-1")
        assert [r.id for r in rowlist.rows] == list(range(100, 200))
        assert rowlist.cursor_index == 0  # host-002 is hidden: the first match
        rowlist.set_filter("host-12")  # narrowing
        assert [r.id for r in rowlist.rows] == list(range(120, 130))
        await pilot.press("down")
        rowlist.set_filter("host-1")  # widening again
        assert len(rowlist.rows) == 100
        assert rowlist.cursor_row.id == 121  # the cursor stayed on its row
        rowlist.set_filter("")
        assert len(rowlist.rows) == 300
        assert rowlist.cursor_row.id == 121
        assert len(rowlist.all_rows) == 300


async def test_filter_matches_every_column_or_search_text() -> None:
    rows = [Row(1, "alpha", "srv"), Row(2, "beta", "ws"), Row(3, "gamma", None)]
    app = ListApp(rows, search_text=lambda r: r.kind or "nothing")
    async with app.run_test(size=(80, 24)):
        rowlist = app.query_one(RowList)
        rowlist.set_filter("alpha")  # only the kind is searched here
        assert list(rowlist.rows) == []
        rowlist.set_filter("NOTH")
        assert [r.id for r in rowlist.rows] == [3]
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)):
        rowlist = app.query_one(RowList)
        rowlist.set_filter("ws")  # default: all columns
        assert [r.id for r in rowlist.rows] == [2]


async def test_predicate_combines_with_filter() -> None:
    app = ListApp(numbered(40))
    async with app.run_test(size=(80, 24)):
        rowlist = app.query_one(RowList)
        rowlist.set_predicate(lambda r: r.kind == "srv")
        assert all(r.id % 2 == 0 for r in rowlist.rows) and len(rowlist.rows) == 20
        rowlist.set_filter("host-01")
        assert [r.id for r in rowlist.rows] == [10, 12, 14, 16, 18]
        rowlist.set_rows(numbered(40) + [Row(40, "host-010-bis", "srv")])  # re-applied
        assert [r.id for r in rowlist.rows] == [10, 12, 14, 16, 18, 40]
        rowlist.set_predicate(None)
        assert len(rowlist.rows) == 11


async def test_sort_keys_toggle_and_put_missing_values_last() -> None:
    rows = [Row(1, "b", "x"), Row(2, "C", None), Row(3, "a", "z"), Row(4, "d", "y")]
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        await pilot.press("o")  # first column: id
        assert rowlist.sort_column == "id"
        await pilot.press("o")  # next: name, case-insensitive
        assert [r.name for r in rowlist.rows] == ["a", "b", "C", "d"]
        assert "Name ▲" in lines(rowlist)[0]
        await pilot.press("O")
        assert [r.name for r in rowlist.rows] == ["d", "C", "b", "a"]
        assert "Name ▼" in lines(rowlist)[0]
        rowlist.sort_by("kind")
        assert [r.kind for r in rowlist.rows] == ["x", "y", "z", None]
        rowlist.sort_by("kind")  # same column: toggles
        assert [r.kind for r in rowlist.rows] == ["z", "y", "x", None]
        rowlist.sort_by("kind", reverse=True)  # explicit: stays
        assert rowlist.sort_reverse is True
        with pytest.raises(KeyError):
            rowlist.sort_by("nope")


async def test_sort_keeps_cursor_row_and_filter() -> None:
    app = ListApp(numbered(50))
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        rowlist.set_filter("host-01")
        await pilot.press("down", "down")
        assert rowlist.cursor_row.id == 12
        rowlist.sort_by("id", reverse=True)
        assert [r.id for r in rowlist.rows] == list(range(19, 9, -1))
        assert rowlist.cursor_row.id == 12


async def test_sort_of_mixed_types_does_not_fail() -> None:
    rows = [Row(1, "n", kind=3), Row(2, "n", kind="a"), Row(3, "n", kind=1)]  # type: ignore[arg-type]
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)):
        rowlist = app.query_one(RowList)
        rowlist.sort_by("kind")
        assert sorted(r.id for r in rowlist.rows) == [1, 2, 3]


async def test_space_selects_and_targets() -> None:
    app = ListApp(numbered(10))
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        assert [r.id for r in rowlist.targets()] == [0]  # nothing selected: the cursor row
        await pilot.press("space", "space", "down", "space")
        assert rowlist.selected_keys == {0, 1, 3}
        assert [r.id for r in rowlist.selected] == [0, 1, 3]
        assert rowlist.cursor_index == 4  # space moves down
        shown = lines(rowlist)
        assert shown[1].startswith("●") and shown[2].startswith("●") and shown[4].startswith("●")
        assert not shown[3].startswith("●")
        await pilot.press("up", "space")  # unselect 3
        await pilot.pause()
        changes = [m.keys for m in app.messages if isinstance(m, RowList.SelectionChanged)]
        assert changes[-1] == {0, 1}
        rowlist.set_filter("host-001")
        assert [r.id for r in rowlist.targets()] == [1]  # hidden selected rows are not targets
        rowlist.set_filter("host-00")
        assert [r.id for r in rowlist.targets()] == [0, 1]


async def test_single_select_list_has_no_gutter_and_ignores_space() -> None:
    app = ListApp(numbered(5), multi_select=False)
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        await pilot.press("space")
        assert rowlist.selected_keys == frozenset()
        assert rowlist.cursor_index == 0
        assert lines(rowlist)[1].startswith("    0 host-000")


async def test_set_rows_keeps_cursor_key_and_existing_selection() -> None:
    app = ListApp(numbered(100))
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        rowlist.select_keys({5, 60, 1000})
        assert rowlist.selected_keys == {5, 60}
        assert rowlist.move_cursor_to_key(60)
        await pilot.pause()
        assert 60 in shown_ids(rowlist)
        fresh = [r for r in reversed(numbered(100)) if r.id != 5]
        rowlist.set_rows(fresh)
        assert rowlist.cursor_row.id == 60
        assert rowlist.cursor_row is fresh[39]
        assert rowlist.selected_keys == {60}
        await pilot.pause()
        assert 60 in shown_ids(rowlist)
        # the cursor's key is gone: the cursor stays at the same place
        rowlist.set_rows([r for r in fresh if r.id != 60])
        assert rowlist.cursor_row.id == 59
        assert not rowlist.move_cursor_to_key(60)


async def test_hostile_strings_are_shown_literally() -> None:
    rows = [Row(i, text, kind=text) for i, text in enumerate(HOSTILE)]
    app = ListApp(rows)
    async with app.run_test(size=(120, 24)) as pilot:
        rowlist = app.query_one(RowList)
        shown = lines(rowlist)
        assert "[@click=app.quit]x[/]" in shown[1]
        assert "␛[31mred␛]52;c;ZXZpbA==␇" in shown[2]
        assert "<U+202E>evil" in shown[3]
        assert not any("\x1b" in line or "\u202e" in line or "\x07" in line for line in shown)
        screen = app.export_screenshot()
        assert "[@click=app.quit]x[/]" in screen.replace("&#160;", " ")
        await pilot.click(RowList, offset=(12, 1))  # the "link" is text: nothing happens
        await pilot.press("enter")
        assert app.is_running


async def test_80x24_layout() -> None:
    rows = [
        Row(1, "a-very-long-host-name-" * 5, "workstation", datetime(2024, 3, 5, 14, 7, 59, tzinfo=timezone.utc)),
        Row(22, "short", None, None),
    ] + numbered(100)
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)):
        rowlist = app.query_one(RowList)
        shown = lines(rowlist)
        assert len(shown) == 24
        assert all(cell_len(line) == 80 for line in shown)
        header = shown[0]
        assert header.split() == ["ID", "Name", "Kind", "Seen"]
        # the last column ends before the scrollbar's column
        assert header.rstrip().endswith("Seen") and len(header.rstrip()) <= 79
        first = shown[1]
        assert "2024-03-05 14:07" in first  # dates to the minute
        assert " worksta… " in first  # cut to the column with an ellipsis
        assert "a-very-long-host-name-a-very" in first and "…" in first[8:60]
        second = shown[2]
        assert second.split() == ["22", "short"]  # None shows as nothing
        assert sum(1 for line in shown[1:] if line.strip()) == 23


async def test_empty_and_filtered_out_states() -> None:
    app = ListApp([], empty_text="No IOCs in this case")
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        assert rowlist.cursor_row is None and rowlist.cursor_index is None
        assert rowlist.targets() == []
        assert any("No IOCs in this case" in line for line in lines(rowlist))
        await pilot.press("down", "enter", "space", "G")  # nothing breaks
        assert not [m for m in app.messages if isinstance(m, RowList.Chosen)]
        rowlist.set_rows(numbered(3))
        rowlist.set_filter("[zz]")
        assert any("No rows match “[zz]”" in line for line in lines(rowlist))


async def test_mouse_click_moves_cursor_double_click_chooses_header_sorts() -> None:
    app = ListApp(numbered(10))
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        await pilot.click(RowList, offset=(10, 4))
        assert rowlist.cursor_row.id == 3
        await pilot.double_click(RowList, offset=(10, 5))
        await pilot.pause()
        assert [m.row.id for m in app.messages if isinstance(m, RowList.Chosen)] == [4]
        await pilot.click(RowList, offset=(10, 0))  # the Name header
        assert rowlist.sort_column == "name"


def test_column_widths_fixed_first_flex_share_the_rest() -> None:
    columns = [Column("a", "A", str, width=10), Column("b", "B", str), Column("c", "C", str)]
    assert column_widths(columns, 50) == [10, 19, 19]  # 50 - 2 gaps - 10 = 38
    assert column_widths(columns, 51) == [10, 20, 19]
    assert column_widths(columns, 16) == [6, 4, 4]  # the fixed one shrinks first
    assert column_widths(columns, 12) == [4, 4, 4]  # never below a minimum: cut at the edge


def test_fit_cuts_with_ellipsis_and_respects_wide_characters() -> None:
    assert fit("abcdef", 4) == "abc…"
    assert fit("ab", 4, "right") == "  ab"
    assert cell_len(fit("日本語テキスト", 5)) == 5
    assert fit("日本語", 6) == "日本語"


async def test_search_text_is_computed_once_per_row() -> None:
    calls: list[int] = []

    def text(row: Row) -> str:
        calls.append(row.id)
        return row.name

    app = ListApp(numbered(10), search_text=text)
    async with app.run_test(size=(80, 24)):
        rowlist = app.query_one(RowList)
        assert calls == []  # small lists build the index on the first filter
        for query in ("host", "host-00", "host-0", "", "HOST-005"):
            rowlist.set_filter(query)
        assert sorted(calls) == list(range(10))
        assert [r.id for r in rowlist.rows] == [5]


async def test_large_lists_build_the_search_index_in_the_background() -> None:
    calls: list[int] = []

    def text(row: Row) -> str:
        calls.append(row.id)
        return row.name

    rows = [Row(i, f"host-{i}") for i in range(12_000)]
    app = ListApp(rows, search_text=text)
    async with app.run_test(size=(80, 24)) as pilot:
        rowlist = app.query_one(RowList)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(calls) == 12_000
        rowlist.set_filter("host-11999")
        assert len(calls) == 12_000
        assert [r.id for r in rowlist.rows] == [11999]


async def test_column_style_and_justify() -> None:
    columns = [
        Column("id", "ID", lambda r: r.id, width=6, justify="center"),
        Column("name", "Name", lambda r: r.name, style=lambda r: "red" if r.id == 1 else ""),
    ]

    class StyledApp(ListApp):
        def compose(self) -> ComposeResult:
            yield RowList(columns, multi_select=False)

    app = StyledApp([Row(1, "bad"), Row(2, "good")])
    async with app.run_test(size=(40, 10)):
        rowlist = app.query_one(RowList)
        first, second = rowlist.render_line(1), rowlist.render_line(2)
        assert first.text.startswith("  1    bad")  # centred in 6 cells, then the gap
        red = [seg for seg in first if seg.text.startswith("bad")]
        assert red and red[0].style is not None and red[0].style.color.name == "red"
        plain = [seg for seg in second if seg.text.startswith("good")]
        assert plain[0].style is None or plain[0].style.color is None or plain[0].style.color.name != "red"
