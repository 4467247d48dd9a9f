"""Manual module hooks: the "run module X on these objects" menu of the web UI.

`GET /dim/hooks/options/{type}/list` lists the active modules that registered the hook
`on_manual_trigger_{type}`; `POST /dim/hooks/call` queues a run. The server answers as soon as
the run is queued: success means "queued", not "the module succeeded".
"""

from __future__ import annotations

from collections.abc import Iterable

from iris_tui.api.errors import IrisBadRequestError, IrisValidationError
from iris_tui.api.model import Model
from iris_tui.api.resource import Resource

# object types the server knows how to look up for a hook call (iris-web dim_tasks routes)
OBJECT_TYPES = ("ioc", "asset", "note", "event", "task", "evidence", "case", "global_task", "alert")


class HookOption(Model):
    """One manual hook offered for an object type."""

    manual_hook_ui_name: str = ""
    hook_name: str = ""
    module_name: str = ""

    @property
    def label(self) -> str:
        return self.manual_hook_ui_name or self.hook_name


class Hooks(Resource):
    """`iris.hooks.list("ioc")`, `iris.hooks.trigger(cid, module=..., ...)`."""

    async def list(self, hook_type: str) -> list[HookOption]:
        """The manual hooks active modules offer for `hook_type` (`ioc`, `asset`, `case`...)."""
        _check_type(hook_type)
        return HookOption.list_from_raw(
            await self._http.data("GET", f"/dim/hooks/options/{hook_type}/list")
        )

    async def trigger(
        self,
        cid: int,
        *,
        module: str,
        hook_ui_name: str,
        object_type: str,
        object_ids: Iterable[int],
        hook_name: str | None = None,
    ) -> str:
        """Queue a manual hook run on objects of one case; returns the server's message.

        `hook_name` defaults to `on_manual_trigger_<object_type>`, the only hooks a module can
        offer for manual runs (the official client hard-codes the IOC one for every type).
        Unknown ids are reported by the server, per id, in the error message.
        """
        _check_type(object_type)
        targets = [int(i) for i in object_ids]
        if not targets:
            raise IrisValidationError(
                "nothing to run the hook on", fields={"targets": ["No object selected"]}
            )
        body = {
            "hook_name": hook_name or f"on_manual_trigger_{object_type}",
            "hook_ui_name": hook_ui_name,
            "module_name": module,
            "type": object_type,
            "targets": targets,
        }
        try:
            envelope = await self._http.call("POST", "/dim/hooks/call", cid=cid, json=body)
        except IrisBadRequestError as exc:
            # "Errors encountered ... Queued task with N objects" keeps the per-id reasons in data
            if isinstance(exc.data, list) and exc.data and not exc.fields:
                raise IrisBadRequestError(
                    f"{exc.message}: {'; '.join(str(d) for d in exc.data)}",
                    method=exc.method, path=exc.path, status=exc.status, data=exc.data,
                ) from None
            raise
        return envelope.message


def _check_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        choices = ", ".join(OBJECT_TYPES)
        raise IrisValidationError(
            f"unknown object type {object_type!r}",
            fields={"type": [f"Unknown object type {object_type!r}; one of {choices}"]},
        )
