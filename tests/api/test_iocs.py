"""IOCs against recorded exchanges of a real IRIS 2.4.20 (and develop's /api/v2)."""

from __future__ import annotations

import pytest

from iris_tui.api import IrisBadRequestError, IrisNotFoundError, IrisServerError, IrisValidationError
from iris_tui.api.iocs import Ioc, IocAddResult, add_outcome
from iris_tui.api.listing import Listing, rows_from_raw
from support.case_objects import CID, at, dev, recorded, replay, sent_json


async def test_list_reads_the_singular_ioc_key():
    iris, transport = replay("172")
    iocs = await iris.iocs.list(CID)
    assert isinstance(iocs, Listing)
    assert (transport.sent[0].path, transport.sent[0].query) == ("/case/ioc/list", {"cid": "3"})
    assert [i.id for i in iocs] == [r["ioc_id"] for r in recorded("172")["ioc"]]
    domain = iocs[0]
    assert domain.value == "wrk-sync-cdn.top" and domain.type_name == "domain"
    assert domain.tlp_label == "amber" and domain.tags == ["c2"]
    no_tlp = next(i for i in iocs if i.id == 7)
    assert no_tlp.ioc_tlp_id is None and no_tlp.tlp_label is None and no_tlp.tags == []
    assert iocs.state.object_state == recorded("172")["state"]["object_state"]


async def test_list_shows_other_cases_linking_the_same_ioc():
    iris, _ = replay("195")
    shared = next(i for i in await iris.iocs.list(CID) if i.id == 1)
    assert shared.other_cases == [
        {"case_id": 1, "case_name": "#1 - Initial Demo", "client_name": "IrisInitialClient"}
    ]


async def test_get_and_unknown():
    iris, transport = replay("174", "179")
    ioc = await iris.iocs.get(CID, 1)
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.iocs.get(CID, 99999)
    assert transport.sent[0].path == "/case/ioc/1"
    assert isinstance(ioc.ioc_type, dict) and ioc.type_name == "ip-dst"
    assert ioc.ioc_tlp_id == 2 and ioc.tlp_label is None  # objects carry only the TLP id
    assert exc.value.message == "Invalid IOC ID for this case"


async def test_add_resolves_type_and_tlp_names():
    iris, transport = replay("011", "014", "159")
    result = await iris.iocs.add(
        CID, value="198.51.100.77", ioc_type="IP-DST", tlp="amber",
        description="Cobalt Strike team server (HTTPS beacon)", tags=["c2", "cobaltstrike"],
    )
    post = transport.sent[-1]
    assert (post.method, post.path, post.query) == ("POST", "/case/ioc/add", {"cid": "3"})
    assert post.json == sent_json("159")
    assert isinstance(result, IocAddResult)
    assert result.outcome == "added" and result.created and result.message == "IOC added"
    assert result.id == 1 and result.ioc.type_name == "ip-dst"


async def test_add_tells_linked_and_existing_apart():
    iris, transport = replay("014", "166", "193")
    linked = await iris.iocs.add(
        CID, value="198.51.100.77", ioc_type=77, tlp=1, description="different description"
    )
    existing = await iris.iocs.add(
        1, value="198.51.100.77", ioc_type=77, tlp=1, description="seen in the demo case"
    )
    assert linked.outcome == "linked" and not linked.created
    assert linked.message == "IOC already exists and linked to this case"
    # the server kept its own description and TLP
    assert linked.ioc.ioc_description == "Cobalt Strike team server (HTTPS beacon)"
    assert existing.outcome == "existing" and existing.ioc.ioc_tlp_id == 2
    assert transport.sent[-1].query == {"cid": "1"}


def test_add_outcome_messages():
    assert add_outcome("IOC added") == "added"
    assert add_outcome("IOC already existed in DB. Updated with info on DB.") == "existing"
    assert add_outcome("IOC already exists and linked to this case") == "linked"


async def test_add_without_tlp_sends_none():
    iris, transport = replay("165")
    result = await iris.iocs.add(
        CID, value="C:\\ProgramData\\LB3.exe", ioc_type=97, description="No TLP sent"
    )
    assert "ioc_tlp_id" not in transport.sent[0].json
    assert transport.sent[0].json["ioc_value"] == "C:\\ProgramData\\LB3.exe"
    assert result.ioc.ioc_tlp_id is None


@pytest.mark.parametrize("tlp", [99, 99999999999, "purple"])
async def test_unknown_tlp_is_refused_before_the_server_crashes(tlp):
    # 171: an unknown TLP id is an HTML 500 on the server; 201: a huge one a 400
    iris, transport = replay("014")
    with pytest.raises(IrisValidationError) as exc:
        await iris.iocs.add(CID, value="unknown-tlp.example", ioc_type=20, tlp=tlp)
    assert "ioc_tlp_id" in exc.value.fields
    assert [s.path for s in transport.sent] == ["/manage/tlp/list"]


async def test_over_long_tags_are_refused_with_the_server_message():
    iris, transport = replay()
    tags = sent_json("510")["ioc_tags"]
    with pytest.raises(IrisValidationError) as exc:
        await iris.iocs.add(CID, value="long-tags.example", ioc_type=20, tags=tags)
    assert exc.value.fields == recorded("510")
    assert transport.sent == []


