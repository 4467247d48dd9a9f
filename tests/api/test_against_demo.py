"""The client against the fake IRIS, in-process and over real loopback HTTP: one investigation
worked end to end through every call of the README's parity table."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from iris_tui.api import IrisClient, IrisNotFoundError, IrisValidationError
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app

pytestmark = pytest.mark.smoke


@pytest.fixture(params=["in-process", "loopback"])
async def iris(request):
    if request.param == "in-process":
        app = create_app(seed="fresh")
        async with IrisClient("http://iris.demo", DEMO_API_KEY, transport=DemoTransport(app)) as client:
            yield client
    else:
        from iris_tui.demo.serve import running_server

        with running_server(seed="fresh") as (url, _app):
            async with IrisClient(url, DEMO_API_KEY) as client:
                yield client


async def test_a_whole_investigation(iris, tmp_path):
    assert (await iris.versions()).iris_current == "v2.4.20"
    assert (await iris.whoami()).user_login == "administrator"

    # cases
    case = await iris.cases.add(name="Phishing wave", description="Mails with a macro",
                                customer="IrisInitialClient", soc_id="SOC-1",
                                classification="fraud:phishing", tags=["phishing"])
    cid = case.case_id
    assert await iris.cases.exists(cid)
    assert (await iris.cases.get(cid)).bare_title == "Phishing wave"
    await iris.cases.update(cid, soc_id="SOC-2", severity="High")
    assert (await iris.cases.get(cid)).case_soc_id == "SOC-2"
    crc = await iris.cases.set_summary(cid, "# Summary\nA *macro*.")
    assert (await iris.cases.summary(cid)).crc32 == crc
    await iris.cases.set_outcome(cid, "True positive with impact")
    await iris.cases.add_task_log(cid, "Call with the CISO")

    # assets and IOCs, linked
    ioc = (await iris.iocs.add(cid, value="evil.example", ioc_type="domain", tlp="amber")).ioc
    asset = await iris.assets.add(cid, name="WS-01", asset_type="Windows - Computer",
                                  analysis_status="Started", ip="10.0.0.12", ioc_links=[ioc.ioc_id])
    assert [a.asset_name for a in await iris.assets.list(cid)] == ["WS-01"]
    assert (await iris.assets.get(cid, asset.asset_id)).asset_ip == "10.0.0.12"
    await iris.assets.update(cid, asset.asset_id, description="Finance laptop")
    await iris.iocs.update(cid, ioc.ioc_id, description="C2 domain")
    assert [i.ioc_value for i in await iris.iocs.list(cid)] == ["evil.example"]
    assert (await iris.iocs.get(cid, ioc.ioc_id)).ioc_description == "C2 domain"

    # tasks
    task = await iris.tasks.add(cid, title="Collect triage", assignees=["administrator"])
    await iris.tasks.update(cid, task.id, description="KAPE on WS-01")
    await iris.tasks.set_status(cid, task.id, "In progress")
    assert (await iris.tasks.get(cid, task.id)).task_status_id == 2
    assert [t.title for t in await iris.tasks.list(cid)] == ["Collect triage"]

    # timeline
    event = await iris.events.add(cid, title="Mail received", date=dt.datetime(2025, 3, 3, 9, 15),
                                  tz="+01:00", category="Initial Access",
                                  assets=[asset.asset_id], iocs=[ioc.ioc_id])
    await iris.events.update(cid, event.event_id, source="O365")
    got = await iris.events.get(cid, event.event_id)
    assert got.event_source == "O365" and got.event_assets == [asset.asset_id]
    assert [e.event_id for e in await iris.events.list(cid)] == [event.event_id]
    assert [e.event_id for e in await iris.events.filter(cid, "title:mail")] == [event.event_id]

    # evidences
    evidence = await iris.evidences.add(cid, filename="WS-01.raw", size=1024, type="Unspecified")
    await iris.evidences.update(cid, evidence.id, description="memory")
    assert (await iris.evidences.get(cid, evidence.id)).file_description == "memory"
    assert len(await iris.evidences.list(cid)) == 1

    # comments on every commentable object (spelled out: the parity test looks for each call)
    c = await iris.assets.comments.add(cid, asset.asset_id, "first look")
    await iris.assets.comments.update(cid, asset.asset_id, c.comment_id, "confirmed")
    assert [x.text for x in await iris.assets.comments.list(cid, asset.asset_id)] == ["confirmed"]
    await iris.assets.comments.delete(cid, asset.asset_id, c.comment_id)
    assert await iris.assets.comments.list(cid, asset.asset_id) == []
    c = await iris.iocs.comments.add(cid, ioc.ioc_id, "first look")
    await iris.iocs.comments.update(cid, ioc.ioc_id, c.comment_id, "confirmed")
    assert [x.text for x in await iris.iocs.comments.list(cid, ioc.ioc_id)] == ["confirmed"]
    await iris.iocs.comments.delete(cid, ioc.ioc_id, c.comment_id)
    assert await iris.iocs.comments.list(cid, ioc.ioc_id) == []
    c = await iris.tasks.comments.add(cid, task.id, "first look")
    await iris.tasks.comments.update(cid, task.id, c.comment_id, "confirmed")
    assert [x.text for x in await iris.tasks.comments.list(cid, task.id)] == ["confirmed"]
    await iris.tasks.comments.delete(cid, task.id, c.comment_id)
    assert await iris.tasks.comments.list(cid, task.id) == []
    c = await iris.events.comments.add(cid, event.event_id, "first look")
    await iris.events.comments.update(cid, event.event_id, c.comment_id, "confirmed")
    assert [x.text for x in await iris.events.comments.list(cid, event.event_id)] == ["confirmed"]
    await iris.events.comments.delete(cid, event.event_id, c.comment_id)
    assert await iris.events.comments.list(cid, event.event_id) == []
    c = await iris.evidences.comments.add(cid, evidence.id, "first look")
    await iris.evidences.comments.update(cid, evidence.id, c.comment_id, "confirmed")
    assert [x.text for x in await iris.evidences.comments.list(cid, evidence.id)] == ["confirmed"]
    await iris.evidences.comments.delete(cid, evidence.id, c.comment_id)
    assert await iris.evidences.comments.list(cid, evidence.id) == []

    # notes
    folder = await iris.notes.add_directory(cid, "Analysis")
    await iris.notes.rename_directory(cid, folder.id, "Host analysis")
    assert (await iris.notes.get_directory(cid, folder.id)).name == "Host analysis"
    assert [d.name for d in await iris.notes.directories(cid)] == ["Host analysis"]
    note = await iris.notes.add(cid, directory=folder.id, title="WS-01", content="```ps1\nGet-Process\n```")
    await iris.notes.update(cid, note.id, content="found beacon")
    assert (await iris.notes.get(cid, note.id)).content == "found beacon"
    assert [n.id for n in await iris.notes.search(cid, "beacon")] == [note.id]
    c = await iris.notes.comments.add(cid, note.id, "first look")
    await iris.notes.comments.update(cid, note.id, c.comment_id, "confirmed")
    assert [x.text for x in await iris.notes.comments.list(cid, note.id)] == ["confirmed"]
    await iris.notes.comments.delete(cid, note.id, c.comment_id)
    with pytest.raises(IrisValidationError) as too_long:
        await iris.notes.add(cid, directory=folder.id, title="x" * 156)
    assert "note_title" in too_long.value.fields

    # datastore
    root = await iris.datastore.tree(cid)
    sub = await iris.datastore.add_folder(cid, root.id, "Mails")
    await iris.datastore.rename_folder(cid, sub.id, "Phishing mails")
    evid_folder = next(f for f in root.children if f.name == "Evidences")
    await iris.datastore.move_folder(cid, sub.id, evid_folder.id)
    payload = b"Received: from evil.example\r\n" * 1000
    source = tmp_path / "mail.eml"
    source.write_bytes(payload)
    seen = []
    stored = await iris.datastore.upload(cid, sub.id, source, description="original",
                                         progress=lambda sent, total: seen.append(sent))
    assert stored.file_sha256 == hashlib.sha256(payload).hexdigest().upper()
    assert seen and seen[-1] == len(payload)
    assert (await iris.datastore.info(cid, stored.file_id)).file_original_name == "mail.eml"
    out = await iris.datastore.download(cid, stored.file_id, tmp_path / "copy.eml")
    assert out.read_bytes() == payload
    await iris.datastore.update_file(cid, stored.file_id, name="mail.eml", description="v2",
                                     tags="phishing", password=None, is_ioc=False, is_evidence=False)
    await iris.datastore.move_file(cid, stored.file_id, evid_folder.id)
    await iris.datastore.delete_file(cid, stored.file_id)
    await iris.datastore.delete_folder(cid, sub.id)

    # global tasks and hooks
    gtask = await iris.global_tasks.add(title="Renew EDR licence", assignee="administrator")
    await iris.global_tasks.update(gtask.task_id, status="Done")
    assert (await iris.global_tasks.get(gtask.task_id)).task_status_id == 4
    await iris.global_tasks.delete(gtask.task_id)
    assert await iris.hooks.list("ioc") == []

    # deletions, then the case itself
    await iris.notes.delete(cid, note.id)
    await iris.notes.delete_directory(cid, folder.id)
    await iris.evidences.delete(cid, evidence.id)
    await iris.events.delete(cid, event.event_id)
    await iris.tasks.delete(cid, task.id)
    assert await iris.iocs.delete(cid, ioc.ioc_id) == "deleted"
    await iris.assets.delete(cid, asset.asset_id)
    with pytest.raises(IrisNotFoundError):
        await iris.assets.get(cid, asset.asset_id)
    await iris.cases.close(cid)
    assert not (await iris.cases.get(cid)).is_open
    await iris.cases.reopen(cid)
    await iris.cases.delete(cid)
    assert not await iris.cases.exists(cid)

