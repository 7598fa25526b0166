"""Local file storage for Chainlit elements (source passages, findings JSON) so reopened threads keep them."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from chainlit.data.storage_clients.base import BaseStorageClient
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

PREFIX = "/coop-files"


class LocalStorageClient(BaseStorageClient):
    """Stores element content under `root`; files are served read-only at /coop-files/<key>."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path_for(self, object_key: str) -> Path:
        path = (self.root / object_key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"object key {object_key!r} leaves the storage folder")
        return path

    async def upload_file(self, object_key: str, data: bytes | str, mime: str = "application/octet-stream",
                          overwrite: bool = True, content_disposition: str | None = None) -> dict[str, Any]:
        path = self.path_for(object_key)
        if path.exists() and not overwrite:
            return {"object_key": object_key, "url": await self.get_read_url(object_key)}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return {"object_key": object_key, "url": await self.get_read_url(object_key)}

    async def delete_file(self, object_key: str) -> bool:
        path = self.path_for(object_key)
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed

    async def get_read_url(self, object_key: str) -> str:
        return f"{PREFIX}/{quote(object_key)}"

    async def close(self) -> None:
        return None


def file_router(storage: LocalStorageClient) -> APIRouter:
    router = APIRouter()

    @router.get(PREFIX + "/{object_key:path}")
    async def read_file(object_key: str) -> FileResponse:
        try:
            path = storage.path_for(object_key)
        except ValueError as exc:
            raise HTTPException(status_code=404, detail="not found") from exc
        if not path.is_file():
            raise HTTPException(status_code=404, detail="not found")
        return FileResponse(path, media_type="text/plain; charset=utf-8")

    return router