async def test_server_validation_errors_keep_their_fields():
    iris, _ = replay("169", "170", "014", "204")
    with pytest.raises(IrisValidationError) as missing:
        await iris.iocs.add(CID, value=None, ioc_type=77)
    with pytest.raises(IrisValidationError) as unknown:
        await iris.iocs.add(CID, value="x", ioc_type=9999)
    with pytest.raises(IrisValidationError) as regex:
        await iris.iocs.add(CID, value="not-a-md5", ioc_type=90, tlp=2)
    assert missing.value.fields == {"ioc_value": ["Missing data for required field."]}
    assert unknown.value.fields == {"ioc_type_id": ["Invalid IOC type ID"]}
    assert list(regex.value.fields) == ["ioc_ioc_value"]  # the server's typo, kept
    assert "32 hexadecimal characters" in regex.value.fields["ioc_ioc_value"][0]


async def test_missing_type_is_refused_with_a_field():
    iris, transport = replay()
    with pytest.raises(IrisValidationError) as exc:
        await iris.iocs.add(CID, value="10.9.9.9", ioc_type=None)
    assert "ioc_type_id" in exc.value.fields and transport.sent == []


async def test_update_is_partial():
    iris, transport = replay("175")
    ioc = await iris.iocs.update(
        CID, 3, description="Beacon domain; registered 2025-02-20 via NameSilo",
        tags="c2, cobaltstrike",
    )
    post = transport.sent[0]
    assert (post.path, post.query) == ("/case/ioc/update/3", {"cid": "3"})
    assert post.json == sent_json("175")
    assert ioc.ioc_description.startswith("Beacon domain; registered")


async def test_type_change_always_carries_the_value():
    iris, transport = replay("011", at("174", "GET", "/case/ioc/5"), "176")
    await iris.iocs.update(CID, 5, ioc_type="filename")
    assert [s.path for s in transport.sent] == [
        "/manage/ioc-types/list", "/case/ioc/5", "/case/ioc/update/5",
    ]
    assert transport.sent[-1].json == {"ioc_type_id": 37, "ioc_value": recorded("174")["ioc_value"]}


async def test_update_unknown_is_a_server_error_in_2_4_20():
    iris, _ = replay("177")
    with pytest.raises(IrisServerError) as exc:
        await iris.iocs.update(CID, 99999, description="x")
    assert exc.value.status == 500 and exc.value.path == "/case/ioc/update/99999"


async def test_delete_says_deleted_or_unlinked():
    iris, transport = replay("197", "199", "198")
    assert await iris.iocs.delete(CID, 10) == "deleted"
    assert await iris.iocs.delete(1, 1) == "unlinked"
    with pytest.raises(IrisBadRequestError) as exc:
        await iris.iocs.delete(CID, 10)
    assert exc.value.message == "Not a valid IOC for this case"
    assert [(s.method, s.path, s.query["cid"]) for s in transport.sent] == [
        ("POST", "/case/ioc/delete/10", "3"), ("POST", "/case/ioc/delete/1", "1"),
        ("POST", "/case/ioc/delete/10", "3"),
    ]


async def test_state():
    iris, transport = replay("173", "200")
    before, after = await iris.iocs.state(CID), await iris.iocs.state(CID)
    assert transport.sent[0].path == "/case/ioc/state"
    assert before != after and after.object_state == 12


async def test_unicode_and_markup_round_trip():
    iris, transport = replay("014", "509")
    sent = sent_json("509")
    result = await iris.iocs.add(
        CID, value=sent["ioc_value"], ioc_type=20, tlp=2, description=sent["ioc_description"]
    )
    assert transport.sent[-1].json == sent
    assert result.ioc.value == sent["ioc_value"] and result.ioc.ioc_description == "[bold]x[/bold] \x1b[31m"


async def test_list_page_uses_api_v2_when_present():
    iris, transport = replay(dev("002"), dev("031"))
    page = await iris.iocs.list_page(2)
    assert transport.sent[1].path == "/api/v2/cases/2/iocs"
    assert transport.sent[1].query == {"page": "1", "per_page": "10"}
    assert page.total == 2 and not page.has_next
    first = page[0]
    assert first.type_name == "ip-dst" and first.tlp_label == "amber" and first.case_id == 2


async def test_list_page_without_api_v2():
    iris, transport = replay("465", "172")
    page = await iris.iocs.list_page(CID, page=1, per_page=2)
    assert [s.path for s in transport.sent] == ["/api/v2/cases", "/case/ioc/list"]
    assert [i.id for i in page] == [r["ioc_id"] for r in recorded("172")["ioc"][:2]]


def test_fast_rows_keep_unknown_fields_and_coerce_odd_types():
    rows = [
        {"ioc_id": 1, "ioc_value": "a", "future": True},
        {"ioc_id": 2, "ioc_value": "b"},
    ]
    fast = rows_from_raw(Ioc, rows)
    assert [i.extra for i in fast] == [{"future": True}, {}]
    # a numeric string id needs the lenient path, which still works
    odd = rows_from_raw(Ioc, [{"ioc_id": "3", "ioc_value": "c"}])
    assert odd[0].id == 3
