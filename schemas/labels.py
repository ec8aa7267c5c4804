"""Chinese labels of every enumeration: one table per enum, read by API messages, pages and PDFs.

Terms follow the official wording: 提拔任用 (《党政领导干部选拔任用工作条例》), 奖励/惩戒 (《公务员法》).
This module imports nothing from the project, so every schema, service and indexer module may use it;
tests/labels checks that each table covers every value of its enum.
"""

from enum import Enum

ROLE = {"admin": "系统管理员", "officer": "干部工作人员", "researcher": "调研组成员",
        "auditor": "审计员", "leader": "领导"}
UNIT_KIND = {"city": "市", "district": "区", "department": "部门", "town": "镇", "street": "街道",
             "community": "社区", "task_force": "专班", "enterprise": "企业"}
TIER = {"city_managed": "市管干部", "district_managed": "区管干部"}
GENDER = {"male": "男", "female": "女"}
CADRE_STATUS = {"active": "在职", "retired": "退休", "transferred": "调出", "dismissed": "免职"}
RANK = {"clerk_2": "二级科员", "clerk_1": "一级科员",
        "principal_clerk_4": "四级主任科员", "principal_clerk_3": "三级主任科员",
        "principal_clerk_2": "二级主任科员", "principal_clerk_1": "一级主任科员",
        "researcher_4": "四级调研员", "researcher_3": "三级调研员",
        "researcher_2": "二级调研员", "researcher_1": "一级调研员",
        "inspector_2": "二级巡视员", "inspector_1": "一级巡视员"}
POST_LEVEL = {"section_deputy": "副科", "section_main": "正科", "division_deputy": "副处",
              "division_main": "正处", "bureau_deputy": "副厅", "bureau_main": "正厅"}
EDUCATION_LEVEL = {"high_school": "高中", "secondary_vocational": "中专", "college": "大专",
                   "bachelor": "大学本科", "master": "硕士研究生", "doctorate": "博士研究生"}
APPRAISAL_GRADE = {"excellent": "优秀", "competent": "称职", "basically_competent": "基本称职",
                   "incompetent": "不称职"}
DOMAIN = {"urban_renewal": "城市更新", "investment_attraction": "招商引资", "livelihood": "改善民生",
          "party_building": "党的建设", "risk_prevention": "风险防范", "other": "其他"}
RECORD_KIND = {"interview": "个别谈话", "site_visit": "实地察看", "window_service": "窗口服务",
               "arena_contest": "擂台比武", "secondment_log": "下沉纪实", "document_review": "查阅资料"}
RECORD_STATE = {"draft": "草稿", "submitted": "已提交"}
JUDGEMENT = {"positive": "正面", "negative": "负面（短板）"}
VERIFICATION = {"claimed": "待核实", "verified": "已核实", "disputed": "有异议"}
REWARD_KIND = {"reward": "奖励", "penalty": "惩戒"}
INTERVIEWEE_RELATION = {"self": "本人", "superior": "上级", "colleague": "同事", "subordinate": "下属",
                        "public": "群众", "other": "其他"}
TEAM_ROLE = {"head": "一把手", "member": "班子成员", "none": "非班子成员"}
RATER_CATEGORY = {"leadership": "班子成员", "middle": "中层干部", "staff": "一般干部职工",
                  "service_object": "服务对象", "other": "其他"}
EVALUATION_GRADE = {"excellent": "优秀", "competent": "称职", "basically_competent": "基本称职",
                    "incompetent": "不称职", "approve": "认同", "disapprove": "不认同", "unknown": "不了解"}
ARCHIVE_STATUS = {"not_started": "未开展", "in_progress": "调研中", "concluded": "已形成结论"}
CAMPAIGN_STATUS = {"planned": "筹备中", "open": "进行中", "closed": "已结束"}
# How a session was opened (auth.login entries): the pages' cookie or an API bearer token.
TOKEN_KIND = {"cookie": "网页登录", "bearer": "接口令牌"}
PERIOD_STATE = {"draft": "草稿", "published": "已发布", "locked": "已锁定"}
STAR_RULE_KIND = {"indicator_top_n": "单项前N名", "indicator_at_least": "单项达到分数线",
                  "total_top_n": "总分前N名", "total_at_least": "总分达到分数线"}
