"""Evidences tab: the register of acquired material (images, memory dumps, logs) and hashes."""

from __future__ import annotations

from typing import Any

from iris_tui.api.evidences import Evidence
from iris_tui.ui.tabs.editing import EditableTab, EvidenceEditor
from iris_tui.ui.tabs.objects import ObjectListTab, every_field, human_size
from iris_tui.ui.widgets.rowlist import Column


class EvidencesTab(ObjectListTab, EditableTab):
    """List rows are already the full objects (IRIS 2.3+): no request per highlighted row."""

    tab_id = "evidences"
    title = "Evidences"
    editor = EvidenceEditor()

    columns = [
        Column("filename", "File", lambda e: e.filename, min_width=16),
        Column("type", "Type", lambda e: e.type_name, width=20, min_width=10),
        Column("size", "Size", lambda e: human_size(e.file_size), width=9, min_width=6,
               sort_key=lambda e: e.file_size, justify="right"),
        Column("hash", "Hash", lambda e: e.file_hash, width=18, min_width=8),
    ]
    wide_columns = [
        Column("acquired", "Acquired", lambda e: e.acquisition_date, width=16),
        Column("added_by", "Added by", lambda e: e.added_by, width=14),
    ]

    async def fetch(self) -> Any:
        return await self.iris.evidences.list(self.cid)

    def comments_resource(self) -> Any:
        return self.iris.evidences.comments

    def search_text(self, evidence: Evidence) -> str:
        return "\t".join(str(v) for v in (
            evidence.id, evidence.filename, evidence.type_name, evidence.file_hash,
            evidence.file_description, evidence.added_by,
        ) if v)

    def copy_value(self, evidence: Evidence) -> object:
        """The hash (what gets checked against the file); the file name when there is none."""
        return evidence.file_hash or evidence.filename

    def detail_fields(self, evidence: Evidence) -> list[tuple[str, object]]:
        size = evidence.file_size
        shown: list[tuple[str, object]] = [
            ("File", evidence.filename),
            ("Type", evidence.type_name),
            ("Size", f"{human_size(size)} ({size:,} bytes)" if size and size >= 1024 else human_size(size)),
            ("Hash", evidence.file_hash),
            ("Description", evidence.file_description),
            ("Acquired", evidence.acquisition_date),
            ("Start", evidence.start_date),
            ("End", evidence.end_date),
            ("Chain of custody", evidence.chain_of_custody),
            ("Added", evidence.date_added),
            ("Added by", evidence.added_by),
            ("ID", evidence.id),
            ("UUID", evidence.file_uuid),
        ]
        used = {
            "filename", "type", "type_id", "file_size", "file_hash", "file_description",
            "acquisition_date", "start_date", "end_date", "chain_of_custody", "date_added",
            "user", "user_id", "id", "file_uuid", "case_id", "case",
        }
        return every_field(evidence, shown, used)
