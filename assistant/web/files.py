"""Element storage on local disk (source passages, findings JSON), served to the thread's owner and staff only.

Storage keys are `<thread id>/<element id>`, both server-checked UUIDs (`SafeDataLayer.create_element`);
a key of any other shape is refused, so no client-chosen name ever becomes a path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from chainlit.data.storage_clients.base import BaseStorageClient
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from assistant.web.access import is_staff, requester
from assistant.web.ids import is_uuid

PREFIX = "/coop-files"
ThreadOwner = Callable[[str], Awaitable[str | None]]


def check_key(object_key: str) -> tuple[str, str]:
    """(thread id, element id) of a storage key; ValueError for any other shape."""
    parts = object_key.split("/")
    if len(parts) != 2 or not all(is_uuid(p) for p in parts):
        raise ValueError(f"storage key {object_key[:80]!r} is not <thread uuid>/<element uuid>")
    return parts[0], parts[1]


class LocalStorageClient(BaseStorageClient):
    """Stores element content under `root/<thread id>/<element id>`; read back through /coop-files/<key>."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path_for(self, object_key: str) -> Path:
        thread_id, element_id = check_key(object_key)
        return self.root / thread_id / element_id

    async def upload_file(self, object_key: str, data: bytes | str, mime: str = "application/octet-stream",
                          overwrite: bool = True, content_disposition: str | None = None) -> dict[str, Any]:
        path = self.path_for(object_key)
        if path.exists() and not overwrite:
            return {"object_key": object_key, "url": await self.get_read_url(object_key)}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return {"object_key": object_key, "url": await self.get_read_url(object_key)}

    async def delete_file(self, object_key: str) -> bool:
        try:
            path = self.path_for(object_key)
        except ValueError:
            return False
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed

    async def get_read_url(self, object_key: str) -> str:
        check_key(object_key)
        return f"{PREFIX}/{object_key}"

    async def close(self) -> None:
        return None


def file_router(storage: LocalStorageClient, thread_owner: ThreadOwner) -> APIRouter:
    """GET /coop-files/<thread id>/<element id>: 401 without a login, 404 unless owner or staff."""
    router = APIRouter()

    @router.get(PREFIX + "/{thread_id}/{element_id}")
    async def read_file(thread_id: str, element_id: str, request: Request) -> FileResponse:
        if not (is_uuid(thread_id) and is_uuid(element_id)):
            raise HTTPException(status_code=404, detail="not found")
        user = requester(request)
        if user is None:
            raise HTTPException(status_code=401, detail="sign in first")
        owner = await thread_owner(thread_id)
        if owner is None or (owner != user.identifier and not is_staff(user)):
            raise HTTPException(status_code=404, detail="not found")  # no hint whether it exists
        path = storage.path_for(f"{thread_id}/{element_id}")
        if not path.is_file():
            raise HTTPException(status_code=404, detail="not found")
        return FileResponse(path, media_type="text/plain; charset=utf-8")

    return router
