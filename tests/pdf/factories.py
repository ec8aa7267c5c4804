"""Builders of realistic export documents for the PDF tests and the benchmark."""

import random
import struct
import subprocess
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from schemas.export import (
    AnnualAppraisal,
    AttachmentInfo,
    CadreProfile,
    DossierCover,
    DossierDoc,
    Education,
    EvidenceContribution,
    EvidenceGroup,
    EvidenceItem,
    FieldRecordSummary,
    LabelValue,
    Metric,
    Position,
    PromotionDoc,
    PromotionHistoryEntry,
    PromotionStage,
    ResumeLine,
    RewardPenalty,
    RuleOutcome,
    ShortlistCandidate,
    ShortlistDoc,
    UnitAssessmentResult,
    Watermark,
    Weight,
)

EXPORTED_AT = datetime(2025, 3, 1, 6, 5, tzinfo=UTC)  # 14:05 Beijing time

DOMAINS = ["城市更新", "招商引资", "改善民生", "基层治理", "生态环保", "安全生产"]
PLACES = ["鼓楼街道", "滨江新区", "老城片区", "高新园区", "东湖社区", "西山镇", "南门街道"]
ACTIONS = [
    "牵头推进{p}老旧小区改造，协调解决加装电梯、管网更新等群众急难愁盼问题",
    "带领专班赴长三角、珠三角开展驻点招商，促成{p}先进制造业项目签约落地",
    "在{p}政务服务窗口坐班办公，现场解决企业开办、不动产登记中的堵点问题",
    "组织{p}违章建筑集中整治行动，依法拆除违建并同步推进腾退土地复绿",
    "统筹{p}历史建筑保护利用，完成修缮后引入文创业态，带动周边商户增收",
    "下沉{p}一线驾驶流动服务车往返项目工地，现场协调用地、用电、用工问题",
]
OUTCOMES = [
    "相关工作经验在全市推广，群众满意度测评位居前列。",
    "项目按期开工，当年完成固定资产投资超过预期目标。",
    "问题办结率明显提升，群众反映的突出问题得到有效解决。",
    "但部分环节推进偏慢，存在短板，需在下一阶段重点补强。",
]
METRICS = [
    ("拆除违建面积", "平方米"),
    ("签约项目", "个"),
    ("接待群众", "人次"),
    ("办结事项", "件"),
    ("协议投资额", "亿元"),
    ("洽谈会议", "场"),
]
RECORD_KINDS = ["个别谈话", "实地察看", "窗口服务", "擂台比武", "查阅资料"]
AUTHORS = ["王立新", "陈晓燕", "刘建国", "赵敏", "孙海峰"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建华", "晓明", "志强", "海燕", "丽娟", "国庆", "文博", "思远", "雅琴", "振宇"]


def png_photo(width: int = 50, height: int = 70) -> bytes:
    """A small solid-colour PNG standing in for an ID photo."""
    row = b"\x00" + b"\x9a\xb4\xd0" * width
    raw = row * height

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def watermark(user_name: str = "周审计", serial: str = "EXP-20250301-000042") -> Watermark:
    """The watermark of an export made on 2025-03-01 14:05 Beijing time."""
    return Watermark(user_name=user_name, exported_at=EXPORTED_AT, serial=serial)


def watermark_stamps(pdf: Path, page: int) -> int:
    """How many watermark pictures (images with a transparency mask) pdfimages finds on a page."""
    out = subprocess.run(["pdfimages", "-list", "-f", str(page), "-l", str(page), str(pdf)], check=True,
                         capture_output=True, text=True).stdout
    return sum(1 for row in out.splitlines()[2:] if row.split()[2] == "smask")


def stamp_is_drawn(pdf: Path, page: int, workdir: Path) -> bool:
    """Whether the page's watermark picture has visible (non-transparent) pixels."""
    prefix = workdir / f"stamp-{page}"
    subprocess.run(["pdfimages", "-png", "-f", str(page), "-l", str(page), str(pdf), str(prefix)],
                   check=True, capture_output=True)
    masks = sorted(workdir.glob(f"stamp-{page}-*.png"))
    from PIL import Image

    return any(Image.open(m).convert("L").getbbox() is not None for m in masks)


def _day(rng: random.Random, start: date, span_days: int) -> date:
    return start + timedelta(days=rng.randrange(span_days))


def _evidence(rng: random.Random, n: int, domain: str) -> EvidenceItem:
    place = rng.choice(PLACES)
    start = _day(rng, date(2021, 1, 1), 900)
    verified = rng.random() < 0.8
    metrics = [
        Metric(name=name, value=rng.choice([rng.randint(3, 600), round(rng.uniform(1, 90), 1)]), unit=unit)
        for name, unit in rng.sample(METRICS, rng.randint(0, 3))
    ]
    description = "".join(
        rng.choice(ACTIONS).format(p=place) + "，" + rng.choice(OUTCOMES) for _ in range(rng.randint(1, 3))
    )
    return EvidenceItem(
        id=f"EV-{n:06d}",
        title=f"{place}{domain}工作实绩（第{n}项）",
        description=description,
        period_start=start,
        period_end=start + timedelta(days=rng.randint(30, 400)) if rng.random() < 0.85 else None,
        metrics=metrics,
        judgement="positive" if rng.random() < 0.9 else "negative",
        verification_state="已核实" if verified else "待核实",
        verifier=rng.choice(AUTHORS) if verified else None,
        verified_at=EXPORTED_AT - timedelta(days=rng.randint(5, 300)) if verified else None,
    )


def build_dossier(
    evidence: int = 200, field_records: int = 50, seed: int = 0, name: str = "林振华"
) -> DossierDoc:
    """A dossier with `evidence` items spread over six domains and `field_records` records."""
    rng = random.Random(seed)
    items = [_evidence(rng, n + 1, DOMAINS[n % len(DOMAINS)]) for n in range(evidence)]
    groups = [
        EvidenceGroup(domain=d, items=[i for k, i in enumerate(items) if k % len(DOMAINS) == j])
        for j, d in enumerate(DOMAINS)
    ]
    records = [
        FieldRecordSummary(
            id=f"FR-{n + 1:05d}",
            kind=rng.choice(RECORD_KINDS),
            date=_day(rng, date(2023, 1, 1), 700),
            author=rng.choice(AUTHORS),
            title=f"{rng.choice(PLACES)}调研纪实：{rng.choice(DOMAINS)}工作情况",
            summary="调研组"
            + rng.choice(ACTIONS).format(p=rng.choice(PLACES)).replace("牵头", "了解")
            + "，谈话对象普遍反映该同志担当作为、敢于碰硬。"
            + rng.choice(OUTCOMES),
        )
        for n in range(field_records)
    ]
    profile = CadreProfile(
        name=name,
        gender="男",
        birth_date=date(1978, 5, 16),
        ethnicity="汉族",
        native_place="浙江宁波",
        birthplace="浙江余姚",
        party_join_date=date(2001, 6, 1),
        work_start_date=date(2000, 8, 1),
        health="健康",
        professional_title="高级经济师",
        full_time_education=Education(degree="大学 管理学学士", school="浙江大学", major="公共管理专业"),
        in_service_education=Education(
            degree="研究生 公共管理硕士", school="中共浙江省委党校", major="政治学专业"
        ),
        current_unit="滨江区",
        current_post="城市更新局局长、党组书记",
        proposed_post="滨江区人民政府副区长",
        post_level="正处",
        rank="二级调研员",
        tier="市管干部",
        national_id="330281********1234",
        photo=png_photo(),
    )
    resume = [
        ResumeLine(start=date(2000, 8, 1), end=date(2006, 3, 1), unit="余姚市鼓楼街道办事处", post="科员"),
        ResumeLine(
            start=date(2006, 3, 1), end=date(2012, 9, 1), unit="滨江区发展和改革局", post="综合科副科长、科长"
        ),
        ResumeLine(
            start=date(2012, 9, 1),
            end=date(2018, 1, 1),
            unit="滨江区老城片区改造指挥部",
            post="副指挥（其间：2014.09—2016.07 在中共浙江省委党校在职研究生班学习）",
        ),
        ResumeLine(start=date(2018, 1, 1), end=None, unit="滨江区城市更新局", post="局长、党组书记"),
    ]
    return DossierDoc(
        cover=DossierCover(
            cadre_name=name, unit="滨江区城市更新局", post="局长、党组书记", generated_at=EXPORTED_AT
        ),
        profile=profile,
        resume=resume,
        rewards_penalties=[
            RewardPenalty(
                date=date(2019, 12, 1), kind="reward", title="全市城市更新工作先进个人", issuer="市委、市政府"
            ),
            RewardPenalty(date=date(2022, 4, 1), kind="reward", title="记三等功", issuer="市人社局"),
        ],
        appraisals=[
            AnnualAppraisal(year=y, grade=g) for y, g in ((2021, "称职"), (2022, "优秀"), (2023, "优秀"))
        ],
        evidence=groups,
        field_records=records,
        unit_assessments=[
            UnitAssessmentResult(
                period=f"2024年第{q}季度", unit="滨江区", total=85 + q * 2.5, rank=5 - q, stars=q
            )
            for q in range(1, 5)
        ],
        promotions=[
            PromotionHistoryEntry(
                kind="提拔任用", post="滨江区人民政府副区长", stage="考察", start_date=date(2025, 1, 10)
            ),
        ],
        attachments=[
            AttachmentInfo(
                name="2024年度述职报告.pdf", size=1_234_567, sha256="ab" * 32, content_type="application/pdf"
            ),
            AttachmentInfo(
                name="窗口服务现场照片.jpg", size=845_000, sha256="0f" * 32, content_type="image/jpeg"
            ),
        ],
    )


def build_shortlist(candidates: int = 12, seed: int = 1) -> ShortlistDoc:
    """A shortlist version with explained scores."""
    rng = random.Random(seed)
    people = [
        ShortlistCandidate(
            rank=None if k == candidates - 1 else k + 1,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            unit=rng.choice(PLACES),
            post="党工委书记" if k % 2 else "办事处主任",
            score=round(95 - k * 2.7, 2),
            pinned=k == 0,
            excluded=k == candidates - 1,
            reason="任职回避" if k == candidates - 1 else ("组织推荐重点人选" if k == 0 else None),
            rule_outcomes=[
                RuleOutcome(label="现职务层次任职满 2 年", passed=True, detail="已满 4 年"),
                RuleOutcome(label="近三年年度考核无基本称职", passed=k != candidates - 1),
            ],
            evidence=[
                EvidenceContribution(
                    evidence_id=f"EV-{rng.randint(1, 999):06d}",
                    title=f"{rng.choice(DOMAINS)}实绩",
                    contribution=round(rng.uniform(-2, 6), 2),
                )
                for _ in range(3)
            ],
        )
        for k in range(candidates)
    ]
    return ShortlistDoc(
        position=Position(unit="滨江区人民政府", post="副区长", post_level="副处"),
        rules=[
            LabelValue(label="年龄上限", value="50 周岁"),
            LabelValue(label="学历要求", value="大学本科及以上"),
        ],
        weights=[
            Weight(label="实绩证据", weight=0.6),
            Weight(label="年度考核", weight=0.25),
            Weight(label="单位考核", weight=0.15),
        ],
        version=3,
        inputs_hash="9f" * 32,
        candidates=people,
    )


def build_promotion() -> PromotionDoc:
    """A post-promotion record half-way through its stages."""
    return PromotionDoc(
        cadre_name="林振华",
        kind="提拔任用",
        target_post="滨江区人民政府副区长",
        status="任前公示中",
        stages=[
            PromotionStage(
                label="动议",
                start_date=date(2025, 1, 6),
                details=[LabelValue(label="提出单位", value="市委组织部")],
            ),
            PromotionStage(
                label="民主推荐",
                start_date=date(2025, 1, 10),
                details=[
                    LabelValue(label="参加人数", value="86 人"),
                    LabelValue(label="得票", value="71 票（82.6%）"),
                ],
            ),
            PromotionStage(
                label="考察",
                start_date=date(2025, 1, 15),
                end_date=date(2025, 1, 24),
                details=[LabelValue(label="考察组", value="市委组织部第三考察组")],
            ),
            PromotionStage(
                label="讨论决定",
                start_date=date(2025, 2, 12),
                details=[
                    LabelValue(label="应到/实到", value="11 人 / 10 人"),
                    LabelValue(label="同意", value="10 票"),
                ],
            ),
            PromotionStage(
                label="任前公示",
                start_date=date(2025, 2, 17),
                end_date=date(2025, 2, 21),
                details=[LabelValue(label="公示期", value="2025.02.17—2025.02.21，5 个工作日")],
            ),
            PromotionStage(label="任职", details=[LabelValue(label="文号", value="（待印发）")]),
        ],
    )
