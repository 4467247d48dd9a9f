"""The typed fast path of list answers (issue 9): same models as the plain path, extras kept."""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import pkgutil
import re
import typing

import httpx
import msgspec
import pytest
from support.replay import all_transcripts

import iris_tui.api
from iris_tui.api import IrisClient, listing
from iris_tui.api.assets import Asset
from iris_tui.api.events import Event
from iris_tui.api.evidences import Evidence
from iris_tui.api.iocs import Ioc
from iris_tui.api.listing import Listing, listing_from, member, rows_from_raw, state_of
from iris_tui.api.model import AwareDate, Model
from iris_tui.api.tasks import Task

ENDPOINTS = [
    (re.compile(r"/case/ioc/list$"), Ioc, "ioc"),
    (re.compile(r"/case/timeline/(events/list(/filter/\d+)?|advanced-filter)$"), Event, "timeline"),
    (re.compile(r"/case/assets/(list|filter)$"), Asset, "assets"),
    (re.compile(r"/case/tasks/list$"), Task, "tasks"),
    (re.compile(r"/case/evidences/list$"), Evidence, "evidences"),
]


def recorded_lists() -> list[tuple[str, type, str, dict]]:
    out = []
    for name, ex in all_transcripts():
        body = ex["response"].get("body")
        if not (isinstance(body, dict) and body.get("status") == "success"):
            continue
        for pattern, model, key in ENDPOINTS:
            if pattern.match(ex["request"]["path"]):
                out.append((name, model, key, body["data"]))
    return out


RECORDED = recorded_lists()


@pytest.fixture
def plain_calls(monkeypatch):
    """Counts the calls of the plain (dict) path."""
    calls = []
    plain = listing.rows_from_raw

    def spy(model, rows):
        calls.append(model)
        return plain(model, rows)

    monkeypatch.setattr(listing, "rows_from_raw", spy)
    return calls


def slow(model, data, key) -> Listing:
    return Listing(rows_from_raw(model, member(data, key)), state_of(data))


def raw(data) -> msgspec.Raw:
    return msgspec.Raw(json.dumps(data).encode())


def test_every_list_endpoint_is_recorded():
    assert {m for _, m, _, _ in RECORDED} == {Ioc, Event, Asset, Task, Evidence}
    assert sum(1 for _, m, _, d in RECORDED if m is Event and d.get("timeline")) >= 3


@pytest.mark.parametrize("name,model,key,data", RECORDED, ids=[r[0] for r in RECORDED])
def test_recorded_answers_decode_as_on_the_plain_path(name, model, key, data, plain_calls):
    expected = slow(model, data, key)
    plain_calls.clear()
    got = listing_from(model, raw(data), key)
    assert list(got) == list(expected)  # every field, `.extra` included
    assert [type(o) for o in got] == [type(o) for o in expected]
    assert [o.extra for o in got] == [o.extra for o in expected]
    assert got.state == expected.state
    known = model._fields()
    known_shape = (
        data.get(key) is not None and model is not Task  # Task has its own `prepare`
        and all(known.issuperset(row) for row in data[key])
    )
    assert (plain_calls == []) == bool(known_shape)


def test_recorded_event_dates_are_utc_aware_on_the_fast_path(plain_calls):
    rows = [d for _, m, _, d in RECORDED if m is Event and d.get("timeline")]
    events = [e for data in rows for e in listing_from(Event, raw(data), "timeline")]
    assert plain_calls == []
    added = [e.event_added for e in events if e.event_added is not None]
    assert added and all(d.tzinfo is _dt.timezone.utc for d in added)
    assert all(e.event_date.utcoffset() == _dt.timedelta(0) for e in events if e.event_date)


def ioc_row(i: int, **more) -> dict:
    return {"ioc_id": i, "ioc_value": f"h{i}.example", "ioc_type": "domain", "ioc_tlp_id": 2,
            "link": [], **more}


def answer(rows: list[dict]) -> dict:
    return {"ioc": rows, "state": {"object_state": 4, "object_last_update": "2025-03-04T10:00:00.1"}}


def test_known_rows_take_the_typed_path(plain_calls):
    got = listing_from(Ioc, raw(answer([ioc_row(i) for i in range(1, 1001)])), "ioc")
    assert plain_calls == []
    assert len(got) == 1000 and got[999].ioc_value == "h1000.example" and got[0].extra == {}
    assert got.state is not None and got.state.object_state == 4


