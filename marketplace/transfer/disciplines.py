"""Disciplines (学科, the `field` of csl-dev records) and broad categories (门类) -> the market's industry codes.

Only clear cases are mapped; anything else is "other" (the discipline itself is kept as a tag).
"""
from .. import taxonomy

DISCIPLINE_INDUSTRIES = {
    "材料科学与工程": "new_materials",
    "冶金工程": "new_materials",
    "矿业工程": "new_materials",
    "化学/化学工程与技术": "chemicals",
    "石油与天然气工程": "chemicals",
    "中医学/中药学": "tcm",
    "药学": "biomedicine",
    "基础医学/临床医学": "biomedicine",
    "口腔医学": "biomedicine",
    "公共卫生与预防医学": "biomedicine",
    "生物学/生物科学与工程": "biomedicine",
    "食品科学与工程": "food",
    "园艺学": "agriculture",
    "作物学": "agriculture",
    "农业工程": "agriculture",
    "农业资源利用": "agriculture",
    "水产": "agriculture",
    "畜牧学/兽医学": "agriculture",
    "林学/林业工程": "agriculture",
    "植物保护": "agriculture",
    "农林经济管理": "agriculture",
    "交通运输工程": "construction",
    "土木工程": "construction",
    "建筑学": "construction",
    "水利工程": "construction",
    "纺织科学与工程": "textiles",
    "计算机科学与技术": "electronics",
    "光学工程": "electronics",
    "信息与通信工程": "mobile_iot",
    "电子科学与技术": "sensors_ic",
    "控制科学与工程": "smart_manufacturing",
    "机械工程": "smart_manufacturing",
    "电气工程": "new_energy",
    "核科学与技术": "new_energy",
    "动力工程及工程热物理": "energy_env",
    "环境科学与工程": "energy_env",
    "航空宇航科学与技术": "aviation",
    "工商管理": "modern_services",
    "应用经济学": "modern_services",
}

CATEGORY_INDUSTRIES = {
    "农学": "agriculture",
    "医学": "biomedicine",
}


def industry_for(*names):
    """The industry code of the first discipline or category that has one, else "other"."""
    for name in names:
        code = DISCIPLINE_INDUSTRIES.get(name) or CATEGORY_INDUSTRIES.get(name)
        if code:
            return code
        if name in taxonomy.INDUSTRIES:
            return name
    return "other"
