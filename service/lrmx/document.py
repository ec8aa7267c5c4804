"""The LRMX document: its elements in standard order, as read from or written to a file."""

from dataclasses import dataclass, field

# The 3.2.1.x element order (root <Person>); JiaTingChengYuan holds <Item> children.
ELEMENTS: tuple[str, ...] = (
    "XingMing", "XingBie", "ChuShengNianYue", "MinZu", "JiGuan", "ChuShengDi", "RuDangShiJian",
    "CanJiaGongZuoShiJian", "JianKangZhuangKuang", "ZhuanYeJiShuZhiWu",
    "ShuXiZhuanYeYouHeZhuanChang", "QuanRiZhiJiaoYu_XueLi", "QuanRiZhiJiaoYu_XueWei",
    "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueLi", "ZaiZhiJiaoYu_XueWei", "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", "XianRenZhiWu", "NiRenZhiWu", "NiMianZhiWu", "JianLi",
    "JiangChengQingKuang", "NianDuKaoHeJieGuo", "RenMianLiYou", "JiaTingChengYuan",
    "ChengBaoDanWei", "JiSuanNianLingShiJian", "TianBiaoShiJian", "TianBiaoRen", "ShenFenZheng",
    "ZhaoPian", "Version",
)
# Reform-era (2025) elements; written after the element named, as the reform editor's files do.
REFORM_ELEMENTS: dict[str, str] = {"DaoLingNianYue": "CanJiaGongZuoShiJian",
                                   "GaiGeQianRenZhiNianLingJieXian": "ChengBaoDanWei"}
FAMILY_FIELDS: tuple[str, ...] = ("ChengWei", "XingMing", "ChuShengRiQi", "ZhengZhiMianMao",
                                  "GongZuoDanWeiJiZhiWu")
TEXT_ELEMENTS = frozenset(ELEMENTS) - {"JiaTingChengYuan", "ZhaoPian"} | frozenset(REFORM_ELEMENTS)
# Fields kept on several lines; all others are one line (inner line breaks become nothing).
MULTILINE = frozenset({"JianLi", "JiangChengQingKuang", "NianDuKaoHeJieGuo", "RenMianLiYou"})
# Chinese labels for reports and diffs.
LABELS: dict[str, str] = {
    "XingMing": "姓名", "XingBie": "性别", "ChuShengNianYue": "出生年月", "MinZu": "民族",
    "JiGuan": "籍贯", "ChuShengDi": "出生地", "RuDangShiJian": "入党时间",
    "CanJiaGongZuoShiJian": "参加工作时间", "JianKangZhuangKuang": "健康状况",
    "ZhuanYeJiShuZhiWu": "专业技术职务", "ShuXiZhuanYeYouHeZhuanChang": "熟悉专业有何专长",
    "QuanRiZhiJiaoYu_XueLi": "全日制学历", "QuanRiZhiJiaoYu_XueWei": "全日制学位",
    "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "全日制学历毕业院校系及专业",
    "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "全日制学位毕业院校系及专业",
    "ZaiZhiJiaoYu_XueLi": "在职学历", "ZaiZhiJiaoYu_XueWei": "在职学位",
    "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "在职学历毕业院校系及专业",
    "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "在职学位毕业院校系及专业",
    "XianRenZhiWu": "现任职务", "NiRenZhiWu": "拟任职务", "NiMianZhiWu": "拟免职务", "JianLi": "简历",
    "JiangChengQingKuang": "奖惩情况", "NianDuKaoHeJieGuo": "年度考核结果", "RenMianLiYou": "任免理由",
    "JiaTingChengYuan": "家庭主要成员及重要社会关系", "ChengBaoDanWei": "呈报单位",
    "JiSuanNianLingShiJian": "计算年龄时间", "TianBiaoShiJian": "填表时间", "TianBiaoRen": "填表人",
    "ShenFenZheng": "身份证号", "ZhaoPian": "照片", "Version": "版本",
    "DaoLingNianYue": "到龄年月", "GaiGeQianRenZhiNianLingJieXian": "改革前任职年龄界限",
}


@dataclass
class FamilyItem:
    """One <Item> of JiaTingChengYuan."""

    relation: str = ""
    name: str = ""
    birth: str = ""
    political_status: str = ""
    work: str = ""


@dataclass
class Extra:
    """An element the product does not know, kept verbatim to write back after `after`."""

    after: str
    xml: str


@dataclass
class LrmxDocument:
    """The content of one .lrmx file: text of each element, family items, photo, unknowns."""

    fields: dict[str, str] = field(default_factory=dict)
    family: list[FamilyItem] = field(default_factory=list)
    photo: bytes | None = None
    extras: list[Extra] = field(default_factory=list)

    def get(self, tag: str) -> str:
        """The text of an element ('' when absent)."""
        return self.fields.get(tag, "")
