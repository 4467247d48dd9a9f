"""Editors for the case objects with no workflow of their own: assets, IOCs and evidences."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult

from iris_tui.api.assets import Asset
from iris_tui.api.evidences import Evidence
from iris_tui.api.iocs import TAGS_LIMIT, Ioc
from iris_tui.ui.forms.base import FormScreen
from iris_tui.ui.forms.fields import (
    DateTimeField,
    LookupField,
    TagsField,
    TextAreaField,
    TextField,
    custom_attribute_fields,
)
from iris_tui.ui.forms.validate import check_integer, check_ioc_value, check_ips
from iris_tui.ui.text import plain


def form_title(verb: str, noun: str, name: object = None) -> Text:
    title = Text(f"{verb} {noun}")
    if name not in (None, ""):
        title.append(" ")
        title.append(plain(name, limit=50), style="italic")
    return title


def present(values: dict[str, Any]) -> dict[str, Any]:
    """What a creation sends: the fields that were filled in."""
    return {k: v for k, v in values.items() if v is not None and v != "" and v != []}


class AssetForm(FormScreen):
    def __init__(self, cid: int, asset: Asset | None = None) -> None:
        super().__init__(form_title("Edit" if asset else "New", "asset", asset and asset.asset_name),
                         editing=asset is not None)
        self.cid = cid
        self.asset = asset

    def compose_fields(self) -> ComposeResult:
        a = self.asset
        yield TextField("asset_name", "Name", a and a.asset_name, required=True,
                        placeholder="WS-FIN-01, svc_backup, fw-edge-1")
        yield LookupField("asset_type_id", "Type", "asset_type", a and a.asset_type_id, required=True)
        yield LookupField("asset_compromise_status_id", "Compromised", "compromise_status",
                          a.asset_compromise_status_id if a else "To be determined")
        yield LookupField("analysis_status_id", "Analysis", "analysis_status",
                          a.analysis_status_id if a else "Unspecified")
        yield TextField("asset_ip", "IP", a and a.asset_ip, checks=[check_ips],
                        placeholder="10.0.0.12 or 2001:db8::1")
        yield TextField("asset_domain", "Domain", a and a.asset_domain)
        yield TagsField("asset_tags", value=a and a.asset_tags)
        yield TextField("asset_info", "Info", a and a.asset_info)
        yield TextAreaField("asset_description", "Description", a and a.asset_description)
        if a is not None:
            yield from custom_attribute_fields(a.custom_attributes)

    async def submit(self, values: dict[str, Any]) -> Asset:
        if self.asset is not None:
            return await self.iris.assets.update(self.cid, self.asset.asset_id, **values)
        values = present(values)
        name, kind = values.pop("asset_name"), values.pop("asset_type_id")
        status = values.pop("analysis_status_id", "Unspecified")  # without one, lists skip it
        return await self.iris.assets.add(self.cid, name=name, asset_type=kind,
                                          analysis_status=status, **values)


class IocForm(FormScreen):
    def __init__(self, cid: int, ioc: Ioc | None = None) -> None:
        super().__init__(form_title("Edit" if ioc else "New", "IOC", ioc and ioc.ioc_value),
                         editing=ioc is not None)
        self.cid = cid
        self.ioc = ioc

    def compose_fields(self) -> ComposeResult:
        i = self.ioc
        yield TextField("ioc_value", "Value", i and i.ioc_value, required=True,
                        aliases=("ioc_ioc_value",), placeholder="evil.example, 185.220.101.4, a hash")
        yield LookupField("ioc_type_id", "Type", "ioc_type", i and i.ioc_type_id, required=True)
        yield LookupField("ioc_tlp_id", "TLP", "tlp", i.ioc_tlp_id if i else "amber")
        yield TagsField("ioc_tags", value=i and i.ioc_tags, limit=TAGS_LIMIT)
        yield TextAreaField("ioc_description", "Description", i and i.ioc_description)
        if i is not None:
            yield from custom_attribute_fields(i.custom_attributes)

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        kind = self.field("ioc_type_id").selected_label  # type: ignore[attr-defined]
        message = check_ioc_value(kind, values.get("ioc_value") or "")
        return {"ioc_value": message} if message else {}

    async def submit(self, values: dict[str, Any]) -> Any:
        if self.ioc is not None:
            return await self.iris.iocs.update(self.cid, self.ioc.ioc_id, **values)
        values = present(values)
        return await self.iris.iocs.add(
            self.cid, value=values.pop("ioc_value"), ioc_type=values.pop("ioc_type_id"),
            tlp=values.pop("ioc_tlp_id", None), **values,
        )


class EvidenceForm(FormScreen):
    def __init__(self, cid: int, evidence: Evidence | None = None) -> None:
        super().__init__(form_title("Edit" if evidence else "New", "evidence",
                                    evidence and evidence.filename), editing=evidence is not None)
        self.cid = cid
        self.evidence = evidence

    def compose_fields(self) -> ComposeResult:
        e = self.evidence
        yield TextField("filename", "File name", e and e.filename, required=True, min_length=2,
                        placeholder="WS-FIN-01_memory.raw")
        yield LookupField("type_id", "Type", "evidence_type", e.type_id if e else "Unspecified")
        yield TextField("file_size", "Size (bytes)", e and e.file_size, checks=[check_integer])
        yield TextField("file_hash", "Hash", e and e.file_hash)
        yield DateTimeField("acquisition_date", "Acquired (UTC)", e and _naive(e.acquisition_date))
        yield DateTimeField("start_date", "Covers from", e and _naive(e.start_date))
        yield DateTimeField("end_date", "Covers until", e and _naive(e.end_date))
        yield TextAreaField("file_description", "Description", e and e.file_description)
        if e is not None:
            yield from custom_attribute_fields(e.custom_attributes)

    async def submit(self, values: dict[str, Any]) -> Evidence:
        if values.get("file_size") == "":
            del values["file_size"]  # IRIS cannot clear a size
        elif values.get("file_size") is not None:
            values["file_size"] = int(values["file_size"])
        if self.evidence is not None:
            return await self.iris.evidences.update(self.cid, self.evidence.id, **values)
        values = present(values)
        return await self.iris.evidences.add(self.cid, filename=values.pop("filename"), **values)


def _naive(value: Any) -> Any:
    """Evidence dates are stored as typed (naive); shown the same."""
    return value.replace(tzinfo=None) if value is not None else None
