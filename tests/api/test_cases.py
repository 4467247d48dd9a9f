"""Cases: replays of the real 2.4.20 exchanges 057-113, 433-444, 499-505, 519-534 and of the
develop branch's /api/v2 cases (develop-api-v2 002-014, 054-058).

Each test checks what the client sent (method, path, query, JSON body) and what it parsed.
Exchanges marked "synthetic" are built here in the recorded format for answers a fresh server
cannot give (a rendered report, a 403 on a lookup table).
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import pytest

from iris_tui.api import (
    IrisAuthError,
    IrisBadRequestError,
    IrisClient,
    IrisError,
    IrisNotFoundError,
    IrisPermissionError,
    IrisValidationError,
)
from iris_tui.api.cases import Case, CaseDetails, CaseListItem, CaseRecord
from support.replay import ReplayTransport, transcript

NORTHWIND = "Northwind Logistics AG"


def exchanges(*names: str) -> list[dict[str, Any]]:
    """Transcripts by number; "d/NNN" is a develop-api-v2 one, dicts pass through (synthetic)."""
    out = []
    for name in names:
        if isinstance(name, dict):
            out.append(name)
        elif name.startswith("d/"):
            out.append(transcript(name[2:], develop=True))
        else:
            out.append(transcript(name))
    return out


def client(*names: Any, v2: bool | None = False) -> tuple[IrisClient, ReplayTransport]:
    """A client replaying `names`. `v2=False`: the server is known to be 2.4.20 (as after the
    /api/v2 probe, see test_filter_probes_for_api_v2_once); `v2=None`: the probe is replayed."""
    transport = ReplayTransport(exchanges(*names))
    iris = IrisClient("http://iris.test", "test-key-not-real", transport=transport, retries=0)
    if v2 is not None:
        iris.server._has_v2 = v2
    return iris, transport


def synthetic(method: str, path: str, status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    is_json = not isinstance(body, (str, bytes))
    return {
        "request": {"method": method, "path": path},
        "response": {
            "status": status,
            "headers": {"content-type": "application/json" if is_json else "application/octet-stream",
                        **(headers or {})},
            "body_is_json": is_json,
            "body": body,
        },
    }


def retarget(name: str, method: str, path: str) -> dict[str, Any]:
    """A recorded answer replayed for another path (e.g. the 403 every unknown cid gets)."""
    ex = transcript(name)
    return {"request": {"method": method, "path": path}, "response": ex["response"]}


def recorded_json(name: str, *, develop: bool = False) -> Any:
    return transcript(name, develop=develop)["request"]["json"]


FORBIDDEN_TABLE = synthetic(
    "GET", "/manage/customers/list", 403, {"status": "error", "message": "Permission denied", "data": []}
)


# -- listing and filtering ------------------------------------------------------------------


async def test_list_parses_us_dates_and_empty_close_date():
    iris, t = client("095")
    cases = await iris.cases.list()
    assert [(s.method, s.path, s.query) for s in t.sent] == [("GET", "/manage/cases/list", {})]
    assert all(isinstance(c, CaseListItem) for c in cases)
    first, closed = cases[0], cases[1]
    assert first.id == 1 and first.title == "#1 - Initial Demo" and first.bare_title == "Initial Demo"
    assert first.opened_on == dt.date(2026, 11, 24) and first.closed_on is None and first.is_open
    assert first.state_id is None and first.state_label is None
    assert closed.case_close_date == dt.date(2026, 11, 24) and not closed.is_open
    assert closed.state_name == "Closed" and closed.customer == NORTHWIND
    assert closed.opened_by == "administrator" and closed.access_level == 4


async def test_list_with_a_wrong_key_is_an_auth_error():
    iris, _ = client("433")
    with pytest.raises(IrisAuthError) as err:
        await iris.cases.list()
    assert err.value.status == 401 and "Authentication required" in str(err.value)
    assert "test-key-not-real" not in str(err.value)


async def test_filter_sends_page_and_sort_and_parses_details():
    iris, t = client("067", "068")
    page1 = await iris.cases.filter(page=1, per_page=2, order_by="case_id", sort_dir="desc")
    page2 = await iris.cases.filter(page=2, per_page=2, order_by="case_id", sort_dir="desc")
    assert t.sent[0].path == "/manage/cases/filter"
    assert t.sent[0].query == {"page": "1", "per_page": "2", "order_by": "case_id", "sort_dir": "desc"}
    assert t.sent[1].query["page"] == "2"
    assert (page1.total, page1.current_page, page1.last_page, page1.next_page) == (4, 1, 2, 2)
    assert page1.has_next and not page2.has_next and page2.next_page is None
    assert [c.id for c in page1.cases] == [4, 3] and [c.id for c in page2.cases] == [2, 1]
    case4 = page1.cases[0]
    assert isinstance(case4, CaseDetails)
    assert case4.title == "#4 - Tags on creation" and case4.customer == NORTHWIND
    assert case4.customer_id == 2 and case4.owner_name == "administrator"
    assert case4.state_label == "Open" and case4.severity_label == "Low" and case4.is_open


async def test_filter_by_name_and_by_lookup_names():
    iris, t = client("069", "047", "033", "070")
    by_name = await iris.cases.filter(name="lockbit")
    by_lookup = await iris.cases.filter(customer=NORTHWIND, severity="critical")
    assert t.sent[0].query["case_name"] == "lockbit"
    assert [s.path for s in t.sent[1:3]] == ["/manage/customers/list", "/manage/severities/list"]
    assert t.sent[3].query["case_customer_id"] == "2" and t.sent[3].query["case_severity_id"] == "6"
    assert [c.id for c in by_name.cases] == [3] == [c.id for c in by_lookup.cases]
    assert by_lookup.cases[0].severity_label == "Critical"
    assert by_lookup.cases[0].classification.name_expanded == "Malicious-Code: Ransomware"


async def test_filter_beyond_last_page_is_empty():
    iris, t = client("071")
    page = await iris.cases.filter(page=99, per_page=10)
    assert t.sent[0].query == {"page": "99", "per_page": "10", "sort_dir": "asc"}
    assert page.cases == [] and page.current_page == 99 and page.last_page == 1
    assert page.next_page is None and page.total == 4


async def test_filter_order_by_name():
    iris, t = client("072")
    page = await iris.cases.filter(order_by="name", per_page=50)
    assert t.sent[0].query == {"page": "1", "per_page": "50", "order_by": "name", "sort_dir": "asc"}
    names = [c.title for c in page.cases]
    assert names == sorted(names) and page.cases[0].state is None


async def test_filter_bad_case_ids_carry_the_server_words():
    iris, t = client("073")
    with pytest.raises(IrisError) as err:  # the transport reads "Invalid ... id" as not-found
        await iris.cases.filter(ids=["2", "abc"])
    assert t.sent[0].query["case_ids"] == "2,abc"
    assert err.value.message == "Invalid case id" and err.value.status == 400


async def test_filter_closed_cases_on_2_4_uses_the_closed_state():
    iris, t = client("526")
    page = await iris.cases.filter(is_open=False)
    assert t.sent[0].query["case_state_id"] == "9" and "is_open" not in t.sent[0].query
    assert [c.id for c in page.cases] == [3] and not page.cases[0].is_open
    assert page.cases[0].closed_on == dt.date(2026, 11, 24)


async def test_filter_rejects_unknown_filters_before_sending():
    iris, t = client()
    with pytest.raises(TypeError, match="case_nmae"):
        await iris.cases.filter(case_nmae="x")
    with pytest.raises(ValueError):
        await iris.cases.filter(sort_dir="up")
    assert t.sent == []


async def test_filter_probes_for_api_v2_once():
    iris, t = client("465", "067", "068", v2=None)
    await iris.cases.filter(per_page=2, order_by="case_id", sort_dir="desc")
    await iris.cases.filter(page=2, per_page=2, order_by="case_id", sort_dir="desc")
    assert [s.path for s in t.sent] == ["/api/v2/cases", "/manage/cases/filter", "/manage/cases/filter"]


async def test_filter_on_api_v2_maps_the_page_shape():
    # the probe (per_page=1) is answered by the recorded first page of dev/002
    iris, t = client("d/002", "d/007", "d/008", v2=None)
    page1 = await iris.cases.filter(page=1, per_page=2)
    page2 = await iris.cases.filter(page=2, per_page=2)
    assert t.sent[0].query == {"per_page": "1"}
    assert t.sent[1].path == "/api/v2/cases"
    assert t.sent[1].query == {"page": "1", "per_page": "2", "sort_dir": "asc"}
    # v2 says next_page: true; the page keeps a page number like the legacy one
    assert (page1.total, page1.current_page, page1.last_page, page1.next_page) == (3, 1, 2, 2)
    assert page2.next_page is None and not page2.has_next
    second = page1.cases[1]
    assert isinstance(second, CaseDetails)
    assert second.title == "#2 - LockBit 3.0 ransomware - Northwind" and second.bare_title.startswith("LockBit")
    assert second.soc_id == "INC-2025-0142" and second.customer_id == 1
    assert second.owner_id == 1 and second.owner_name == "administrator"
    assert second.state_id == 3 and second.state_label == "Open" and second.severity_id == 4
    assert page1.cases[0].state_id is None and page2.cases[0].id == 3


async def test_filter_on_api_v2_sends_is_open_and_sort():
    iris, t = client("d/009", "d/010", v2=True)
    ordered = await iris.cases.filter(order_by="case_id", sort_dir="desc", per_page=10)
    open_only = await iris.cases.filter(is_open=True, name="lockbit")
    assert t.sent[0].query == {"page": "1", "per_page": "10", "order_by": "case_id", "sort_dir": "desc"}
    assert t.sent[1].query["is_open"] == "true" and t.sent[1].query["case_name"] == "lockbit"
    assert [c.id for c in ordered.cases] == [3, 2, 1]
    assert [c.id for c in open_only.cases] == [2] and open_only.cases[0].is_open


# -- one case -------------------------------------------------------------------------------


async def test_get_summary_view():
    iris, t = client("082")
    case = await iris.cases.get(3)
    assert (t.sent[0].method, t.sent[0].path, t.sent[0].query) == ("GET", "/manage/cases/3", {})
    assert isinstance(case, Case)
    assert case.bare_title == "LockBit 3.0 ransomware - Northwind file servers encrypted (NW-FS02, NW-FS03)"
    assert case.customer == NORTHWIND and case.customer_id == 2 and case.owner_name == "administrator"
    assert case.tag_list == ["ransomware", "lockbit", "vpn"]
    assert case.state_label == "Containment" and case.status_name == "True Positive With Impact"
    assert [p.name for p in case.protagonists] == ["Marek Nowak", "Eva Lindqvist"]
    assert case.initial_date == dt.datetime(2026, 11, 24, 7, 42, 14, 767819, tzinfo=dt.timezone.utc)
    assert case.opened_on == dt.date(2026, 11, 24) and case.is_open


async def test_get_closed_case():
    iris, _ = client("096")
    case = await iris.cases.get(2)
    assert not case.is_open and case.closed_on == dt.date(2026, 11, 24) and case.state_label == "Closed"


async def test_unknown_case_gives_typed_errors_with_the_server_words():
    iris, t = client("441", "100", "444", retarget("442", "GET", "/case/meta"))
    with pytest.raises(IrisNotFoundError, match="Case ID 424242 not found"):
        await iris.cases.get(424242)
    with pytest.raises(IrisNotFoundError, match="Case ID 2 not found"):
        await iris.cases.get(2)
    with pytest.raises(IrisNotFoundError, match="Case not found"):
        await iris.cases.update(424242, soc_id="x")
    assert t.sent[2].json == {"case_soc_id": "x"}
    with pytest.raises(IrisPermissionError) as err:
        await iris.cases.meta(424242)
    assert t.sent[3].query == {"cid": "424242"} and err.value.data["case_id"] == 424242


async def test_meta_is_the_details_shape():
    iris, t = client("064")
    meta = await iris.cases.meta(3)
    assert (t.sent[0].path, t.sent[0].query) == ("/case/meta", {"cid": "3"})
    assert meta.name.startswith("#3 - LockBit") and meta.soc_id == "INC-2025-0142"
    assert meta.client.customer_sla == "P1: 1h response, 24/7" and meta.customer == NORTHWIND
    assert meta.owner.user_login == "administrator" and meta.severity_label == "Critical"
    assert meta.status_name == "unknown" and meta.tags == [] and meta.note_directories == []


async def test_exists():
    iris, t = client("065", retarget("442", "GET", "/case/exists"))
    assert await iris.cases.exists(3) is True
    assert await iris.cases.exists(424242) is False
    assert [s.query for s in t.sent] == [{"cid": "3"}, {"cid": "424242"}]


async def test_summary_fetch_update_fetch():
    text = transcript("075")["request"]["json"]["case_description"]
    iris, t = client("074", "075", "076")
    before = await iris.cases.summary(3)
    crc = await iris.cases.set_summary(3, text)
    after = await iris.cases.summary(3)
    assert before.case_description.startswith("On 2025-03-03") and before.crc32 == 3460275786
    assert (t.sent[1].method, t.sent[1].path, t.sent[1].query) == ("POST", "/case/summary/update", {"cid": "3"})
    assert t.sent[1].json == {"case_description": text}
    assert crc == zlib.crc32(text.encode()) == after.crc32 and after.case_description == text


async def test_users_search_my_cases_reviews():
    iris, t = client("090", "091", "092", "093", "087")
    users = await iris.cases.users(3)
    hits = await iris.cases.search("lockbit")
    mine = await iris.cases.my_cases()
    all_mine = await iris.cases.my_cases(show_closed=True)
    reviews = await iris.cases.my_reviews()
    assert t.sent[0].query == {"cid": "3"} and t.sent[1].query == {"q": "lockbit"}
    assert t.sent[2].query == {} and t.sent[3].query == {"show_closed": "true"}
    assert users[0].user_login == "administrator" and users[0].user_access_level == 4
    assert hits[0].id == 3 and hits[0].customer == NORTHWIND and hits[0].is_open and not hits[0].read_only
    assert all(isinstance(c, CaseDetails) for c in mine) and mine[0].customer == "IrisInitialClient"
    assert len(all_mine) >= len(mine) and reviews == []


async def test_activities_and_task_log():
    text = "Call with Northwind CISO: containment approved, NW-FS02 to be isolated."
    iris, t = client("103", "104")
    activities = await iris.cases.activities(3)
    entry = await iris.cases.add_task_log(3, text)
    assert (t.sent[0].path, t.sent[0].query) == ("/case/activities/list", {"cid": "3"})
    assert activities[0].user == "administrator" and activities[0].activity_desc.startswith("Case updated")
    assert activities[0].activity_date > activities[-1].activity_date  # newest first
    assert (t.sent[1].path, t.sent[1].query, t.sent[1].json) == ("/case/tasklog/add", {"cid": "3"}, {"log_content": text})
    # the server lower-cases the text (iris-api.md 3.10)
    assert entry.id == 21 and entry.case_id == 3 and entry.activity_desc.startswith("Call with northwind ciso")


async def test_export_and_graph():
    iris, t = client("528", "533")
    export = await iris.cases.export(3)
    graph = await iris.cases.graph(3)
    assert [s.query for s in t.sent] == [{"cid": "3"}, {"cid": "3"}]
    assert {"case", "assets", "iocs", "timeline", "notes", "tasks", "evidences"} <= set(export)
    assert graph["nodes"][0]["label"] == "NW-DC01" and "edges" in graph


@pytest.mark.parametrize(
    ("family", "name", "path"),
    [
        ("assets", "519", "/case/assets/state"),
        ("iocs", "520", "/case/ioc/state"),
        ("tasks", "521", "/case/tasks/state"),
        ("timeline", "522", "/case/timeline/state"),
        ("evidences", "523", "/case/evidences/state"),
        ("notes", "524", "/case/notes/state"),
    ],
)
async def test_state_of_each_family(family, name, path):
    iris, t = client(name)
    state = await iris.cases.state(3, family)
    assert (t.sent[0].path, t.sent[0].query) == (path, {"cid": "3"})
    recorded = transcript(name)["response"]["body"]["data"]
    assert state.object_state == recorded["object_state"]
    assert state.object_last_update.tzinfo is dt.timezone.utc
    assert state.changed_since(None) and not state.changed_since(state)


async def test_state_of_unknown_family_sends_nothing():
    iris, t = client()
    with pytest.raises(ValueError, match="comments"):
        await iris.cases.state(3, "comments")
    assert t.sent == []


# -- create -----------------------------------------------------------------------------------


async def test_add_minimal_resolves_the_customer_name():
    iris, t = client("047", "058")
    case = await iris.cases.add(
        name="Suspicious PowerShell on NW-WKS-0907",
        description="EDR alert triage, to be qualified.",
        customer=NORTHWIND,
    )
    assert t.sent[0].path == "/manage/customers/list"
    assert (t.sent[1].method, t.sent[1].path, t.sent[1].query) == ("POST", "/manage/cases/add", {})
    assert t.sent[1].json == recorded_json("058")
    assert isinstance(case, CaseRecord)
    assert case.id == 2 and case.title == "#2 - Suspicious PowerShell on NW-WKS-0907"
    assert case.customer_id == 2 and case.severity_id == 4 and case.state_id == 3 and case.is_open


async def test_add_full_by_names():
    iris, t = client("047", "028", "033", "059")
    sent = recorded_json("059")
    case = await iris.cases.add(
        name=sent["case_name"], description=sent["case_description"], soc_id="INC-2025-0142",
        customer=2, classification="Malicious-Code: Ransomware", severity="Critical",
        custom_attributes={},
    )
    assert t.sent[-1].json == sent
    assert case.classification_id == 6 and case.severity_id == 6 and case.custom_attributes == {}


async def test_add_applies_tags_owner_protagonists_by_an_update_after_creation():
    created, updated = recorded_json("059"), recorded_json("077")
    iris, t = client("047", "028", "033", "050", "059", "077")
    case = await iris.cases.add(
        name=created["case_name"], description=created["case_description"], soc_id="INC-2025-0142",
        customer=NORTHWIND, classification=6, severity=6, custom_attributes={},
        tags=["ransomware", "lockbit", "vpn"], owner="administrator",
        protagonists=updated["protagonists"],
    )
    create, update = t.sent[-2], t.sent[-1]
    # never sent at creation: the server fails on owner_id and ignores tags/protagonists (060, 061)
    assert create.path == "/manage/cases/add" and create.json == created
    assert (update.method, update.path) == ("POST", "/manage/cases/update/3")
    assert update.json == {"case_tags": "ransomware,lockbit,vpn", "owner_id": 1,
                           "protagonists": updated["protagonists"]}
    assert case.tag_list == ["ransomware", "lockbit", "vpn"] and len(case.protagonists) == 2


async def test_add_from_a_template_sends_its_id_as_a_string():
    iris, t = client("047", "106", "107", "110")
    case = await iris.cases.add(
        name="Ransomware at Northwind DE site", description="Opened from the playbook template",
        soc_id="INC-2025-0150", customer=NORTHWIND, template="Ransomware playbook",
    )
    assert t.sent[1].path == "/manage/case-templates/list"
    assert t.sent[2].json == recorded_json("107") and t.sent[2].json["case_template_id"] == "1"
    assert case.title == "#5 - [RANSOM] Ransomware at Northwind DE site"
    assert case.bare_title == "[RANSOM] Ransomware at Northwind DE site"
    full = await iris.cases.get(case.id)
    assert full.tag_list == ["ransomware", "playbook"] and full.classification == "malicious-code:ransomware"


async def test_add_keeps_odd_text_verbatim():
    iris, t = client("047", "501", "502")
    sent = recorded_json("501")
    await iris.cases.add(name=sent["case_name"], description=sent["case_description"],
                         soc_id=sent["case_soc_id"], customer=2)
    case = await iris.cases.get(7)
    assert t.sent[1].json == sent
    assert case.bare_title == sent["case_name"] and case.case_description == sent["case_description"]


async def test_add_long_name_is_left_to_the_server_which_truncates_it():
    iris, t = client("047", "500")
    sent = recorded_json("500")
    case = await iris.cases.add(name=sent["case_name"], description=sent["case_description"],
                                soc_id=sent["case_soc_id"], customer=2)
    assert t.sent[1].json == sent and len(case.case_name) < len(sent["case_name"]) + 5


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"name": "x"}, "case_name", "minimum length 2"),  # 438, 435
        ({"name": "  "}, "case_name", "minimum length 2"),
        ({"name": None}, "case_name", "string"),
        ({"description": "d"}, "case_description", "minimum length 2"),  # 436
        ({"soc_id": "S" * 257}, "case_soc_id", "maximum length 256"),  # 499
        ({"soc_id": None}, "case_soc_id", "string"),
    ],
)
async def test_add_validates_text_fields_before_sending(kwargs, field, words):
    iris, t = client()
    args = {"name": "Valid name", "description": "Valid description", "customer": 2, **kwargs}
    with pytest.raises(IrisValidationError) as err:
        await iris.cases.add(**args)
    assert list(err.value.fields) == [field] and words in err.value.fields[field][0]
    assert t.sent == []


@pytest.mark.parametrize(
    ("kwargs", "tables", "field", "words"),
    [
        ({"customer": "Nobody Corp"}, ("047",), "case_customer", "Unknown customer 'Nobody Corp'"),  # 437
        ({"customer": 999}, ("047",), "case_customer", "Unknown customer id 999"),
        ({"customer": ""}, (), "case_customer", "required"),
        ({"template": "999"}, ("047", "106"), "case_template_id", "Unknown case template id 999"),  # 109
        ({"severity": "Apocalyptic"}, ("047", "033"), "severity_id", "Unknown severity"),
        ({"owner": "nobody"}, ("047", "050"), "owner_id", "Unknown user 'nobody'"),
        ({"state": "Sleeping"}, ("047", "031"), "state_id", "Unknown case state"),
    ],
)
async def test_add_checks_lookups_before_creating(kwargs, tables, field, words):
    iris, t = client(*tables)
    args = {"name": "Valid name", "description": "Valid description", "customer": NORTHWIND, **kwargs}
    with pytest.raises(IrisValidationError) as err:
        await iris.cases.add(**args)
    assert list(err.value.fields) == [field] and words in err.value.fields[field][0]
    # only lookup tables were read: nothing was created
    assert all(s.method == "GET" for s in t.sent) and len(t.sent) == len(tables)


async def test_add_with_an_unreadable_customer_table_sends_the_id_and_reports_the_server_words():
    iris, t = client(FORBIDDEN_TABLE, "437")
    with pytest.raises(IrisBadRequestError) as err:
        await iris.cases.add(name="Bad customer", description="desc", customer=999)
    assert t.sent[1].json == recorded_json("437")
    assert err.value.message == "Error creating case - check server logs"


async def test_add_follow_up_failure_says_the_case_exists():
    iris, t = client("047", "058", retarget("444", "POST", "/manage/cases/update/2"))
    with pytest.raises(IrisNotFoundError) as err:
        await iris.cases.add(name="Suspicious PowerShell on NW-WKS-0907",
                             description="EDR alert triage, to be qualified.",
                             customer=2, tags="a,b")
    assert "case #2 was created" in err.value.message and "Case not found" in err.value.message
    assert t.sent[2].json == {"case_tags": "a,b"}


# -- update / workflow ------------------------------------------------------------------------


async def test_update_with_friendly_names_is_partial():
    recorded = recorded_json("077")
    iris, t = client("077")
    case = await iris.cases.update(
        3, tags=["ransomware", "lockbit", "vpn"], severity=6, owner=1, soc_id="INC-2025-0142",
        protagonists=recorded["protagonists"],
    )
    assert (t.sent[0].method, t.sent[0].path, t.sent[0].query) == ("POST", "/manage/cases/update/3", {})
    assert t.sent[0].json == recorded
    assert case.tag_list == ["ransomware", "lockbit", "vpn"] and case.severity_id == 6
    assert [p.role for p in case.protagonists] == ["CISO", "IT lead"]


async def test_update_rename_and_state_by_name():
    iris, t = client("078", "031", "079")
    renamed = await iris.cases.update(3, name=recorded_json("078")["case_name"])
    moved = await iris.cases.update(3, state="containment")
    assert t.sent[0].json == recorded_json("078")
    assert t.sent[1].path == "/manage/case-states/list" and t.sent[2].json == {"state_id": 4}
    assert renamed.bare_title.endswith("(NW-FS02, NW-FS03)") and moved.state_id == 4


async def test_update_none_clears_the_reviewer():
    iris, t = client("088")
    case = await iris.cases.update(3, reviewer=None)
    assert t.sent[0].json == {"reviewer_id": ""}
    assert case.reviewer_id is None and case.review_status_id == 2


async def test_update_accepts_server_keys_and_converts_dates():
    iris, t = client(retarget("079", "POST", "/manage/cases/update/3"))
    when = dt.datetime(2025, 3, 3, 4, 45, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    await iris.cases.update(3, state_id=4, case_tags="a, b", initial_date=when)
    assert t.sent[0].json == {"state_id": 4, "case_tags": "a,b", "initial_date": "2025-03-03T03:45:00"}


async def test_update_refuses_bad_input_before_sending():
    iris, t = client()
    with pytest.raises(TypeError, match="colour"):
        await iris.cases.update(3, colour="red")
    with pytest.raises(ValueError):
        await iris.cases.update(3)
    with pytest.raises(IrisValidationError) as err:
        await iris.cases.update(3, owner=None)
    assert list(err.value.fields) == ["owner_id"]
    with pytest.raises(IrisValidationError) as err:
        await iris.cases.update(3, name="x")
    assert list(err.value.fields) == ["case_name"]
    assert t.sent == []


async def test_set_outcome_by_name_and_invalid_outcome():
    iris, t = client("021", "080", "081")
    assert await iris.cases.set_outcome(3, "True positive with impact") == 2
    assert (t.sent[1].path, t.sent[1].query, t.sent[1].json) == ("/case/update-status", {"cid": "3"}, {"status_id": 2})
    with pytest.raises(IrisBadRequestError) as err:
        await iris.cases.set_outcome(3, 42)
    assert err.value.message == "Invalid status" and t.sent[2].json == {"status_id": 42}


async def test_review_workflow():
    iris, t = client("083", "084", "085", "086")
    requested = await iris.cases.review(3, "request", reviewer=1)
    started = await iris.cases.review(3, "start")
    done = await iris.cases.review(3, "done")
    assert [s.json for s in t.sent[:3]] == [{"action": "request", "reviewer_id": 1}, {"action": "start"}, {"action": "done"}]
    assert all(s.query == {"cid": "3"} for s in t.sent)
    assert (requested.review_status_id, started.review_status_id, done.review_status_id) == (3, 4, 5)
    with pytest.raises(IrisBadRequestError, match="Invalid action"):
        await iris.cases.review(3, "approve")


async def test_set_access_on_myself_is_refused_with_the_server_words():
    iris, t = client("089")
    with pytest.raises(IrisBadRequestError) as err:
        await iris.cases.set_access(3, 1, "read_only")
    assert (t.sent[0].path, t.sent[0].query) == ("/case/access/set-user", {"cid": "3"})
    assert t.sent[0].json == {"user_id": 1, "case_id": 3, "access_level": 2}
    assert err.value.message == "I can't let you do that, Dave"
    with pytest.raises(IrisValidationError):
        await iris.cases.set_access(3, 1, "superuser")
    assert len(t.sent) == 1


async def test_close_close_again_reopen():
    iris, t = client("094", "097", "098")
    closed = await iris.cases.close(2)
    again = await iris.cases.close(2)
    reopened = await iris.cases.reopen(2)
    assert [(s.method, s.path, s.json) for s in t.sent] == [
        ("POST", "/manage/cases/close/2", {}), ("POST", "/manage/cases/close/2", {}),
        ("POST", "/manage/cases/reopen/2", {}),
    ]
    assert not closed.is_open and closed.closed_on == dt.date(2026, 11, 24) and closed.state_id == 9
    assert not again.is_open and reopened.is_open and reopened.state_id == 3


async def test_delete_and_its_refusals():
    iris, t = client("099", "101", "102")
    assert await iris.cases.delete(2) is None
    with pytest.raises(IrisBadRequestError, match="Cannot delete the case"):
        await iris.cases.delete(2)
    with pytest.raises(IrisBadRequestError, match="primary case"):
        await iris.cases.delete(1)
    assert [(s.method, s.path) for s in t.sent] == [
        ("POST", "/manage/cases/delete/2"), ("POST", "/manage/cases/delete/2"), ("POST", "/manage/cases/delete/1"),
    ]


# -- develop /api/v2 ----------------------------------------------------------------------------


async def test_add_on_api_v2_maps_the_created_case():
    iris, t = client("042", "028", "033", "d/002", "d/003", v2=None)
    sent = recorded_json("003", develop=True)
    case = await iris.cases.add(
        name=sent["case_name"], description=sent["case_description"], soc_id=sent["case_soc_id"],
        customer="IrisInitialClient", classification=6, severity="critical",
    )
    assert (t.sent[4].method, t.sent[4].path) == ("POST", "/api/v2/cases") and t.sent[4].json == sent
    assert isinstance(case, CaseRecord)
    assert case.id == 2 and case.customer_id == 1 and case.owner_id == 1
    assert case.state_id == 3 and case.state_label == "Open" and case.owner_name == "administrator"


async def test_add_on_api_v2_reports_the_server_field_errors():
    iris, t = client(FORBIDDEN_TABLE, "d/006", v2=True)
    with pytest.raises(IrisValidationError) as err:
        await iris.cases.add(name="Bad customer", description="d" * 2, customer=999)
    assert t.sent[1].path == "/api/v2/cases" and t.sent[1].json["case_customer"] == 999
    assert err.value.fields == {"case_customer": ["Invalid client id"]}


async def test_update_on_api_v2_is_a_put():
    iris, t = client("d/013", "d/014", v2=True)
    case = await iris.cases.update(2, tags="ransomware,lockbit", severity=5, soc_id="INC-2025-0142-A")
    assert (t.sent[0].method, t.sent[0].path) == ("PUT", "/api/v2/cases/2")
    assert t.sent[0].json == recorded_json("013", develop=True)
    assert case.tag_list == ["ransomware", "lockbit"] and case.severity_id == 5 and case.customer_id == 1
    with pytest.raises(IrisNotFoundError, match="Case not found"):
        await iris.cases.update(424242, soc_id="x")


async def test_delete_on_api_v2():
    iris, t = client("d/054", "d/056", "d/057", "d/058", v2=True)
    assert await iris.cases.delete(3) is None
    with pytest.raises(IrisBadRequestError, match="Cannot delete the case"):
        await iris.cases.delete(424242)
    with pytest.raises(IrisBadRequestError, match="primary case"):
        await iris.cases.delete(1)
    assert await iris.cases.delete(2) is None
    assert [(s.method, s.path) for s in t.sent] == [
        ("DELETE", "/api/v2/cases/3"), ("DELETE", "/api/v2/cases/424242"),
        ("DELETE", "/api/v2/cases/1"), ("DELETE", "/api/v2/cases/2"),
    ]


# -- reports --------------------------------------------------------------------------------------


def report(path: str, body: str, filename: str) -> dict[str, Any]:
    return synthetic("GET", path, 200, body, {
        "content-type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "content-disposition": f'attachment; filename="{filename}"',
        "content-length": str(len(body)),
    })


async def test_investigation_report_streams_to_the_server_file_name(tmp_path):
    path = "/case/report/generate-investigation/2"
    iris, t = client("065", report(path, "REPORT-BYTES", "../../20250303_report.docx"))
    seen: list[tuple[int, int | None]] = []
    written = await iris.cases.download_investigation_report(
        3, 2, tmp_path, safe_mode=True, progress=lambda done, total: seen.append((done, total))
    )
    assert t.sent[0].path == "/case/exists"  # reports do not check the case themselves
    assert (t.sent[1].path, t.sent[1].query) == (path, {"cid": "3", "safe-mode": "true"})
    assert written == tmp_path / "20250303_report.docx" and written.read_text() == "REPORT-BYTES"
    assert seen[-1] == (12, 12)
    assert [p.name for p in tmp_path.iterdir()] == ["20250303_report.docx"]


async def test_activity_report_to_a_file_path(tmp_path):
    path = "/case/report/generate-activities/4"
    iris, t = client("065", report(path, "ACT", "x.md"))
    target = tmp_path / "activities.md"
    written = await iris.cases.download_activity_report(3, 4, target)
    assert written == target and target.read_text() == "ACT"
    assert t.sent[1].query == {"cid": "3"}


async def test_report_with_an_unknown_template_leaves_no_file(tmp_path):
    iris, _ = client("065", "474")
    with pytest.raises(IrisNotFoundError, match="Unknown report"):
        await iris.cases.download_investigation_report(3, 999, tmp_path)
    assert list(tmp_path.iterdir()) == []


async def test_report_of_an_unknown_case_is_refused_before_rendering(tmp_path):
    # the report route would silently render case 1 for an unknown cid (iris-api.md 16)
    iris, t = client(retarget("442", "GET", "/case/exists"))
    with pytest.raises(IrisNotFoundError, match="424242"):
        await iris.cases.download_investigation_report(424242, 1, tmp_path)
    assert len(t.sent) == 1


async def test_report_never_replaces_a_file_unless_asked(tmp_path):
    target = tmp_path / "r.docx"
    target.write_text("old")
    iris, t = client("065", "065", report("/case/report/generate-investigation/1", "new", "r.docx"))
    with pytest.raises(FileExistsError):
        await iris.cases.download_investigation_report(3, 1, target)
    assert target.read_text() == "old" and len(t.sent) == 1
    await iris.cases.download_investigation_report(3, 1, target, overwrite=True)
    assert target.read_text() == "new"


# -- every recorded answer of these endpoints parses ------------------------------------------


def _recorded(path_matches) -> list[tuple[str, Any]]:
    from support.replay import all_transcripts

    out = []
    for name, ex in all_transcripts():
        if ex["response"]["status"] == 200 and path_matches(ex["request"]["path"]):
            out.append((name, ex["response"]["body"]["data"]))
    return out


@pytest.mark.parametrize(
    ("matches", "parse"),
    [
        (lambda p: p == "/manage/cases/list", CaseListItem.list_from_raw),
        (lambda p: p.startswith("/manage/cases/") and p.count("/") == 3 and p[14:].isdigit(), Case.from_raw),
        (lambda p: p in ("/case/meta", "/user/cases/list"),
         lambda d: CaseDetails.list_from_raw(d if isinstance(d, list) else [d])),
        (lambda p: p == "/manage/cases/filter", lambda d: CaseDetails.list_from_raw(d["cases"])),
        (lambda p: p == "/manage/cases/add" or p.startswith(("/manage/cases/update/", "/manage/cases/close/",
                                                              "/manage/cases/reopen/", "/case/review/update")),
         CaseRecord.from_raw),
    ],
    ids=["list", "get", "details", "filter", "record"],
)
def test_every_recorded_answer_parses(matches, parse):
    recorded = _recorded(matches)
    assert recorded
    for name, data in recorded:
        parsed = parse(data)
        assert parsed is not None, name
