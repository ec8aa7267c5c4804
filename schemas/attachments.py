"""Uploaded files in the content-addressed store."""

from datetime import datetime

from pydantic import BaseModel


class AttachmentOut(BaseModel):
    """An attachment's metadata."""

    id: int
    sha256: str
    size_bytes: int
    content_type: str
    original_name: str
    uploaded_by: int
    created_at: datetime
