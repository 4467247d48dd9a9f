"""Evidences against recorded exchanges of a real IRIS 2.4.20."""

from __future__ import annotations

import datetime as dt

import pytest

from iris_tui.api import IrisNotFoundError, IrisValidationError
from iris_tui.api.listing import Listing
from support.case_objects import CID, recorded, replay, sent_json


async def test_list_newest_first_with_state():
    iris, transport = replay("297", "303", "408")
    assert await iris.evidences.list(CID) == []
    evidences = await iris.evidences.list(CID)
    after_datastore = await iris.evidences.list(CID)
    assert isinstance(evidences, Listing)
    assert (transport.sent[1].path, transport.sent[1].query) == ("/case/evidences/list", {"cid": "3"})
    assert [e.id for e in evidences] == [2, 1]
    kape = evidences[0]
    assert kape.type_name == "Collection - KAPE" and kape.added_by == "administrator"
    assert kape.start_date == dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.timezone.utc)
    assert kape.chain_of_custody == {"collected_by": "IR team", "media": "USB-0042"}
    assert evidences.state.object_state == 2
    assert after_datastore[0].type is None and after_datastore[0].type_name is None


async def test_get_state_and_unknown():
    iris, transport = replay("305", "304", "309")
    memory = await iris.evidences.get(CID, 1)
    state = await iris.evidences.state(CID)
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.evidences.get(CID, 99999)
    assert [s.path for s in transport.sent] == [
        "/case/evidences/1", "/case/evidences/state", "/case/evidences/99999",
    ]
    assert memory.name == "NW-DC01_memory.raw" and memory.file_size == 68719476736
    assert memory.acquisition_date == dt.datetime(2025, 3, 3, 9, 12, tzinfo=dt.timezone.utc)
    assert memory.extra == {"case": 3}
    assert state.object_state == 2
    assert exc.value.message == "Invalid evidence ID for this case"


async def test_add_resolves_the_type_name_and_formats_dates():
    iris, transport = replay("037", "298")
    sent = sent_json("298")
    evidence = await iris.evidences.add(
        CID, filename=sent["filename"], size=sent["file_size"], hash=sent["file_hash"],
        description=sent["file_description"], type="memory acquisition - physical ram",
        acquisition_date=dt.datetime(2025, 3, 3, 9, 12),
    )
    post = transport.sent[-1]
    assert (post.method, post.path, post.query) == ("POST", "/case/evidences/add", {"cid": "3"})
    # custom attributes are ignored on creation: not sent
    assert post.json == {k: v for k, v in sent.items() if k != "custom_attributes"}
    assert evidence.id == 1 and evidence.type_id == 42


async def test_add_with_aware_dates_and_chain_of_custody():
    iris, transport = replay("299")
    sent = sent_json("299")
    paris = dt.timezone(dt.timedelta(hours=1))
    await iris.evidences.add(
        CID, filename=sent["filename"], size=sent["file_size"], hash=sent["file_hash"],
        description=sent["file_description"], type=41,
        start_date=dt.datetime(2025, 3, 3, 9, 0, tzinfo=paris),  # 08:00 UTC
        end_date="2025-03-03T08:40:00", chain_of_custody=sent["chain_of_custody"],
    )
    assert transport.sent[0].json == sent


async def test_custom_attributes_are_applied_with_an_update():
    iris, transport = replay("298", "305", "306")
    attributes = {"Details": {"Ticket": "INC-9"}}
    await iris.evidences.add(CID, filename="NW-DC01_memory.raw", custom_attributes=attributes)
    assert [(s.method, s.path) for s in transport.sent] == [
        ("POST", "/case/evidences/add"), ("GET", "/case/evidences/1"),
        ("POST", "/case/evidences/update/1"),
    ]
    assert "custom_attributes" not in transport.sent[0].json
    assert transport.sent[2].json["custom_attributes"] == attributes
    assert transport.sent[2].json["filename"] == "NW-DC01_memory.raw"


async def test_errors_carry_the_server_words_and_fields():
    iris, transport = replay("300")
    with pytest.raises(IrisValidationError) as missing:
        await iris.evidences.add(CID, filename=None, size=10)
    with pytest.raises(IrisValidationError) as size:
        await iris.evidences.add(CID, filename="x.bin", size="big")
    with pytest.raises(IrisValidationError) as date:
        await iris.evidences.add(CID, filename="y.bin", acquisition_date="03/03/2025")
    assert missing.value.fields == recorded("300")
    assert size.value.fields == recorded("301")  # refused here, same words as the server
    assert date.value.fields == recorded("302")
    assert len(transport.sent) == 1


async def test_unknown_type_name_is_refused():
    iris, transport = replay("037")
    with pytest.raises(IrisValidationError) as exc:
        await iris.evidences.add(CID, filename="x.bin", type="Floppy disk")
    assert "type_id" in exc.value.fields and len(transport.sent) == 1


async def test_update_is_fetch_and_merge():
    iris, transport = replay("305", "306")
    evidence = await iris.evidences.update(
        CID, 1, description="WinPmem acquisition, verified by second analyst"
    )
    get, post = transport.sent
    assert (get.method, get.path) == ("GET", "/case/evidences/1")
    assert (post.method, post.path) == ("POST", "/case/evidences/update/1")
    assert post.json == {**sent_json("306"), "acquisition_date": "2025-03-03T09:12:00"}
    assert evidence.file_description == "WinPmem acquisition, verified by second analyst"


async def test_delete_and_again():
    iris, transport = replay("320", "321")
    assert await iris.evidences.delete(CID, 2) is None
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.evidences.delete(CID, 2)
    assert (transport.sent[0].path, transport.sent[0].json) == ("/case/evidences/delete/2", {})
    assert exc.value.message == "Invalid evidence ID for this case"
