"""Checking an upload of LRMX files against the registry: what each file would create or change."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from schemas.formats import FieldChange, FieldIssue, FileReport, ImportOptions
from service.attachments.store import BlobStore
from service.cadres import repo as cadres_repo
from service.forms.display import diff, display, merge
from service.forms.load import load_form
from service.forms.model import CadreForm
from service.forms.write import Placement, photo_changed, profile_fields, resolve_post
from service.lrmx import repo
from service.lrmx.archive import Member
from service.lrmx.document import LABELS
from service.lrmx.mapping import from_lrmx
from service.lrmx.reader import LrmxError, read
from service.principal import Principal
from service.quality.checks import check_form


@dataclass
class Planned:
    """One file: its report and, when it can be written, everything needed to write it."""

    member: Member
    report: FileReport
    before: CadreForm | None = None
    after: CadreForm | None = None
    place: Placement | None = None
    profile: dict[str, Any] = field(default_factory=dict)


def _issue(tag: str, message: str) -> FieldIssue:
    return FieldIssue(field=LABELS.get(tag, tag), message=message)


async def _place(conn: asyncpg.Connection, principal: Principal, report: FileReport, form: CadreForm,
                 current: asyncpg.Record | None, before: CadreForm | None, options: ImportOptions,
                 units: list[tuple[int, str]]) -> Placement | None:
    if current is not None and before is not None:
        if not form.current_post_text or form.current_post_text == before.current_post_text:
            return Placement(current["unit_id"], current["post"], current["tier"])
        found = resolve_post(form.current_post_text, units, (current["unit_id"], current["unit_name"]))
        assert found is not None
        return Placement(found[0], found[1], current["tier"])
    if options.unit_id is None or options.tier is None:
        report.errors.append(_issue("XianRenZhiWu", "这是新干部：请先选择默认单位和管理类别再导入"))
        return None
    fallback_name = dict(units).get(options.unit_id)
    if fallback_name is None:
        report.errors.append(_issue("XianRenZhiWu", "所选默认单位不存在或不在您的管理范围内"))
        return None
    if not form.current_post_text:
        report.errors.append(_issue("XianRenZhiWu", "缺少现任职务"))
        return None
    found = resolve_post(form.current_post_text, units, (options.unit_id, fallback_name))
    assert found is not None
    return Placement(found[0], found[1], options.tier.value)


async def plan(conn: asyncpg.Connection, principal: Principal, *, store: BlobStore, members: list[Member],
               options: ImportOptions, progress: Callable[[], None] | None = None) -> list[Planned]:
    """Read, map and compare every file; nothing is written (`progress` is called after each file)."""
    units = await repo.scope_units(conn, principal)
    read_files: list[tuple[Member, Any]] = []
    for member in members:
        try:
            read_files.append((member, read(member.data)))
        except LrmxError as exc:
            read_files.append((member, exc))
    ids = [from_lrmx(r.doc).form.national_id for _, r in read_files if not isinstance(r, LrmxError)]
    known = await repo.cadres_by_national_id(conn, principal, [i for i in ids if i])
    seen: dict[str, str] = {}
    manageable: dict[tuple[int, str], bool] = {}
    out = []
    for member, result in read_files:
        if progress is not None:
            progress()
        report = FileReport(name=member.name, sha256=hashlib.sha256(member.data).hexdigest(), status="error")
        planned = Planned(member, report)
        out.append(planned)
        if isinstance(result, LrmxError):
            report.errors.append(FieldIssue(field="文件", message=str(result)))
            continue
        report.warnings += [_issue(tag, message) for tag, message in result.warnings]
        mapped = from_lrmx(result.doc)
        form = mapped.form
        report.cadre_name = form.name
        report.errors += [_issue(i.tag, i.message) for i in mapped.issues if i.error]
        report.warnings += [_issue(i.tag, i.message) for i in mapped.issues if not i.error]
        current = before = None
        if form.national_id:
            if form.national_id in seen:
                report.errors.append(_issue("ShenFenZheng",
                                            f"与文件“{seen[form.national_id]}”的身份证号相同"))
            seen.setdefault(form.national_id, member.name)
            match = known.get(form.national_id)
            if match is not None and not match[1]:
                report.errors.append(_issue("ShenFenZheng",
                                            "该身份证号已登记在您管理范围以外的干部名下，不能导入"))
            elif match is not None:
                report.cadre_id = match[0]
                current = await cadres_repo.get_visible(conn, principal, match[0])
                before = await load_form(conn, principal, store=store, cadre_id=match[0])
        if report.errors:
            continue
        after = merge(before, form) if before is not None else form
        place = await _place(conn, principal, report, after, current, before, options, units)
        if place is None:
            continue
        # The unit is one the officer manages in some tier; a created or moved cadre's tier too.
        key = (place.unit_id, place.tier)
        if key not in manageable:
            manageable[key] = await cadres_repo.unit_manageable(conn, principal, *key)
        if not manageable[key]:
            report.errors.append(_issue("管理类别", "所选单位和管理类别不在您的管理范围内"))
            continue
        profile, problems = profile_fields(after, place, current)
        report.errors += [_issue(p.tag, p.message) for p in problems]
        if report.errors:
            continue
        report.checks = [FieldIssue(field=c.field, message=c.message) for c in check_form(after)]
        changes = diff(display(before) if before is not None else {}, display(after))
        report.changes = [FieldChange(**c) for c in changes]
        if before is None:
            report.status = "create"
        elif changes or photo_changed(before, after) or place.unit_id != current["unit_id"]:  # type: ignore[index]
            report.status = "update"
        else:
            report.status = "unchanged"
        planned.before, planned.after, planned.place, planned.profile = before, after, place, profile
    return out


def plan_hash(planned: list[Planned]) -> str:
    """A digest of what the plan would do, to refuse applying a preview the data has moved past."""
    body = [[p.report.name, p.report.sha256, p.report.status, p.report.cadre_id,
             [c.model_dump() for c in p.report.changes]] for p in planned]
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
