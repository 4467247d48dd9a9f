"""Assets against recorded exchanges of a real IRIS 2.4.20 (and develop's /api/v2)."""

from __future__ import annotations

import pytest

from iris_tui.api import IrisNotFoundError, IrisValidationError
from iris_tui.api.assets import Asset
from iris_tui.api.listing import Listing, Page
from iris_tui.api.state import ObjectState
from support.case_objects import CID, at, dev, recorded, replay, sent_json


async def test_list_reads_filter_so_assets_without_status_are_not_hidden():
    iris, transport = replay("128")
    assets = await iris.assets.list(CID)
    assert isinstance(assets, Listing)
    assert (transport.sent[0].method, transport.sent[0].path) == ("GET", "/case/assets/filter")
    assert transport.sent[0].query == {"cid": "3"}
    # NW-FS03 (id 6) has no analysis status: /case/assets/list (127) leaves it out
    flat_ids = {a["asset_id"] for a in recorded("127")["assets"]}
    assert 6 not in flat_ids
    fs03 = next(a for a in assets if a.id == 6)
    assert fs03.name == "NW-FS03" and fs03.status_name is None
    assert fs03.type_name == "Windows - Server"
    dc = next(a for a in assets if a.id == 1)
    assert dc.type_name == "Windows - DC" and dc.status_name == "Started" and dc.compromised
    assert dc.asset_info == "Dell R640, site STO" and dc.tags == ["dc", "tier0"]
    assert assets.state == ObjectState.from_raw(recorded("128")["state"])


async def test_list_falls_back_to_flat_rows_before_2_4_15():
    # an HTML 404 for /case/assets/filter (recorded for another unknown route) -> /list, remembered
    iris, transport = replay(at("466", "GET", "/case/assets/filter"), "127", "182")
    first = await iris.assets.list(CID)
    second = await iris.assets.list(CID)
    assert [s.path for s in transport.sent] == [
        "/case/assets/filter", "/case/assets/list", "/case/assets/list",
    ]
    assert [a.id for a in first] == [a["asset_id"] for a in recorded("127")["assets"]]
    assert first[0].type_name == "Windows - DC" and first[0].status_name == "Started"
    assert first.state is not None and first.state.object_state == 7
    wks = next(a for a in second if a.id == 3)
    assert wks.ioc_ids == [1, 3, 6]
    assert wks.ioc_links[0] == {"ioc_id": 1, "ioc_value": "198.51.100.77", "asset_id": 3}
    assert next(a for a in second if a.id == 1).ioc_links is None  # null, not []


async def test_state():
    iris, transport = replay("129")
    state = await iris.assets.state(CID)
    assert state.object_state == 7 and state.object_last_update.tzinfo is not None
    assert transport.sent[0].path == "/case/assets/state"


async def test_get_nests_type_and_status_objects():
    iris, transport = replay("130", "131", "181")
    dc = await iris.assets.get(CID, 1)
    fs03 = await iris.assets.get(CID, 6)
    wks = await iris.assets.get(CID, 3)
    assert [s.path for s in transport.sent] == ["/case/assets/1", "/case/assets/6", "/case/assets/3"]
    assert isinstance(dc.asset_type, dict) and dc.type_name == "Windows - DC"
    assert dc.status_name == "Started" and dc.compromise_name == "Compromised"
    assert dc.date_added.tzinfo is not None and dc.custom_attributes == {}
    assert fs03.analysis_status is None and fs03.status_name is None and fs03.custom_attributes is None
    assert wks.ioc_ids == [1, 6, 3]
    assert wks.linked_ioc[0]["type_name"] == "ip-dst"


async def test_get_unknown_carries_the_server_message():
    iris, _ = replay("136")
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.assets.get(CID, 99999)
    assert exc.value.message == "Invalid asset ID for this case" and exc.value.status == 400


async def test_add_resolves_names_and_sends_what_the_server_wants():
    iris, transport = replay("007", "016", "020", "115")
    asset = await iris.assets.add(
        CID, name="NW-DC01", asset_type="windows - dc", analysis_status="Started",
        compromise_status="Compromised", ip="10.20.0.10", domain="northwind.local",
        description="Primary domain controller (Windows Server 2019)",
        tags=["dc", "tier0"], info="Dell R640, site STO",
    )
    post = transport.sent[-1]
    assert (post.method, post.path, post.query) == ("POST", "/case/assets/add", {"cid": "3"})
    assert post.content_type == "application/json"
    assert post.json == sent_json("115")  # tags as one comma string, custom_attributes {}
    assert asset.id == 1 and asset.type_name == "Windows - DC" and asset.status_name == "Started"


async def test_add_defaults_to_unspecified_status_and_accepts_ids():
    iris, transport = replay("016", "125")
    asset = await iris.assets.add(CID, name="NW-PRN-01", asset_type="13", compromise_status=2)
    assert transport.sent[-1].json == {
        "asset_name": "NW-PRN-01", "asset_type_id": 13, "analysis_status_id": 1,
        "asset_compromise_status_id": 2, "custom_attributes": {},
    }
    assert asset.status_name == "Unspecified" and asset.compromise_name == "Not compromised"


async def test_add_errors_carry_the_server_words_and_fields():
    iris, _ = replay("121", "124")
    with pytest.raises(IrisValidationError) as duplicate:
        await iris.assets.add(CID, name="nw-dc01", asset_type=11, analysis_status=1)
    with pytest.raises(IrisValidationError) as unknown:
        await iris.assets.add(CID, name="x-unknown-type", asset_type=999, analysis_status=1)
    assert duplicate.value.fields == {"": ["Asset name already exists in this case"]}
    assert unknown.value.fields == {"asset_type_id": ["Invalid asset type ID"]}


