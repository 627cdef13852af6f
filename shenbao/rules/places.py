"""Where a partner is, as a fact of its province or country (一(一)2, 一(三)10).

The self-declared scope (区内 / 区外 / 国外) is only a hint: a partner in 内蒙古 is never 区外 however it
is marked, one in 北京 is never 区内. Hong Kong, Macao and Taiwan units are domestic and out of the
region for 1001 (粤港澳 cooperation is named in 一(三)1), and carry no 统一社会信用代码.
"""

from dataclasses import dataclass
from functools import lru_cache

from shenbao import normalise

IN_REGION = "domestic_in_region"
OUT_OF_REGION = "domestic_out_of_region"
FOREIGN = "foreign"
LOCATION_SCOPES = (IN_REGION, OUT_OF_REGION, FOREIGN)

# Provincial-level divisions of the mainland, by the short name every spelling starts with.
MAINLAND = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 "
    "重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆"
).split()
# The same provinces as a partner's own English documents name them (longest names first: shaanxi).
ENGLISH = {
    "beijing": "北京",
    "tianjin": "天津",
    "hebei": "河北",
    "shanxi": "山西",
    "inner mongolia": "内蒙古",
    "nei mongol": "内蒙古",
    "liaoning": "辽宁",
    "jilin": "吉林",
    "heilongjiang": "黑龙江",
    "shanghai": "上海",
    "jiangsu": "江苏",
    "zhejiang": "浙江",
    "anhui": "安徽",
    "fujian": "福建",
    "jiangxi": "江西",
    "shandong": "山东",
    "henan": "河南",
    "hubei": "湖北",
    "hunan": "湖南",
    "guangdong": "广东",
    "guangxi": "广西",
    "hainan": "海南",
    "chongqing": "重庆",
    "sichuan": "四川",
    "guizhou": "贵州",
    "yunnan": "云南",
    "tibet": "西藏",
    "xizang": "西藏",
    "shaanxi": "陕西",
    "gansu": "甘肃",
    "qinghai": "青海",
    "ningxia": "宁夏",
    "xinjiang": "新疆",
}
ENGLISH_PREFIXES = sorted(ENGLISH, key=len, reverse=True)
# Domestic, outside the mainland's registration system: no 统一社会信用代码.
HONG_KONG_MACAO_TAIWAN = {
    "香港": "香港",
    "hong kong": "香港",
    "hongkong": "香港",
    "hk": "香港",
    "澳门": "澳门",
    "macao": "澳门",
    "macau": "澳门",
    "台湾": "台湾",
    "taiwan": "台湾",
}
CHINA = {"中国", "中华人民共和国", "china", "prc", "cn", "people's republic of china", "p.r. china", "p. r. china"}


@dataclass(frozen=True, slots=True)
class Place:
    scope: str  # IN_REGION, OUT_OF_REGION, FOREIGN, or "" when nothing says where it is
    has_uscc: bool  # a mainland unit: it must carry a valid 统一社会信用代码
    name: str = ""  # the province or country as a person reads it


def _hmt(key: str) -> str:
    """香港 / 澳门 / 台湾 when the key names one of them (中国香港, 香港特别行政区, Hong Kong SAR …)."""
    key = key.removeprefix("中华人民共和国").removeprefix("中国").strip(" ,，")
    for name, short in HONG_KONG_MACAO_TAIWAN.items():
        if key.startswith(name):
            return short
    return ""


@lru_cache(maxsize=4096)  # a call's partners sit in a few dozen places
def place_of(province: str, country: str, declared: str, region_short_name: str) -> Place:
    """The partner's scope from its province or country; the declared scope only when neither is given."""
    province_key, country_key = normalise.text(province), normalise.text(country)
    if province_key.isascii():  # "Inner Mongolia", "Beijing": the Chinese name decides as well
        province_key = next((ENGLISH[p] for p in ENGLISH_PREFIXES if province_key.startswith(p)), province_key)
    for key in (country_key, province_key):
        if key and (hmt := _hmt(key)):
            return Place(OUT_OF_REGION, False, hmt)
    if country_key and country_key not in CHINA:
        return Place(FOREIGN, False, str(country).strip())
    if province_key:
        if province_key.startswith(normalise.text(region_short_name)):
            return Place(IN_REGION, True, str(province).strip())
        if any(province_key.startswith(name) for name in MAINLAND):
            return Place(OUT_OF_REGION, True, str(province).strip())
    if country_key:  # 中国 with no province (or one we cannot read): domestic, region unknown
        return Place(declared if declared in (IN_REGION, OUT_OF_REGION) else "", True, str(country).strip())
    return Place(declared, declared != FOREIGN, str(province or country or "").strip())