ADJUSTMENT_KIND = {"bonus": "加分", "deduction": "扣分"}
CONTEST_LEVEL = {"district_head": "区县主要负责人", "department_head": "部门主要负责人",
                 "community_secretary": "社区党组织书记", "other": "其他"}
SERVICE_KIND = {"window_service": "窗口服务", "mobile_service": "流动服务车"}
SERVICE_GROUP_BY = {"cadre": "按干部", "unit": "按单位"}
METRIC_BUCKET = {"day": "按日", "week": "按周", "month": "按月"}
POSITION_CATEGORY = {"urban_construction": "城市建设", "economy": "经济发展", "social": "社会事业",
                     "party_affairs": "党务", "emergency": "应急管理", "general": "综合"}
POSITION_STATUS = {"open": "选任中", "closed": "已结束"}
PROMOTION_KIND = {"post_promotion": "提拔任用", "rank_promotion": "晋升职级", "lateral_transfer": "交流任职"}
PROMOTION_STAGE = {"motion": "动议", "recommendation": "民主推荐", "inspection": "考察",
                   "decision": "讨论决定", "notice": "任前公示", "appointment": "任职"}
PROMOTION_STATUS = {"in_progress": "进行中", "appointed": "已任职", "on_probation": "试用期",
                    "confirmed": "试用期满转正", "removed": "试用期满免职", "cancelled": "已终止"}
PROBATION_OUTCOME = {"confirmed": "试用期满转正", "removed": "试用期满免职"}
SHORTLIST_MARK = {"pin": "置顶", "exclude": "排除", "seed": "检索加入"}
ELIGIBILITY_RULE = {"min_rank": "最低职级", "min_post_level": "最低职务层次", "max_age": "年龄上限",
                    "min_education": "最低学历", "tiers": "管理层级", "grassroots_years": "基层工作年限",
                    "domains": "领域实绩", "appraisal": "年度考核", "no_open_penalty": "无未到期处分",
                    "max_post_level": "与岗位层次相当"}
RULE_OUTCOME = {"True": "符合", "False": "不符合", "true": "符合", "false": "不符合",
                "passed": "符合", "failed": "不符合", "unknown": "无法判断"}
DOC_TYPE = {"cadre": "干部", "record": "调研记录", "evidence": "实绩"}
EXPORT_JOB_STATUS = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}
SEARCH_SORT = {"relevance": "相关度", "date_desc": "日期（新→旧）", "date_asc": "日期（旧→新）"}
SEARCH_MODE = {"library": "全部资料", "candidates": "候选人模式"}

# Field names shown on pages (record details, promotion stage facts).
RECORD_DETAIL_FIELD = {"interviewee_relation": "谈话对象", "interviewee_count": "谈话人数",
                       "items_handled": "办理事项", "problems_solved": "解决问题",
                       "rectification_proposals": "整改建议", "processes_improved": "优化流程",
                       "contest_name": "比武名称", "achievements": "成绩", "shortcomings": "短板",
                       "goals": "目标", "score": "得分"}
# The stage payload fields a promotion timeline shows (votes and references are shown separately).
PROMOTION_STAGE_FIELD = {"proposed_by": "提议", "reason": "理由", "participants": "参加人数",
                         "ballots_issued": "发出票", "ballots_returned": "收回票", "team": "考察组",
                         "interviewed": "个别谈话人数", "report": "考察材料", "members_total": "应到会",
                         "present": "实到会", "in_favour": "同意", "against": "不同意", "abstain": "弃权",
                         "channel": "公示渠道", "objections": "反映情况", "working_days": "公示工作日",
                         "document_no": "任免文件文号", "record_ids": "引用的调研记录",
                         "evidence_ids": "引用的实绩"}