@pytest.mark.parametrize("where", [0, 500, 999])
def test_an_unknown_key_takes_the_plain_path_and_lands_in_extra(where, plain_calls):
    rows = [ioc_row(i) for i in range(1, 1001)]
    rows[where] = ioc_row(where + 1, ioc_new_field={"a": 1})
    got = listing_from(Ioc, raw(answer(rows)), "ioc")
    assert plain_calls == [Ioc]
    assert got[where].extra == {"ioc_new_field": {"a": 1}}
    assert got[where].to_dict()["ioc_new_field"] == {"a": 1}
    assert got == slow(Ioc, answer(rows), "ioc")


def test_a_value_the_typed_decode_refuses_takes_the_plain_path(plain_calls):
    rows = [ioc_row(1), ioc_row(2, ioc_tlp_id="3")]  # a string id: only the lenient path coerces
    got = listing_from(Ioc, raw(answer(rows)), "ioc")
    assert plain_calls == [Ioc]
    assert [o.ioc_tlp_id for o in got] == [2, 3]


@pytest.mark.parametrize("data", [[], {"ioc": None}, {"ioc": []}, {"other": 1}])
def test_odd_answers_keep_the_plain_behaviour(data):
    if not isinstance(data, dict):
        with pytest.raises(Exception) as plain_error:
            slow(Ioc, data, "ioc")
        with pytest.raises(type(plain_error.value)):
            listing_from(Ioc, raw(data), "ioc")
    else:
        assert listing_from(Ioc, raw(data), "ioc") == slow(Ioc, data, "ioc") == []


async def test_the_client_decodes_ioc_lists_typed_and_keeps_a_lone_surrogate(plain_calls):
    bodies = [
        json.dumps({"status": "success", "message": "", "data": answer([ioc_row(1)])}).encode(),
        b'{"status": "success", "message": "", "data": {"ioc": [{"ioc_id": 1, "ioc_value": "\\ud800"}]}}',
    ]

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json"}, content=bodies.pop(0))

    async with IrisClient("http://iris.test", "k", transport=httpx.MockTransport(reply)) as iris:
        first = await iris.iocs.list(1)
        assert plain_calls == [] and first[0].ioc_value == "h1.example" and first.state.object_state == 4
        second = await iris.iocs.list(1)
    assert plain_calls == [Ioc]  # msgspec refuses the surrogate: the lenient parser reads it
    assert second[0].ioc_value == "\ud800"


def models() -> list[type[Model]]:
    for module in pkgutil.iter_modules(iris_tui.api.__path__):
        importlib.import_module(f"iris_tui.api.{module.name}")
    found, todo = [], [Model]
    while todo:
        found.append(todo.pop())
        todo.extend(found[-1].__subclasses__())
    return found[1:]


def test_every_datetime_field_of_every_model_reads_aware():
    """No per-row code runs while rows decode: each date field is an AwareDate instead."""
    checked = 0
    for model in models():
        hints = typing.get_type_hints(model)
        for name in model.__struct_fields__:
            if _dt.datetime in (typing.get_args(hints[name]) or (hints[name],)):
                assert isinstance(model.__dict__.get(name) or getattr(model, name), AwareDate), (model, name)
                checked += 1
    assert checked >= 15


def test_event_dates_read_aware_in_their_own_offset():
    naive = _dt.datetime(2025, 3, 4, 10, 0)
    event = Event(event_id=1, event_date=naive, event_added=naive, event_date_wtz=naive,
                  event_tz="+02:00")
    assert event.event_date.tzinfo is event.event_added.tzinfo is _dt.timezone.utc
    assert event.event_date_wtz.utcoffset() == _dt.timedelta(hours=2)
    assert event.when == event.event_date_wtz
    bare = Event(event_id=2, event_date_wtz=naive, event_tz="local")
    assert bare.event_date_wtz.tzinfo is _dt.timezone.utc
    aware = _dt.datetime(2025, 3, 4, 10, 0, tzinfo=_dt.timezone(_dt.timedelta(hours=-5)))
    assert Event(event_id=3, event_date=aware).event_date is aware  # aware values stay as given
