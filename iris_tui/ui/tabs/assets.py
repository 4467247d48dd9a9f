"""Assets tab: hosts, accounts and network gear of the case, their linked IOCs and events."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from iris_tui.api.assets import Asset
from iris_tui.ui.links import Link, show_links
from iris_tui.ui.tabs.editing import AssetEditor, EditableTab
from iris_tui.ui.tabs.objects import ObjectListTab, every_field, links_hint, merged, when
from iris_tui.ui.widgets.rowlist import Column

COMPROMISED = {0: "tbd", 1: "yes", 2: "no", 3: "unknown"}


def _compromised(asset: Asset) -> str | None:
    return COMPROMISED.get(asset.asset_compromise_status_id)  # type: ignore[arg-type]


class AssetsTab(ObjectListTab, EditableTab):
    tab_id = "assets"
    title = "Assets"
    editor = AssetEditor()
    BINDINGS = [Binding("L", "links", "Links", id="assets.links")]

    columns = [
        Column("name", "Name", lambda a: a.asset_name, min_width=14),
        Column("type", "Type", lambda a: a.type_name, width=18, min_width=10),
        Column("ip", "IP", lambda a: a.asset_ip, width=15, min_width=9),
        Column("compromised", "Compromised", _compromised, width=11, min_width=5,
               sort_key=lambda a: a.asset_compromise_status_id,
               style=lambda a: "bold red" if a.compromised else ""),
        Column("iocs", "IOCs", lambda a: len(a.ioc_ids), width=4, justify="right"),
    ]
    wide_columns = [
        Column("status", "Analysis", lambda a: a.status_name, width=11),
        Column("domain", "Domain", lambda a: a.asset_domain, width=14),
    ]

    async def fetch(self) -> Any:
        return await self.iris.assets.list(self.cid)

    async def fetch_one(self, row: Asset) -> Asset:
        """The single GET adds `asset_info`, custom attributes and the linked IOCs' types."""
        return merged(row, await self.iris.assets.get(self.cid, row.asset_id))

    def comments_resource(self) -> Any:
        return self.iris.assets.comments

    def search_text(self, asset: Asset) -> str:
        return "\t".join(str(v) for v in (
            asset.asset_id, asset.asset_name, asset.type_name, asset.asset_ip, asset.asset_domain,
            asset.asset_description, asset.asset_tags, asset.status_name, asset.compromise_name,
        ) if v)

    def copy_value(self, asset: Asset) -> object:
        """The hostname or account name (the IP when the asset has no name)."""
        return asset.asset_name or asset.asset_ip or asset.asset_id

    def detail_fields(self, asset: Asset) -> list[tuple[str, object]]:
        iocs = [
            f"{i.get('ioc_value')} ({i.get('type_name')})" if i.get("type_name") else i.get("ioc_value")
            for i in (asset.linked_ioc or asset.ioc_links or ()) if isinstance(i, dict)
        ]
        others = [
            f"{c.get('case_name')} (asset #{c.get('asset_id')})"
            for c in asset.link or () if isinstance(c, dict)
        ]
        shown: list[tuple[str, object]] = [
            ("Name", asset.asset_name),
            ("Type", asset.type_name),
            ("Compromise", asset.compromise_name),
            ("Analysis", asset.status_name),
            ("IP", asset.asset_ip),
            ("Domain", asset.asset_domain),
            ("Info", asset.asset_info),
            ("Tags", ", ".join(asset.tags)),
            ("Description", asset.asset_description),
            ("Linked IOCs", "\n".join(str(i) for i in iocs)),
            ("Links", links_hint("linked IOCs and events")),
            ("In other cases", "\n".join(others)),
            ("Added", asset.date_added),
            ("Updated", asset.date_update),
            ("ID", asset.asset_id),
            ("UUID", asset.asset_uuid),
        ]
        used = {
            "asset_name", "asset_type", "asset_type_id", "asset_compromise_status_id",
            "analysis_status", "analysis_status_id", "asset_ip", "asset_domain", "asset_info",
            "asset_tags", "asset_description", "linked_ioc", "ioc_links", "link", "date_added",
            "date_update", "asset_id", "asset_uuid", "asset_icon_compromised",
            "asset_icon_not_compromised",
        }
        return every_field(asset, shown, used)

    # -- links ------------------------------------------------------------------------------

    def action_links(self) -> None:
        asset = self.rows.cursor_row
        if asset is None:
            return

        async def iocs() -> list[Link]:
            full = await self.full(asset)
            items = full.linked_ioc or full.ioc_links or ()
            return [
                Link("IOC", "iocs", int(i["ioc_id"]), str(i.get("ioc_value") or ""),
                     str(i.get("type_name") or ""))
                for i in items if isinstance(i, dict) and i.get("ioc_id") is not None
            ]

        async def events() -> list[Link]:
            found = await self.iris.events.filter(self.cid, {"asset_id": [asset.asset_id]})
            return [Link("Event", "timeline", e.event_id, e.event_title, when(e.when)) for e in found]

        show_links(self, f"Links of asset {asset.asset_name}",
                   [("IOCs", iocs), ("events", events)])
