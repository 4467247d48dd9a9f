"""The timeline event editor: date with its UTC offset, category, links to assets and IOCs.

What the web UI cannot do: add a new IOC or asset from here (ctrl+o / ctrl+t) without leaving
the event; the new object is linked to the event being edited.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button

from iris_tui.api.assets import Asset
from iris_tui.api.events import COLORS, Event
from iris_tui.api.iocs import IocAddResult
from iris_tui.ui.forms.base import FormScreen
from iris_tui.ui.forms.fields import (
    CheckboxField,
    Choice,
    DateTimeField,
    LookupField,
    MultiSelectField,
    SelectField,
    TagsField,
    TextAreaField,
    TextField,
    client_of,
    custom_attribute_fields,
)
from iris_tui.ui.forms.objects import AssetForm, IocForm, form_title, present
from iris_tui.ui.text import safe

COLOR_NAMES = ("white", "blue", "purple", "light blue", "green", "red", "orange")
COLOR_CHOICES = [Choice(Text("none"), "")] + [
    Choice(Text(f"{name}  {code}"), code, (name,)) for name, code in zip(COLOR_NAMES, COLORS)
]


def asset_choice(asset: Asset) -> Choice:
    label = safe(asset.asset_name, limit=50)
    if asset.type_name:
        label.append(f"  {asset.type_name}", style="dim")
    return Choice(label, asset.asset_id)


def ioc_choice(ioc_id: int, value: str, type_name: str | None) -> Choice:
    label = safe(value, limit=60)
    if type_name:
        label.append(f"  {type_name}", style="dim")
    return Choice(label, ioc_id)


class EventForm(FormScreen):
    BINDINGS = [
        Binding("ctrl+o", "new_ioc", "New IOC", id="event_form.new_ioc"),
        Binding("ctrl+t", "new_asset", "New asset", id="event_form.new_asset"),
    ]

    def __init__(self, cid: int, event: Event | None = None, *,
                 on_created: Callable[[str], None] | None = None) -> None:
        super().__init__(form_title("Edit" if event else "New", "event", event and event.event_title),
                         editing=event is not None)
        self.cid = cid
        self.event = event
        self.on_created = on_created  # told "assets" / "iocs" when this form created one

    def compose_fields(self) -> ComposeResult:
        e = self.event
        when = e.when if e else _dt.datetime.now().astimezone().replace(microsecond=0)
        yield TextField("event_title", "Title", e and e.event_title, required=True, min_length=2)
        yield DateTimeField("event_date", "When", when, tz=e.event_tz if e else None, with_tz=True,
                            required=True, aliases=("event_tz",))
        yield LookupField("event_category_id", "Category", "event_category",
                          e.event_category_id if e and e.event_category_id else "Unspecified")
        yield TextField("event_source", "Source", e and e.event_source,
                        placeholder="EDR, Security.evtx, proxy logs")
        yield MultiSelectField("event_assets", "Assets", (e.event_assets or ()) if e else (),
                               loader=self._assets)
        yield MultiSelectField("event_iocs", "IOCs", (e.event_iocs or ()) if e else (),
                               loader=self._iocs)
        yield CheckboxField("event_in_graph", "In graph", e.event_in_graph if e else True)
        yield CheckboxField("event_in_summary", "In summary", bool(e and e.event_in_summary))
        yield SelectField("event_color", "Colour", COLOR_CHOICES,
                          (e.event_color or "") if e else "", prompt="none")
        yield TagsField("event_tags", value=e and e.event_tags)
        yield TextAreaField("event_content", "Description", e and e.event_content)
        yield TextAreaField("event_raw", "Raw", e and e.event_raw)
        if e is not None:
            yield from custom_attribute_fields(e.custom_attributes)

    def compose_buttons(self) -> ComposeResult:
        yield Button("+IOC ^o", id="event-new-ioc", compact=True)
        yield Button("+asset ^t", id="event-new-asset", compact=True)

    async def _assets(self) -> list[Choice]:
        return [asset_choice(a) for a in await client_of(self).assets.list(self.cid)]

    async def _iocs(self) -> list[Choice]:
        return [ioc_choice(i.ioc_id, i.ioc_value, i.type_name)
                for i in await client_of(self).iocs.list(self.cid)]

    # -- new linked objects -----------------------------------------------------------------

    @on(Button.Pressed, "#event-new-ioc")
    def _ioc_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_new_ioc()

    @on(Button.Pressed, "#event-new-asset")
    def _asset_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_new_asset()

    def action_new_ioc(self) -> None:
        if self.app.refuse_write():  # type: ignore[attr-defined]
            return

        def created(result: IocAddResult | None) -> None:
            if result is None:
                return
            ioc = result.ioc
            field = self.field("event_iocs")
            assert isinstance(field, MultiSelectField)
            field.add_choice(ioc_choice(ioc.ioc_id, ioc.ioc_value, ioc.type_name))
            self.notify(f"IOC {result.outcome} and linked to this event: "
                        f"{safe(ioc.ioc_value, limit=60).plain}", markup=False)
            if self.on_created:
                self.on_created("iocs")

        self.app.push_screen(IocForm(self.cid), created)

    def action_new_asset(self) -> None:
        if self.app.refuse_write():  # type: ignore[attr-defined]
            return

        def created(asset: Asset | None) -> None:
            if asset is None:
                return
            field = self.field("event_assets")
            assert isinstance(field, MultiSelectField)
            field.add_choice(asset_choice(asset))
            self.notify(f"asset added and linked to this event: {safe(asset.asset_name, limit=60).plain}",
                        markup=False)
            if self.on_created:
                self.on_created("assets")

        self.app.push_screen(AssetForm(self.cid), created)

    # -- saving -----------------------------------------------------------------------------

    def field_for_error(self, key: str, message: str) -> Any:
        # IRIS reports an unknown IOC id under event_assets, and a bad offset under event_date
        if key == "event_assets" and "ioc" in message.lower():
            key = "event_iocs"
        return super().field_for_error(key, message)

    async def submit(self, values: dict[str, Any]) -> Event:
        when = values.pop("event_date", None)
        if when is not None:
            values["date"], values["tz"] = when
        if self.event is not None:
            return await self.iris.events.update(self.cid, self.event.event_id, **values)
        values = present(values)
        return await self.iris.events.add(
            self.cid, title=values.pop("event_title"), date=values.pop("date"), tz=values.pop("tz"),
            category=values.pop("event_category_id", "Unspecified"), **values,
        )
