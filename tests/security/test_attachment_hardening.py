"""Attachment files are private on disk, stored under safe names and served as what they are
(issue 12.9)."""

import stat

from service.attachments.store import BlobStore
from service.config import Settings
from tests.factories import Api
from tests.security.world import png


async def test_files_and_directories_are_readable_by_the_service_user_only(
        api: Api, settings: Settings) -> None:
    _, researcher = await api.user("researcher")
    r = await api.client.post("/api/attachments", headers=researcher,
                              files={"file": ("现场.png", png(), "image/png")})
    assert r.status_code == 201, r.text
    blob = BlobStore(settings.attachments_dir).path_for(r.json()["sha256"])
    assert stat.S_IMODE(blob.stat().st_mode) == 0o600
    for directory in (blob.parent, blob.parent.parent, settings.attachments_dir,
                      settings.attachments_dir / "tmp"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


async def test_a_name_that_lies_about_the_type_is_stored_safe_and_served_as_sniffed(api: Api) -> None:
    _, researcher = await api.user("researcher")
    for sent, stored in (("报告.html", "报告.png"), ("../../.bashrc", "bashrc.png"),
                         ('a<b>"c".svg', 'a_b_"c".png'), ("照片.PNG", "照片.PNG")):
        r = await api.client.post("/api/attachments", headers=researcher,
                                  files={"file": (sent, png(), "text/html")})
        assert r.status_code == 201, r.text
        assert r.json()["original_name"] == stored and r.json()["content_type"] == "image/png"
        download = await api.client.get(f"/api/attachments/{r.json()['id']}/content",
                                        headers=researcher)
        assert download.status_code == 200
        assert download.headers["content-type"] == "image/png"
        assert download.headers["x-content-type-options"] == "nosniff"
        assert "html" not in download.headers["content-disposition"].lower()


def test_the_import_template_documents_its_content_type() -> None:
    """Issue 12.9: the OpenAPI schema names the .xlsx the route returns (no undocumented type)."""
    from service.main import create_app

    spec = create_app(Settings(env="test")).openapi()
    ok = spec["paths"]["/api/assessments/periods/{period_id}/import-template"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
