"""The market's controlled vocabularies: codes stored in the database, Chinese labels shown to users.

Labels are Chinese msgids wrapped in lazy_gettext, so the English catalogue can translate them.
The vocabulary follows the Jiangxi 2019 science and technology work plan (shared/seed).
"""

from collections import OrderedDict

from flask_babel import lazy_gettext as _l


def _choices(mapping):
    return [(code, label) for code, label in mapping.items()]


ORG_TYPES = OrderedDict(
    university=_l("高校"),
    institute=_l("科研院所"),
    enterprise=_l("企业"),
    investor=_l("投资机构"),
    service=_l("服务机构"),
)

# Jiangxi's 11 prefecture-level cities, plus outside the province.
REGIONS = OrderedDict(
    nanchang=_l("南昌"),
    jiujiang=_l("九江"),
    jingdezhen=_l("景德镇"),
    pingxiang=_l("萍乡"),
    xinyu=_l("新余"),
    yingtan=_l("鹰潭"),
    ganzhou=_l("赣州"),
    yichun=_l("宜春"),
    shangrao=_l("上饶"),
    jian=_l("吉安"),
    fuzhou=_l("抚州"),
    outside=_l("省外"),
)

# Enterprise tiers of the seed's 科技型企业梯次培育 programme.
QUALIFICATIONS = OrderedDict(
    high_tech=_l("高新技术企业"),
    tech_sme=_l("科技型中小企业"),
    gazelle=_l("瞪羚企业"),
    potential_gazelle=_l("潜在瞪羚企业"),
    seed_unicorn=_l("种子独角兽"),
)

ROLES = OrderedDict(
    researcher=_l("科研人员"),
    company=_l("企业用户"),
    investor=_l("投资人"),
    operator=_l("运营人员"),
    broker=_l("技术经纪人"),  # given by operators (inquiries.brokers); never chosen at registration
    expert=_l("技术专家"),  # technical expert pool (events.experts); created by operators, not self-service
)
SELF_SERVICE_ROLES = ("researcher", "company", "investor")

# Priority industries of the seed (5511 工程, 03 专项, 02 专项, 民生科技) and common others.
INDUSTRIES = OrderedDict(
    electronics=_l("电子信息与新型光电"),
    mobile_iot=_l("移动物联网"),
    sensors_ic=_l("传感器与集成电路"),
    aviation=_l("航空"),
    biomedicine=_l("生物医药及大健康"),
    tcm=_l("中医药"),
    big_data=_l("大数据"),
    ai=_l("人工智能"),
    energy_env=_l("节能环保"),
    new_materials=_l("新材料（含钨与稀土）"),
    rail=_l("轨道交通"),
    agriculture=_l("现代农业"),
    vr=_l("虚拟现实"),
    smart_manufacturing=_l("智能制造"),
    new_energy=_l("新能源"),
    auto=_l("汽车及零部件"),
    construction=_l("建筑与交通工程"),
    chemicals=_l("化工与石化"),
    food=_l("食品与农产品加工"),
    textiles=_l("纺织服装"),
    ceramics=_l("陶瓷"),
    modern_services=_l("现代服务业"),
    other=_l("其他"),
)

MATURITIES = OrderedDict(
    lab=_l("实验室"),
    pilot_small=_l("小试"),
    pilot=_l("中试"),
    industrial=_l("产业化"),
)
MATURITY_RANK = {code: rank for rank, code in enumerate(MATURITIES)}

TRL_LEVELS = list(range(1, 10))

IP_TYPES = OrderedDict(
    invention_patent=_l("发明专利"),
    utility_model=_l("实用新型"),
    design_patent=_l("外观设计"),
    software_copyright=_l("软件著作权"),
    ic_layout=_l("集成电路布图设计"),
    new_plant_variety=_l("植物新品种"),
    trade_secret=_l("技术秘密"),
    none=_l("无"),
)

IP_STATUSES = OrderedDict(
    filed=_l("已受理"),
    granted=_l("已授权"),
    registered=_l("已登记"),
    not_applicable=_l("不适用"),
)

# Cooperation modes are stored as a bit mask so that filters stay a plain SQL expression.
COOPERATION_MODES = OrderedDict(
    transfer=_l("技术转让"),
    license=_l("技术许可"),
    equity=_l("作价入股"),
    co_develop=_l("合作开发"),
    service=_l("技术服务"),
)
COOPERATION_BITS = {code: 1 << i for i, code in enumerate(COOPERATION_MODES)}

SOURCE_PROGRAMMES = OrderedDict(
    national_02=_l("国家02专项"),
    national_03=_l("国家03专项"),
    national_key_rd=_l("国家重点研发计划"),
    nsfc=_l("国家自然科学基金"),
    provincial_major=_l("省重大科技专项"),
    provincial_nsf=_l("省自然科学基金"),
    enterprise_rd=_l("企业自主研发"),
    other=_l("其他"),
)

ACCEPTANCE_STATUSES = OrderedDict(
    accepted=_l("已验收"),
    in_progress=_l("在研"),
    not_applicable=_l("不适用"),
)

LISTING_STATUSES = OrderedDict(
    draft=_l("草稿"),
    submitted=_l("待审核"),
    published=_l("已发布"),
    rejected=_l("已驳回"),
    withdrawn=_l("已撤回"),
    expired=_l("已过期"),
)

LISTING_KINDS = OrderedDict(achievement=_l("科技成果"), need=_l("技术需求"))

# Price (achievements) and budget (needs) bands in 万元; upper bound exclusive, None = open.
PRICE_BANDS = OrderedDict(
    lt10=(_l("10万元以下"), 0, 10),
    b10_50=(_l("10–50万元"), 10, 50),
    b50_100=(_l("50–100万元"), 50, 100),
    b100_500=(_l("100–500万元"), 100, 500),
    ge500=(_l("500万元以上"), 500, None),
    negotiable=(_l("面议"), None, None),
)


def price_band(price_wan, negotiable):
    """The band code of a price; 面议 when negotiable or no price is given."""
    if negotiable or price_wan is None:
        return "negotiable"
    value = float(price_wan)
    for code, (_label, low, high) in PRICE_BANDS.items():
        if low is None:
            continue
        if value >= low and (high is None or value < high):
            return code
    return "negotiable"


def label(vocabulary, code, default="—"):
    """The display label of a code, or a dash for an empty/unknown one."""
    if code is None or code == "":
        return default
    value = vocabulary.get(code)
    if value is None:
        return code
    return value[0] if isinstance(value, tuple) else value


def msgid(value):
    """The Chinese text of a label whatever the request's language (the msgid of a lazy label)."""
    args = getattr(value, "_args", None)
    return str(args[0]) if args else str(value)


def choices(vocabulary):
    return [(code, value[0] if isinstance(value, tuple) else value) for code, value in vocabulary.items()]


def modes_from_mask(mask):
    return [code for code, bit in COOPERATION_BITS.items() if (mask or 0) & bit]


def mask_from_modes(codes):
    mask = 0
    for code in codes or ():
        mask |= COOPERATION_BITS.get(code, 0)
    return mask


# Organisation verification by operators: unverified -> pending (requested) -> verified | rejected (with a note).
VERIFICATION_STATUSES = OrderedDict(
    unverified=_l("未认证"),
    pending=_l("待认证"),
    verified=_l("已认证"),
    rejected=_l("认证未通过"),
)

# A user who joins an existing organisation is "pending" until an operator confirms the membership.
MEMBERSHIP_STATUSES = OrderedDict(
    active=_l("正式成员"),
    pending=_l("待确认"),
)
