"""Comments on assets, IOCs, tasks, events and evidences, replayed from the real server."""

from __future__ import annotations

import pytest

from iris_tui.api import IrisBadRequestError, IrisNotFoundError, IrisValidationError
from iris_tui.api.comments import Comment
from support.case_objects import CID, recorded, replay, sent_json

# resource, object id, first transcript of the 10-step scenario, (kept, deleted) comment ids
SCENARIOS = [
    ("assets", "/case/assets/1", 1, 146, (1, 2)),
    ("iocs", "/case/ioc/4", 4, 183, (3, 4)),
    ("tasks", "/case/tasks/4", 4, 227, (5, 6)),
    ("events", "/case/timeline/events/1", 1, 282, (7, 8)),
    ("evidences", "/case/evidences/1", 1, 310, (9, 10)),
]


@pytest.mark.parametrize(("resource", "base", "obj", "first", "ids"), SCENARIOS)
async def test_comment_lifecycle(resource, base, obj, first, ids):
    names = [f"{n:03d}" for n in range(first, first + 10)]
    iris, transport = replay(*names)
    comments = getattr(iris, resource).comments
    kept, gone = ids

    assert await comments.list(CID, obj) == []
    first_text = sent_json(names[1])["comment_text"]
    added = await comments.add(CID, obj, first_text)
    await comments.add(CID, obj, sent_json(names[2])["comment_text"])
    listed = await comments.list(CID, obj)
    single = await comments.get(CID, obj, kept)
    edited_text = sent_json(names[5])["comment_text"]
    edited = await comments.update(CID, obj, kept, edited_text)
    assert await comments.delete(CID, obj, gone) is None
    with pytest.raises(IrisBadRequestError) as again:
        await comments.delete(CID, obj, gone)
    with pytest.raises(IrisNotFoundError) as unknown:
        await comments.get(CID, obj, 99999)
    final = await comments.list(CID, obj)

    # what was sent: list is a GET (the official client's POST gets a 405), cid in the query
    sent = [(s.method, s.path) for s in transport.sent]
    assert sent == [
        ("GET", f"{base}/comments/list"),
        ("POST", f"{base}/comments/add"),
        ("POST", f"{base}/comments/add"),
        ("GET", f"{base}/comments/list"),
        ("GET", f"{base}/comments/{kept}"),
        ("POST", f"{base}/comments/{kept}/edit"),
        ("POST", f"{base}/comments/{gone}/delete"),
        ("POST", f"{base}/comments/{gone}/delete"),
        ("GET", f"{base}/comments/99999"),
        ("GET", f"{base}/comments/list"),
    ]
    assert all(s.query == {"cid": str(CID)} for s in transport.sent)
    assert transport.sent[1].json == {"comment_text": first_text}
    assert transport.sent[5].json == {"comment_text": edited_text}
    assert transport.sent[0].json is None and transport.sent[6].json == {}

    # what was parsed: both shapes give the same author and text
    assert isinstance(added, Comment) and added.id == kept and added.text == first_text
    assert added.author == "administrator" and added.author_login == "administrator"
    assert added.comment_date is not None and added.comment_date.tzinfo is not None
    assert [c.id for c in listed] == [kept, gone]
    assert single.id == kept and single.text == first_text
    assert single.author == "administrator" and single.author_login == "administrator"
    assert isinstance(single.user, str) and isinstance(added.user, dict)
    assert edited.text == edited_text
    assert edited.comment_update_date > added.comment_update_date
    assert [(c.id, c.text) for c in final] == [(kept, edited_text)]

    # errors carry the server's words
    assert again.value.message == "You are not allowed to delete this comment"
    assert again.value.status == 400
    assert unknown.value.message == "Invalid comment ID"


async def test_event_comments_use_the_timeline_path():
    iris, transport = replay("282")
    await iris.events.comments.list(CID, 1)
    assert transport.sent[0].path == "/case/timeline/events/1/comments/list"


async def test_unknown_object_lists_nothing_but_refuses_comments():
    iris, transport = replay("156", "157")
    assert await iris.assets.comments.list(CID, 99999) == []
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.assets.comments.add(CID, 99999, "x")
    assert exc.value.message == "Invalid asset ID"
    assert transport.sent[1].path == "/case/assets/99999/comments/add"


async def test_hostile_and_empty_text_round_trip_verbatim():
    iris, transport = replay("513", "514")
    markup = sent_json("513")["comment_text"]
    comment = await iris.assets.comments.add(CID, 1, markup)
    empty = await iris.assets.comments.add(CID, 1, "")
    assert comment.text == markup == recorded("513")["comment_text"]
    assert "\x1b" in comment.text
    assert empty.text == "" and transport.sent[1].json == {"comment_text": ""}


async def test_nul_is_refused_before_sending():
    iris, transport = replay()
    with pytest.raises(IrisValidationError) as exc:
        await iris.tasks.comments.add(CID, 4, "a\x00b")
    assert "comment_text" in exc.value.fields
    assert transport.sent == []


def test_comment_model_flat_shape_without_display_name():
    flat = Comment.from_raw({"comment_id": 3, "comment_text": "t", "user": "jane"})
    assert flat.author == "jane" and flat.author_login == "jane"