# Audit trail: an action is "<object>.<verb>" (e.g. cadre.update); whole actions listed first win.
AUDIT_ACTION = {
    # A record's or an evidence item's amendment is a 补正 with a reason, not a promotion's stage.
    "record.amend": "调研记录 · 补正", "evidence.amend": "实绩 · 补正",
    "auth.login.success": "登录成功", "auth.login.failure": "登录失败", "auth.login.locked": "登录被锁定",
    "auth.login.throttled": "登录过于频繁被拒", "auth.logout": "退出登录",
    "user.password_change": "修改本人密码",
    "user.password_change.failure": "修改密码时当前密码错误",
    "user.password_change.locked": "修改密码被锁定", "cadre.dossier.view": "查看干部档案",
    "cadre.performance.read": "查看干部实绩概览", "cadre.appointment": "任职变动写入干部信息",
    "position.eligibility.read": "查看任职资格审查", "shortlist.version.read": "查看已保存名单版本",
    "shortlist.marks.read": "查看名单标记（置顶、排除）", "shortlist.compare": "比较名单版本",
    "service_log.totals": "查看一线服务统计",
    "export.batch.create": "批量导出排队", "export.batch.download": "下载批量导出",
    "audit.read": "查看审计日志", "audit.verify": "校验审计链", "search": "检索",
    "contest.present": "录入擂台比武发言", "contest.update_presentation": "修改擂台比武发言",
    "secondment.create_program": "新建选派计划", "secondment.place": "选派干部",
    "secondment.update_placement": "修改选派", "secondment.define_metric": "定义专班指标",
    "secondment.metric_values": "录入专班指标", "campaign.add_team": "新建调研组",
    "promotion.stats": "查看选任统计",
    "lrmx.import.preview": "任免审批表（LRMX）导入预览", "lrmx.import.apply": "任免审批表（LRMX）导入写入",
    "roster.import.preview": "花名册导入预览", "roster.import.apply": "花名册导入写入",
    "roster.check": "花名册比对", "cadre.import": "导入写入干部信息", "cadre.import.source": "留存导入原件",
    "cadre.quality.read": "查看数据核查", "cadre.sources.read": "查看导入原件清单",
    "cadre.source.download": "下载导入原件", "export.lrmx": "导出任免审批表（LRMX）",
    "export.roster": "导出花名册", "export.approval_form": "导出任免审批表 PDF",
    "export.approval_form_docx": "导出任免审批表 Word",
    "access.refused": "访问被拒绝（无权限或对象不存在）", "audit.checkpoints.export": "导出审计链签名检查点",
    "cadre.revisions.read": "查看干部信息修改历史", "record.revisions.read": "查看调研记录修改历史",
    "evidence.revisions.read": "查看实绩修改历史", "archive.overview": "查看调研档案总览",
    "archive.read": "查看调研档案", "cadre.lrmx_import": "LRMX 导入写入干部信息",
    "cadre.roster_import": "花名册导入写入干部信息",
}
AUDIT_OBJECT = {
    "auth": "登录", "user": "账号", "unit": "单位", "cadre": "干部", "record": "调研记录",
    "evidence": "实绩", "attachment": "附件", "campaign": "调研活动", "team": "调研组",
    "family": "家庭成员", "family_member": "家庭成员", "position": "拟任职务", "shortlist": "候选人名单",
    "promotion": "选任纪实", "export": "导出", "export_job": "批量导出", "audit": "审计日志",
    "audit_log": "审计日志", "assessment": "季度考核", "assessment_period": "季度考核",
    "contest": "擂台比武", "contest_presentation": "擂台比武发言", "secondment": "选派",
    "secondment_program": "选派计划", "secondment_placement": "选派", "task_force_metric": "专班指标",
    "task_force_metric_value": "专班指标值", "service_log": "服务纪实", "search": "检索",
    "dossier": "干部档案", "leadership": "领导班子", "format_import": "导入",
    "leadership_team": "领导班子", "evaluation_round": "民主测评", "archive": "调研档案",
    "archive_conclusion": "调研结论", "inspection_draft": "考察材料", "career_entry": "简历",
}
AUDIT_VERB = {
    "create": "新建", "update": "修改", "read": "查看", "delete": "删除", "submit": "提交",
    "verify": "核实", "dispute": "标记异议", "verified": "核实", "disputed": "标记异议",
    "void": "作废", "withdraw": "撤回", "publish": "发布",
    "list": "查看列表", "revisions_read": "查看修改历史",
    "lock": "锁定", "correct": "更正", "adjust": "加减分", "scores": "录入分数", "import": "导入",
    "upload": "上传", "download": "下载", "save": "保存", "reproduce": "复现", "pin": "置顶",
    "exclude": "排除", "unmark": "取消标记", "seed": "检索加入", "stage": "记录阶段",
    "amend": "修正阶段", "cancel": "终止", "probation": "试用期满处理", "dossier": "导出档案 PDF",
    "shortlist": "导出名单 PDF", "promotion": "导出纪实 PDF", "add_career": "增加简历",
    "add_reward": "增加奖惩", "add_appraisal": "增加年度考核", "add_appraisals": "增加年度考核",
    "add_reward_penalty": "增加奖惩", "add_rewards_penalties": "增加奖惩",
    "setup": "设置", "move": "调整隶属", "compile": "生成", "edit": "编辑", "team_role": "设定班子角色",
    "conclusion_create": "填写调研结论", "conclusion_update": "修改调研结论",
    "probation_confirmed": "试用期满转正", "probation_removed": "试用期满免职",
    "scope_add": "增加授权范围", "scope_remove": "移除授权范围",
    "archive": "导出调研档案 PDF", "archive_docx": "导出调研档案 Word",
    "inspection": "导出考察材料 PDF", "inspection_docx": "导出考察材料 Word",
}
# Keys of audit-entry details shown (in Chinese) in the audit page's summary; the full entry is
# one click away, verbatim, for checking against the chain.
AUDIT_DETAIL = {
    "version": "版本", "reason": "理由", "serial": "导出编号", "cadre_id": "干部编号", "status": "状态",
    "count": "数量", "total": "总数", "rows": "行数", "promotion_id": "选任记录编号",
    "campaign_id": "调研活动编号",
    "unit_id": "单位编号", "record_id": "调研记录编号", "kind": "类型", "stage": "阶段", "name": "名称",
    "q": "检索词", "level": "级别", "files": "文件数", "via": "途径", "draft_id": "草稿编号",
    "mark_id": "标记编号", "round_id": "测评编号", "presentation_id": "述职编号", "sha256": "SHA-256",
    "action": "操作", "username": "用户名", "role": "角色", "outcome": "结果",
}

