"""IOCs tab: the case's indicators, and the assets and events that use them.

IOC values come straight from attackers' infrastructure: every one is shown through `safe()`
(by the RowList and the detail pane), never as markup.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from iris_tui.api.iocs import Ioc
from iris_tui.ui.links import Link, show_links
from iris_tui.ui.tabs.editing import EditableTab, IocEditor
from iris_tui.ui.tabs.objects import ObjectListTab, every_field, links_hint, merged, when
from iris_tui.ui.widgets.rowlist import Column

TLP_STYLES = {"red": "bold red", "amber": "yellow", "amber+strict": "bold yellow", "green": "green"}


class IocsTab(ObjectListTab, EditableTab):
    tab_id = "iocs"
    title = "IOCs"
    editor = IocEditor()
    BINDINGS = [
        Binding("L", "links", "Links", id="iocs.links"),
        Binding("P", "paste_iocs", "Paste IOCs", id="iocs.paste"),
    ]

    columns = [
        Column("value", "Value", lambda i: i.ioc_value, min_width=20),
        Column("type", "Type", lambda i: i.type_name, width=12, min_width=6),
        Column("tlp", "TLP", lambda i: i.tlp_label, width=8, min_width=5,
               sort_key=lambda i: i.ioc_tlp_id,
               style=lambda i: TLP_STYLES.get((i.tlp_label or "").lower(), "")),
        Column("tags", "Tags", lambda i: ", ".join(i.tags), width=14, min_width=6),
    ]
    wide_columns = [
        Column("description", "Description", lambda i: i.ioc_description, min_width=12),
        Column("cases", "Cases", lambda i: len(i.other_cases) or None, width=5, justify="right"),
    ]

    async def fetch(self) -> Any:
        return await self.iris.iocs.list(self.cid, preview=self.preview)

    async def fetch_one(self, row: Ioc) -> Ioc:
        """The single GET adds custom attributes, enrichment and the type's description."""
        return merged(row, await self.iris.iocs.get(self.cid, row.ioc_id))

    def comments_resource(self) -> Any:
        return self.iris.iocs.comments

    def search_text(self, ioc: Ioc) -> str:
        return "\t".join(str(v) for v in (
            ioc.ioc_id, ioc.ioc_value, ioc.type_name, ioc.tlp_label, ioc.ioc_tags,
            ioc.ioc_description,
        ) if v)

    def copy_value(self, ioc: Ioc) -> object:
        return ioc.ioc_value

    def detail_fields(self, ioc: Ioc) -> list[tuple[str, object]]:
        kind = ioc.ioc_type if isinstance(ioc.ioc_type, dict) else {}
        others = [
            f"{c.get('case_name')} ({c.get('client_name')})" if c.get("client_name") else c.get("case_name")
            for c in ioc.other_cases
        ]
        shown: list[tuple[str, object]] = [
            ("Value", ioc.ioc_value),
            ("Type", ioc.type_name),
            ("Type means", kind.get("type_description")),
            ("TLP", ioc.tlp_label),
            ("Tags", ", ".join(ioc.tags)),
            ("Description", ioc.ioc_description),
            ("Links", links_hint("the assets and events using it")),
            ("In other cases", "\n".join(str(c) for c in others)),
            ("MISP", ioc.ioc_misp),
            ("MISP link", ioc.misp_link),
            ("Enrichment", ioc.ioc_enrichment),
            ("Added by user", ioc.user_id),
            ("ID", ioc.ioc_id),
            ("UUID", ioc.ioc_uuid),
        ]
        used = {
            "ioc_value", "ioc_type", "ioc_type_id", "tlp_name", "tlp_bscolor", "ioc_tlp_id", "tlp",
            "ioc_tags", "ioc_description", "link", "ioc_misp", "misp_link", "ioc_enrichment",
            "user_id", "ioc_id", "ioc_uuid",
        }
        return every_field(ioc, shown, used)

    # -- links ------------------------------------------------------------------------------

    def action_links(self) -> None:
        ioc = self.rows.cursor_row
        if ioc is None:
            return

        async def assets() -> list[Link]:
            tab = self.screen.tab("assets") if hasattr(self.screen, "tab") else None
            rows = list(tab.rows.all_rows) if tab is not None and tab.loaded else None
            if rows is None:
                rows = await self.iris.assets.list(self.cid)
            return [
                Link("Asset", "assets", a.asset_id, a.asset_name,
                     " ".join(str(v) for v in (a.type_name, a.asset_ip) if v))
                for a in rows if ioc.ioc_id in a.ioc_ids
            ]

        async def events() -> list[Link]:
            # list rows carry their IOC ids; the advanced filter matches values, not ids
            timeline = await self.iris.events.list(self.cid)
            return [
                Link("Event", "timeline", e.event_id, e.event_title, when(e.when))
                for e in timeline
                if any(isinstance(i, dict) and i.get("ioc_id") == ioc.ioc_id for i in e.iocs or ())
            ]

        show_links(self, f"Links of IOC {ioc.ioc_value}", [("assets", assets), ("events", events)])

    # -- bulk paste -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "paste_iocs" and self.app.read_only:  # type: ignore[attr-defined]
            return False
        return super().check_action(action, parameters)

    def action_paste_iocs(self) -> None:
        """IOCs found in pasted text, reviewed in a table, added in one go."""
        if self.app.refuse_write():  # type: ignore[attr-defined]
            return
        from iris_tui.ui.screens.bulk_iocs import BulkIocScreen

        def closed(added: bool | None) -> None:
            if added:
                self.after_write()

        title = getattr(self.screen, "case_title", None)
        self.app.push_screen(BulkIocScreen(self.cid, case_title=title), closed)
