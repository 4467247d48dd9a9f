"""The timeline against recorded exchanges of a real IRIS 2.4.20."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import httpx
import pytest

from iris_tui.api import IrisClient, IrisNotFoundError, IrisServerError, IrisValidationError
from iris_tui.api.events import (
    COLORS,
    Event,
    event_date_fields,
    format_offset,
    parse_offset,
    parse_timeline_filter,
)
from iris_tui.api.listing import Listing
from support.case_objects import CID, answer, recorded, replay, sent_json
from support.replay import transcript

PLUS_ONE = dt.timezone(dt.timedelta(hours=1))


async def test_list_gives_utc_and_the_analysts_wall_clock():
    iris, transport = replay("242", "259")
    assert await iris.events.list(CID) == []
    events = await iris.events.list(CID)
    assert isinstance(events, Listing) and transport.sent[1].path == "/case/timeline/events/list"
    assert transport.sent[1].query == {"cid": "3"}
    vpn = events[0]
    assert vpn.event_date == dt.datetime(2025, 3, 2, 21, 14, 5, tzinfo=dt.timezone.utc)
    assert vpn.when == dt.datetime(2025, 3, 2, 22, 14, 5, tzinfo=PLUS_ONE)
    assert vpn.when.utcoffset() == dt.timedelta(hours=1) and vpn.when == vpn.event_date
    assert vpn.category_name == "Initial Access" and vpn.tags == ["vpn", "initial-access"]
    assert vpn.iocs == ({"ioc_id": 2, "ioc_value": "203.0.113.45", "event_id": 1},)
    assert events[1].event_date.microsecond == 512000
    assert events.state.object_state == 5


async def test_list_for_asset_and_state():
    iris, transport = replay("260", "261", "262")
    linked = await iris.events.list_for_asset(CID, 2)
    everything = await iris.events.list_for_asset(CID, 0)
    state = await iris.events.state(CID)
    assert [s.path for s in transport.sent] == [
        "/case/timeline/events/list/filter/2", "/case/timeline/events/list/filter/0",
        "/case/timeline/state",
    ]
    assert [e.id for e in linked] == [4, 5] and len(everything) == 5
    assert state.object_state == 5


async def test_get_has_links_children_and_comment_map():
    iris, transport = replay("263", "264", "294")
    beacon = await iris.events.get(CID, 2)
    parent = await iris.events.get(CID, 4)
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.events.get(CID, 99999)
    assert transport.sent[0].path == "/case/timeline/events/2"
    assert beacon.event_assets == [3] and beacon.event_iocs == [1, 3] and beacon.comment_count == 0
    assert beacon.event_source == "EDR" and beacon.event_added.tzinfo is not None
    assert [c.id for c in parent.child_events] == [5]
    assert parent.child_events[0].parent_event_id == 4
    assert parent.event_color == ""  # a disallowed colour was stored as ""
    assert exc.value.message == "Invalid event ID for this case"


async def test_add_formats_the_date_and_resolves_the_category():
    iris, transport = replay("025", "243")
    sent = sent_json("243")
    event = await iris.events.add(
        CID, title=sent["event_title"], date=dt.datetime(2025, 3, 2, 22, 14, 5, tzinfo=PLUS_ONE),
        category="initial access", assets=[4], iocs=[2], content=sent["event_content"],
        raw=sent["event_raw"], source=sent["event_source"], tags=["vpn", "initial-access"],
        in_summary=True, color="#f2596199",
    )
    post = transport.sent[-1]
    assert (post.method, post.path, post.query) == ("POST", "/case/timeline/events/add", {"cid": "3"})
    assert post.json == {
        **sent,
        "event_date": "2025-03-02T22:14:05.000000",  # 6-digit fraction, mandatory
        "event_sync_iocs_assets": False,
    }
    assert event.id == 1 and event.when == dt.datetime(2025, 3, 2, 22, 14, 5, tzinfo=PLUS_ONE)
    assert event.event_assets is None  # the create answer has no links


async def test_add_naive_date_in_a_named_timezone():
    pytest.importorskip("zoneinfo").ZoneInfo("Europe/Paris")
    iris, transport = replay("244")
    await iris.events.add(
        CID, title="Cobalt Strike beacon from NW-WKS-1187",
        date=dt.datetime(2025, 3, 2, 22, 31, 40, 512000), tz="Europe/Paris", category=13,
        assets=[3], iocs=[1, 3],
    )
    body = transport.sent[0].json
    assert (body["event_date"], body["event_tz"]) == ("2025-03-02T22:31:40.512000", "+01:00")
    assert body["event_in_graph"] is True and body["event_in_summary"] is False
    assert body["custom_attributes"] == {}


async def test_add_child_event_naive_date_is_utc():
    iris, transport = replay("247")
    event = await iris.events.add(
        CID, title="Ransom note Restore-My-Files.txt written to every share",
        date=dt.datetime(2025, 3, 3, 3, 46), category=15, assets=[2], parent=4,
    )
    body = transport.sent[0].json
    assert body["event_date"] == "2025-03-03T03:46:00.000000" and body["event_tz"] == "+00:00"
    assert body["parent_event_id"] == 4 and body["event_iocs"] == []
    assert event.parent_event_id == 4


def test_event_date_fields():
    aware = dt.datetime(2025, 3, 3, 4, 0, tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30)))
    assert event_date_fields(aware) == {
        "event_date": "2025-03-03T04:00:00.000000", "event_tz": "-05:30",
    }
    # an aware date given with another tz is converted into it
    assert event_date_fields(aware, "+00:00")["event_date"] == "2025-03-03T09:30:00.000000"
    assert event_date_fields("2025-03-03T04:00:00", "Z")["event_tz"] == "+00:00"
    assert event_date_fields(dt.datetime(2025, 3, 3), dt.timedelta(hours=2))["event_tz"] == "+02:00"
    assert format_offset(dt.timedelta(hours=-3)) == "-03:00"
    assert parse_offset("+0530") == dt.timezone(dt.timedelta(hours=5, minutes=30))
    assert parse_offset("CET") is None


async def test_bad_date_or_tz_is_refused_with_the_server_words():
    iris, transport = replay()
    with pytest.raises(IrisValidationError) as date:
        await iris.events.add(CID, title="Bad date", date="2025-03-03 04:00:00 garbage")
    with pytest.raises(IrisValidationError) as tz:
        await iris.events.add(CID, title="Bad tz", date=dt.datetime(2025, 3, 3), tz="Mars/Olympus")
    assert date.value.fields == recorded("248")  # {"event_date": ["Not a valid datetime."]}
    assert "event_tz" in tz.value.fields
    assert transport.sent == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"color": "#not-allowed"}, "event_color"),  # the server would store "" silently (246)
        ({"in_summary": "true"}, "event_in_summary"),
        ({"assets": "NW-FS02"}, "event_assets"),
        ({"title": "NUL\x00"}, "event_title"),
    ],
)
async def test_input_checked_before_sending(kwargs, field):
    iris, transport = replay()
    args = {"title": "x", "date": dt.datetime(2025, 3, 3), "category": 1, **kwargs}
    with pytest.raises(IrisValidationError) as exc:
        await iris.events.add(CID, **args)
    assert field in exc.value.fields and transport.sent == []


async def test_server_errors_keep_their_fields():
    iris, _ = replay("256", "257", "258", "025")
    date = dt.datetime(2025, 3, 3, 4, 0)
    with pytest.raises(IrisValidationError) as category:
        await iris.events.add(CID, title="Unknown category", date=date, category=999)
    with pytest.raises(IrisValidationError) as asset:
        await iris.events.add(CID, title="Unknown asset", date=date, category=1, assets=[99999])
    with pytest.raises(IrisValidationError) as ioc:
        await iris.events.add(CID, title="Unknown ioc", date=date, category=1, iocs=[99999])
    with pytest.raises(IrisValidationError) as name:
        await iris.events.add(CID, title="x", date=date, category="Coffee break")
    assert category.value.fields == {"event_category_id": ["Invalid event category ID"]}
    assert asset.value.fields == {"event_assets": ["Invalid assets ID"]}
    assert ioc.value.fields == {"event_assets": ["Invalid IOC ID"]}  # the server's field
    assert "event_category_id" in name.value.fields


async def test_markup_round_trips():
    iris, transport = replay("511")
    sent = sent_json("511")
    event = await iris.events.add(
        CID, title=sent["event_title"], date=dt.datetime(2025, 3, 3, 5), category=1,
        content=sent["event_content"], tags=sent["event_tags"],
    )
    assert transport.sent[0].json["event_tags"] == sent["event_tags"]
    assert event.title == sent["event_title"]


async def test_update_resends_the_whole_event():
    iris, transport = replay("268", "265")
    content = "Service PSEXESVC installed (System 7045). Time corrected to local time."
    event = await iris.events.update(CID, 3, content=content)
    get, post = transport.sent
    assert (get.method, get.path) == ("GET", "/case/timeline/events/3")
    assert (post.method, post.path) == ("POST", "/case/timeline/events/update/3")
    current = recorded("268")
    assert post.json == {
        "event_title": current["event_title"], "event_category_id": 11,
        "event_assets": [1, 5], "event_iocs": [], "event_content": content,
        "event_source": current["event_source"], "event_tags": current["event_tags"],
        "event_in_graph": True, "event_in_summary": True,
        "event_date": "2025-03-03T02:02:00.000000", "event_tz": "+01:00",
    }
    assert event.event_assets == [1, 5] and event.when.hour == 2


@pytest.mark.parametrize(
    ("changes", "date", "tz"),
    [
        ({"tz": "+00:00"}, "2025-03-03T02:02:00.000000", "+00:00"),  # same wall clock
        ({"date": dt.datetime(2025, 3, 3, 1, 30)}, "2025-03-03T01:30:00.000000", "+01:00"),
        (
            {"date": dt.datetime(2025, 3, 3, 1, 30, tzinfo=dt.timezone.utc)},
            "2025-03-03T01:30:00.000000", "+00:00",
        ),
        (
            {"date": dt.datetime(2025, 3, 3, 1, 30, tzinfo=dt.timezone.utc), "tz": "+02:00"},
            "2025-03-03T03:30:00.000000", "+02:00",
        ),
    ],
)
async def test_update_dates(changes, date, tz):
    iris, transport = replay("268", "265")
    await iris.events.update(CID, 3, **changes)
    body = transport.sent[-1].json
    assert (body["event_date"], body["event_tz"]) == (date, tz)


async def test_update_links_replace_and_unknown_event():
    iris, transport = replay("025", "268", "265", "294")
    await iris.events.update(CID, 3, assets=[1], iocs=[], category="Lateral Movement")
    body = transport.sent[2].json
    assert body["event_assets"] == [1] and body["event_iocs"] == [] and body["event_category_id"] == 11
    with pytest.raises(IrisNotFoundError):
        await iris.events.update(CID, 99999, title="x")


async def test_delete_and_again():
    iris, transport = replay("292", "293")
    assert await iris.events.delete(CID, 6) is None
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.events.delete(CID, 6)
    assert (transport.sent[0].path, transport.sent[0].json) == ("/case/timeline/events/delete/6", {})
    assert exc.value.message == "Not a valid event ID for this case"


async def test_flag_and_duplicate_are_gets_that_write():
    iris, transport = replay("269", "270", "271")
    assert await iris.events.flag(CID, 4) is True
    assert await iris.events.flag(CID, 4) is False
    copy = await iris.events.duplicate(CID, 2)
    assert [(s.method, s.path) for s in transport.sent] == [
        ("GET", "/case/timeline/events/flag/4"), ("GET", "/case/timeline/events/flag/4"),
        ("GET", "/case/timeline/events/duplicate/2"),
    ]
    assert copy.id == 6 and copy.title.startswith("[DUPLICATED] - ")
    assert copy.event_uuid == recorded("263")["event_uuid"]  # uuids are not unique


async def test_writing_gets_are_never_retried():
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503, text="busy")

    iris = IrisClient("http://iris.test", "k", transport=httpx.MockTransport(handler), retries=2)
    iris._http.backoff = 0
    for call in (iris.events.flag(CID, 4), iris.events.duplicate(CID, 2), iris.events.get(CID, 2)):
        with pytest.raises(IrisServerError):
            await call
    assert calls == [
        "/case/timeline/events/flag/4", "/case/timeline/events/duplicate/2",
        *["/case/timeline/events/2"] * 3,  # a plain read is retried
    ]
    await iris.aclose()


async def test_convert_date():
    iris, transport = replay("272", "273", "274")
    text = await iris.events.convert_date(CID, "Mar 3 2025 03:45:10")
    epoch = await iris.events.convert_date(CID, "1740973510")
    with pytest.raises(IrisValidationError) as exc:
        await iris.events.convert_date(CID, "not a date")
    assert transport.sent[0].json == {"date_value": "Mar 3 2025 03:45:10"}
    assert transport.sent[0].path == "/case/timeline/events/convert-date"
    assert text == epoch == dt.datetime(2025, 3, 3, 3, 45, 10, tzinfo=dt.timezone.utc)
    assert exc.value.fields == {"date_value": ["Unable to find a matching date format"]}
    assert exc.value.status == 500  # what the server really answered


async def test_filter_sends_percent_encoded_json_inside_the_value():
    iris, transport = replay("275", "276", "278")
    by_asset = await iris.events.filter(
        CID, {"asset": ["NW-FS02"], "startDate": ["2025-03-03"], "endDate": "2025-03-04"}
    )
    by_text = await iris.events.filter(CID, "title:beacon AND category:Command and Control")
    everything = await iris.events.filter(CID, {})
    for sent, name in zip(transport.sent, ("275", "276", "278")):
        assert sent.path == "/case/timeline/advanced-filter"
        assert sent.query == transcript(name)["request"]["query"]  # cid + q, as recorded
    assert urllib.parse.unquote(transport.sent[1].query["q"]) == (
        '{"title": ["beacon"], "category": ["Command and Control"]}'
    )
    assert [e.id for e in by_asset] == [4, 5]
    row = by_asset[0]
    assert row.assets[0]["name"] == "NW-FS02 (Windows - Server)" and row.user == "administrator"
    assert row.event_added == dt.datetime(2026, 11, 24, 7, 42, 18, tzinfo=dt.timezone.utc)
    assert [e.id for e in by_text] == [2, 6] and len(everything) > 2
    assert by_asset.state is not None


def test_parse_timeline_filter():
    assert parse_timeline_filter(
        "asset:NW-FS02 AND asset:NW-DC01 AND startdate:2025-03-03T10:00:00 AND event_id:4"
    ) == {
        "asset": ["NW-FS02", "NW-DC01"], "startDate": ["2025-03-03T10:00:00"], "event_id": [4],
    }
    assert parse_timeline_filter("ioc:https://x.example/a:b") == {"ioc": ["https://x.example/a:b"]}
    assert parse_timeline_filter("  ") == {}
    for bad in ("beacon", "colour:red", "event_id:four", "title:"):
        with pytest.raises(ValueError):
            parse_timeline_filter(bad)


def test_flag_answer_with_null_dates_still_parses():
    raw = recorded("269")
    event = Event.from_raw(raw)
    assert event.flagged and event.event_date is None and event.when is None
    assert "registry" in event.extra


def test_colours_are_the_server_list():
    assert COLORS[0] == "#fff" and "#F2596199" in COLORS


async def test_add_without_links_sends_empty_lists():
    iris, transport = replay("247")
    await iris.events.add(
        CID, title="x", date=dt.datetime(2025, 3, 3), category=1, assets=None, iocs=None
    )
    body = transport.sent[0].json
    assert body["event_assets"] == [] and body["event_iocs"] == []  # else "Missing field"


async def test_custom_attributes_cannot_be_added_to_an_event_stored_without():
    # the event of 518 was stored with null attributes (read back through a GET)
    stored = {"status": "success", "message": "", "data": recorded("518")}
    iris, transport = replay(answer("GET", "/case/timeline/events/9", stored))
    with pytest.raises(IrisValidationError) as exc:
        await iris.events.update(CID, 9, custom_attributes={"Details": {"Ticket": "INC-1"}})
    assert "custom_attributes" in exc.value.fields
    assert [s.method for s in transport.sent] == ["GET"]