TABLES: dict[str, dict[str, str]] = {
    "role": ROLE, "unit_kind": UNIT_KIND, "tier": TIER, "gender": GENDER, "cadre_status": CADRE_STATUS,
    "rank": RANK, "post_level": POST_LEVEL, "education_level": EDUCATION_LEVEL,
    "appraisal_grade": APPRAISAL_GRADE, "domain": DOMAIN, "record_kind": RECORD_KIND,
    "record_state": RECORD_STATE, "judgement": JUDGEMENT, "verification": VERIFICATION,
    "reward_kind": REWARD_KIND, "interviewee_relation": INTERVIEWEE_RELATION,
    "campaign_status": CAMPAIGN_STATUS, "period_state": PERIOD_STATE, "star_rule_kind": STAR_RULE_KIND,
    "adjustment_kind": ADJUSTMENT_KIND, "contest_level": CONTEST_LEVEL, "service_kind": SERVICE_KIND,
    "service_group_by": SERVICE_GROUP_BY, "metric_bucket": METRIC_BUCKET,
    "position_category": POSITION_CATEGORY, "position_status": POSITION_STATUS,
    "promotion_kind": PROMOTION_KIND, "promotion_stage": PROMOTION_STAGE,
    "promotion_status": PROMOTION_STATUS, "probation_outcome": PROBATION_OUTCOME,
    "shortlist_mark": SHORTLIST_MARK, "eligibility_rule": ELIGIBILITY_RULE, "rule_outcome": RULE_OUTCOME,
    "doc_type": DOC_TYPE, "export_job_status": EXPORT_JOB_STATUS, "search_sort": SEARCH_SORT,
    "search_mode": SEARCH_MODE, "record_detail_field": RECORD_DETAIL_FIELD,
    "promotion_stage_field": PROMOTION_STAGE_FIELD, "team_role": TEAM_ROLE,
    "rater_category": RATER_CATEGORY, "evaluation_grade": EVALUATION_GRADE,
    "archive_status": ARCHIVE_STATUS, "token_kind": TOKEN_KIND,
}

