"""An archive laid out as a written document (for PDF and docx export)."""

from schemas.archives import ArchiveOut, Statement
from schemas.common import label
from service.archives.assemble import cn_date
from service.pdf.documents import Section, WrittenDoc, paragraph


def _paras(items: list[Statement]) -> list[str]:
    return [paragraph(s) for s in items]


def archive_doc(a: ArchiveOut) -> WrittenDoc:
    """Overview, findings and team conclusion, then one section per member."""
    o = a.overview
    summary = [("调研活动", a.campaign_name), ("领导班子", a.unit_name),
               ("调研期间", f"{cn_date(a.starts_on)}至{cn_date(a.ends_on)}"),
               ("班子成员", f"{o.members}人（主要负责人：{'、'.join(o.heads) or '—'}）"),
               ("调研记录", f"{o.records}份，其中个别谈话{o.talks}次（{o.people_interviewed}人次）、"
                            f"实地察看{o.site_visits}次"),
               ("实绩材料", f"{o.evidence}项"), ("民主测评", f"{o.evaluation_rounds}次"),
               ("未形成记录的成员", "、".join(o.members_without_records) or "无")]
    sections = [Section("调研发现", _paras(a.findings), empty="（本次调研未形成班子整体层面的记录或测评）"),
                Section("班子总体结论", [a.team_conclusion.body] if a.team_conclusion else [],
                        empty="（尚未撰写）")]
    for m in a.members:
        period = f"{cn_date(m.member_from)}至{cn_date(m.member_to) if m.member_to else '今'}"
        sections.append(Section(f"{m.name}（{m.post}，{m.role}，{period}）", [], empty=None))
        evidence = [f"【{g.label}】{paragraph(s)}" for g in m.evidence for s in g.statements]
        sections.append(Section("实绩", evidence, level=2, empty="（无可查阅的实绩材料）"))
        sections.append(Section("调研记录", _paras(m.records), level=2, empty="（本次调研未形成记录）"))
        sections.append(Section("测评与谈话", _paras(m.evaluations), level=2, empty="（无）"))
        sections.append(Section("主要优点", _paras(m.strengths), level=2, empty="（已核实的实绩中未见）"))
        sections.append(Section("主要不足", _paras(m.shortcomings), level=2, empty="（材料中未见记载）"))
        sections.append(Section("结论", [m.conclusion.body] if m.conclusion else [], level=2,
                                empty="（尚未撰写）"))
    return WrittenDoc(title=f"{a.unit_name}领导班子专题调研纪实档案", subtitle=a.campaign_name,
                      summary=summary, sections=sections)


def status_label(status: str) -> str:
    """Chinese label of a team's archive status."""
    return label(status, "archive_status")
