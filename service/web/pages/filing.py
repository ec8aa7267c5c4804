"""填报: file a field record or evidence, attach files, tie them to cadres by name or pinyin.

The page only renders the forms; static/js/file.js keeps the draft in the browser, reuses one
Idempotency-Key per draft, uploads with progress and posts to the JSON API.
"""

from typing import Any

from fastapi import Request, Response

from schemas.clock import today
from schemas.common import Domain, Judgement, RecordKind
from schemas.labels import INTERVIEWEE_RELATION
from service.campaigns import service as campaigns_service
from service.deps import AppSettings, Filer, Pool
from service.web.page_route import page_router
from service.web.render import render

router = page_router()

# The order people are most often interviewed in, labelled from the one table.
RELATIONS = [(code, INTERVIEWEE_RELATION[code])
             for code in ("superior", "colleague", "subordinate", "public", "self", "other")]


@router.get("/file")
async def filing_page(request: Request, pool: Pool, user: Filer, settings: AppSettings) -> Response:
    """The filing forms, with the signed-in user's teams of open campaigns."""
    teams: list[dict[str, Any]] = []
    for c in await campaigns_service.list_campaigns(pool, user):
        if c.status != "open":
            continue
        teams += [{"campaign_id": c.id, "team_id": t.id, "name": f"{c.name} · {t.name}",
                   "starts_on": c.starts_on, "ends_on": min(c.ends_on, today())}
                  for t in c.teams if user.user_id in t.member_ids]
    return render(request, "file.html", {
        "teams": teams, "today": today(), "kinds": [k.value for k in RecordKind],
        "domains": [d.value for d in Domain], "judgements": [j.value for j in Judgement],
        "relations": RELATIONS, "max_upload": settings.upload_max_bytes,
    }, title="填报")