# The enum class (by name) each StrEnum value is labelled from, so `label(Domain.other)` needs no kind.
ENUM_TABLES: dict[str, str] = {
    "Role": "role", "UnitKind": "unit_kind", "Tier": "tier", "Gender": "gender",
    "CadreStatus": "cadre_status", "Rank": "rank", "PostLevel": "post_level",
    "EducationLevel": "education_level", "AppraisalGrade": "appraisal_grade", "Domain": "domain",
    "RecordKind": "record_kind", "RecordState": "record_state", "Judgement": "judgement",
    "Verification": "verification", "PeriodState": "period_state", "StarRuleKind": "star_rule_kind",
    "AdjustmentKind": "adjustment_kind", "ContestLevel": "contest_level", "ServiceKind": "service_kind",
    "GroupBy": "service_group_by", "Bucket": "metric_bucket",
}

# The tables whose codes a bare `label(code)` resolves: no code has two different labels among
# them (tests/labels checks); other tables need their kind, e.g. `label(code, "position_status")`.
_PLAIN = ("role", "unit_kind", "tier", "gender", "cadre_status", "rank", "post_level",
          "education_level", "appraisal_grade", "domain", "record_kind", "record_state", "judgement",
          "verification", "reward_kind", "position_category", "contest_level", "service_kind",
          "star_rule_kind", "period_state", "promotion_status", "campaign_status", "token_kind")
PLAIN: dict[str, str] = {code: text for kind in _PLAIN for code, text in TABLES[kind].items()}


def label(code: object, kind: str | None = None) -> str:
    """Chinese label of a code: from the table `kind`, from its enum's table, or the plain vocabulary.

    An unknown code comes back as itself (never raises: a page must render); tests/labels makes
    sure every known value has its label.
    """
    if code is None:
        return ""
    if kind is None and isinstance(code, Enum):
        kind = ENUM_TABLES.get(type(code).__name__)
    text = str(code.value if isinstance(code, Enum) else code)
    table = TABLES[kind] if kind is not None else PLAIN
    return table.get(text, text)


def audit_action(action: str) -> str:
    """Chinese wording of an audit action code, e.g. cadre.update → 干部 · 修改."""
    if action in AUDIT_ACTION:
        return AUDIT_ACTION[action]
    subject, _, verb = action.partition(".")
    verb = verb.replace(".", "_")
    if subject in AUDIT_OBJECT and verb in AUDIT_VERB:
        return f"{AUDIT_OBJECT[subject]} · {AUDIT_VERB[verb]}"
    return action


def audit_object(object_type: str | None) -> str:
    """Chinese name of an audited object type."""
    return AUDIT_OBJECT.get(object_type or "", object_type or "")


def promotion_state(status: str, stage: str | None) -> str:
    """Where a promotion record stands: the current stage while in progress, else its status."""
    if status == "in_progress" and stage in PROMOTION_STAGE:
        return f"{PROMOTION_STAGE[stage]}（进行中）"
    if status == "in_progress":
        return "未开始"
    return PROMOTION_STATUS.get(status, status)
