"""LRMX sample files written the ways writers in the field write them."""

import base64
import io

from PIL import Image

JIANLI = (
    "1998.09--2002.07  福州大学土木工程专业学习\r\n"
    "2002.07--2008.03  福州市鼓楼区建设局科员\r\n"
    "2008.03--2016.01  福州市鼓楼区建设局副局长（其间：2009.09--2012.07在中共福建省委党校"
    "经济管理专业在职研究生学习）\r\n"
    "2016.01--         福州市鼓楼区住房和城乡建设局局长、党组书记，负责城市更新和"
    "\r\n老旧小区改造工作\r\n"
    "                  （其间：2019.03--2020.03挂任某县副县长）"
)


def jpeg(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small JPEG photo."""
    out = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(out, format="JPEG")
    return out.getvalue()


def png_with_alpha() -> bytes:
    """A PNG photo with transparency (re-encoded to JPEG on import)."""
    out = io.BytesIO()
    Image.new("RGBA", (30, 40), (0, 0, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def lrmx(*, name: str = "张三", id_number: str = "", birth: str = "198005", gender: str = "男",
         jianli: str = JIANLI, family: str | None = None, photo: bytes | None = None,
         extra: str = "", appraisals: str = "2021、2022年度考核均为称职，2023年度考核为优秀",
         declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    """A 3.2.1.16 file with the given values (CR written as &#xD; like the official editor)."""
    family = family if family is not None else (
        "<Item><ChengWei>妻子</ChengWei><XingMing>李四</XingMing><ChuShengRiQi>198203</ChuShengRiQi>"
        "<ZhengZhiMianMao>中共党员</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>福州市第一中学教师"
        "</GongZuoDanWeiJiZhiWu></Item>"
        "<Item><ChengWei>父亲</ChengWei><XingMing>张大</XingMing><ChuShengRiQi>195001</ChuShengRiQi>"
        "<ZhengZhiMianMao>群众</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>已去世</GongZuoDanWeiJiZhiWu></Item>")
    pic = base64.b64encode(photo).decode() if photo else ""
    body = jianli.replace("\r", "&#xD;")
    return f"""{declaration}
<Person xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <XingMing>{name}</XingMing>
  <XingBie>{gender}</XingBie>
  <ChuShengNianYue>{birth}</ChuShengNianYue>
  <MinZu>汉族</MinZu>
  <JiGuan>福建福州</JiGuan>
  <ChuShengDi>福建福州</ChuShengDi>
  <RuDangShiJian>2001.06</RuDangShiJian>
  <CanJiaGongZuoShiJian>2002-07</CanJiaGongZuoShiJian>
  <JianKangZhuangKuang>健康</JianKangZhuangKuang>
  <ZhuanYeJiShuZhiWu>高级工程师</ZhuanYeJiShuZhiWu>
  <ShuXiZhuanYeYouHeZhuanChang>城市规划建设管理</ShuXiZhuanYeYouHeZhuanChang>
  <QuanRiZhiJiaoYu_XueLi>大学</QuanRiZhiJiaoYu_XueLi>
  <QuanRiZhiJiaoYu_XueWei>工学学士</QuanRiZhiJiaoYu_XueWei>
  <QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>福州大学土木工程专业</QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>
  <QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi>福州大学土木工程专业</QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi>
  <ZaiZhiJiaoYu_XueLi>研究生</ZaiZhiJiaoYu_XueLi>
  <ZaiZhiJiaoYu_XueWei></ZaiZhiJiaoYu_XueWei>
  <ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>福建省委党校经济管理专业</ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>
  <ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi></ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi>
  <XianRenZhiWu>福州市鼓楼区住房和城乡建设局局长、党组书记</XianRenZhiWu>
  <NiRenZhiWu>福州市鼓楼区副区长</NiRenZhiWu>
  <NiMianZhiWu>福州市鼓楼区住房和城乡建设局局长</NiMianZhiWu>
  <JianLi>{body}</JianLi>
  <JiangChengQingKuang>2020年被评为福州市优秀共产党员</JiangChengQingKuang>
  <NianDuKaoHeJieGuo>{appraisals}</NianDuKaoHeJieGuo>
  <RenMianLiYou>工作需要</RenMianLiYou>
  <JiaTingChengYuan>{family}</JiaTingChengYuan>
  <ChengBaoDanWei>中共福州市鼓楼区委</ChengBaoDanWei>
  <JiSuanNianLingShiJian>20250101</JiSuanNianLingShiJian>
  <TianBiaoShiJian>202501</TianBiaoShiJian>
  <TianBiaoRen>王五</TianBiaoRen>
  <ShenFenZheng>{id_number}</ShenFenZheng>
  <ZhaoPian>{pic}</ZhaoPian>
  <Version>3.2.1.16</Version>{extra}
</Person>
"""