async def test_unknown_type_name_is_refused_before_sending():
    iris, transport = replay("007")
    with pytest.raises(IrisValidationError) as exc:
        await iris.assets.add(CID, name="x", asset_type="Mainframe", analysis_status=1)
    assert "asset_type_id" in exc.value.fields
    assert "Mainframe" in exc.value.fields["asset_type_id"][0]
    assert [s.path for s in transport.sent] == ["/manage/asset-type/list"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "NW\x00FS"}, "asset_name"),  # the server answers an HTML 500 (494)
        ({"name": 12345}, "asset_name"),  # likewise (517)
        ({"name": "x", "compromise_status": 7}, "asset_compromise_status_id"),
        ({"name": "x", "custom_attributes": ["a"]}, "custom_attributes"),
    ],
)
async def test_input_the_server_would_crash_on_is_refused(kwargs, field):
    iris, transport = replay()
    with pytest.raises(IrisValidationError) as exc:
        await iris.assets.add(CID, asset_type=9, analysis_status=1, **kwargs)
    assert field in exc.value.fields
    assert transport.sent == []


async def test_hostile_text_is_sent_and_read_back_verbatim():
    iris, transport = replay("482", "483", "490")
    markup = sent_json("482")["asset_name"]
    added = await iris.assets.add(
        CID, name=markup, asset_type=9, analysis_status=1, description=markup,
        tags=sent_json("482")["asset_tags"],
    )
    back = await iris.assets.get(CID, added.id)
    control = sent_json("490")["asset_name"]
    odd = await iris.assets.add(CID, name=control, asset_type=9, analysis_status=1)
    assert transport.sent[0].json == sent_json("482")
    assert added.name == back.name == markup
    assert odd.name == control and "\x07" in odd.name


async def test_update_fetches_then_resends_name_and_type():
    iris, transport = replay("135", "132")
    asset = await iris.assets.update(
        CID, 2, analysis_status=3,
        description="File server, encrypted at 03:45 UTC; memory acquired",
        tags=["fileserver", "encrypted", "isolated"],
    )
    get, post = transport.sent
    assert (get.method, get.path) == ("GET", "/case/assets/2")
    assert (post.method, post.path, post.query) == ("POST", "/case/assets/update/2", {"cid": "3"})
    assert post.json == sent_json("132")
    assert asset.asset_tags == "fileserver,encrypted,isolated"


async def test_update_ioc_links_replace_the_set():
    iris, transport = replay("016", "181", "180")
    asset = await iris.assets.update(CID, 3, analysis_status="Done", ioc_links=[1, 3, 6])
    assert transport.sent[-1].json == sent_json("180")
    assert asset.ioc_ids == [1, 3, 6]


async def test_update_accepts_iris_field_names_and_leaves_links_alone():
    iris, transport = replay("135", "132")
    await iris.assets.update(CID, 2, asset_description="d", asset_ip="10.0.0.1")
    assert transport.sent[-1].json == {
        "asset_name": "NW-FS02", "asset_type_id": 10, "asset_description": "d",
        "asset_ip": "10.0.0.1",
    }


async def test_update_unknown_asset():
    iris, transport = replay("136")
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.assets.update(CID, 99999, description="x")
    assert exc.value.message == "Invalid asset ID for this case"
    assert len(transport.sent) == 1


async def test_update_custom_attributes_on_null_attributes_is_refused():
    # 137: the server answers an HTML 500 for this
    iris, transport = replay("131")
    with pytest.raises(IrisValidationError) as exc:
        await iris.assets.update(CID, 6, custom_attributes={"Details": {"Owner": "Finance IT"}})
    assert "custom_attributes" in exc.value.fields
    assert [s.method for s in transport.sent] == ["GET"]


async def test_delete_and_delete_again():
    iris, transport = replay("141", "144")
    assert await iris.assets.delete(CID, 8) is None
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.assets.delete(CID, 8)
    assert (transport.sent[0].method, transport.sent[0].path) == ("POST", "/case/assets/delete/8")
    assert transport.sent[0].json == {} and transport.sent[0].query == {"cid": "3"}
    assert exc.value.message == "Invalid asset ID for this case"


async def test_list_page_slices_the_legacy_list_without_api_v2():
    iris, transport = replay("465", "128")
    page = await iris.assets.list_page(CID, page=2, per_page=3)
    assert [s.path for s in transport.sent] == ["/api/v2/cases", "/case/assets/filter"]
    everything = [a["asset_id"] for a in recorded("128")["assets"]]
    assert isinstance(page, Page) and [a.id for a in page] == everything[3:6]
    assert page.total == len(everything) and page.page == 2
    assert page.last_page == -(-len(everything) // 3) and page.has_next == (page.last_page > 2)


async def test_list_page_uses_api_v2_when_present():
    iris, transport = replay(dev("002"), dev("021"))
    page = await iris.assets.list_page(2, page=1, per_page=1)
    probe, listing = transport.sent
    assert probe.path == "/api/v2/cases"
    assert listing.path == "/api/v2/cases/2/assets"
    assert listing.query == {"page": "1", "per_page": "1"}  # case in the path, no cid
    assert page.total == 2 and page.last_page == 2 and page.has_next
    assert [a.name for a in page] == ["NW-FS02"] and page[0].type_name == "Windows - Server"


def test_model_keeps_unknown_fields():
    asset = Asset.from_raw({"asset_id": 1, "asset_name": "x", "future_field": 42})
    assert asset.extra == {"future_field": 42} and asset.ioc_ids == []
