"""Word lists the demo seed draws from: names, cities, employers, merchants.

Kept apart from the generator (:mod:`corebank.demo.generator`) so it reads as logic and the
content team can extend the lists without touching it. Merchants are real
brands a Chinese statement would show; employers are invented.
"""

from __future__ import annotations

from typing import NamedTuple

BANK_ZH = "海港银行"
BANK_EN = "Harbour Bank"

# Surnames roughly by frequency (weights), so 王/李/张 dominate as they do.
ZH_SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 72),
    ("李", 70),
    ("张", 66),
    ("刘", 53),
    ("陈", 46),
    ("杨", 33),
    ("黄", 24),
    ("赵", 20),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 14),
    ("马", 13),
    ("朱", 12),
    ("胡", 11),
    ("郭", 11),
    ("何", 10),
    ("林", 10),
    ("高", 10),
    ("罗", 9),
    ("郑", 9),
    ("梁", 8),
    ("谢", 7),
    ("宋", 7),
    ("唐", 7),
    ("许", 6),
    ("韩", 6),
    ("冯", 6),
    ("邓", 6),
    ("曹", 6),
    ("彭", 5),
    ("曾", 5),
    ("肖", 5),
    ("田", 5),
    ("董", 5),
    ("袁", 4),
    ("潘", 4),
    ("于", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("余", 4),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("苏", 3),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("钟", 2),
    ("谭", 2),
    ("陆", 2),
    ("汪", 2),
    ("范", 2),
    ("金", 2),
    ("石", 2),
    ("廖", 2),
    ("贾", 2),
    ("夏", 2),
    ("韦", 2),
    ("方", 2),
    ("白", 2),
    ("邹", 2),
    ("孟", 2),
    ("熊", 2),
    ("秦", 2),
    ("邱", 2),
    ("江", 2),
    ("尹", 2),
    ("薛", 2),
    ("欧阳", 1),
    ("司马", 1),
)
ZH_GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文玲红梅鹏辉晨浩宇"
    "欣怡子轩梓涵雨萱一诺思远佳琪嘉俊博文晓峰海燕志强春雷秋月冬雪立新丹彤"
)

EN_GIVEN: tuple[str, ...] = (
    "James",
    "Olivia",
    "Michael",
    "Sophia",
    "David",
    "Emma",
    "Daniel",
    "Grace",
    "Kevin",
    "Jessica",
    "Jason",
    "Amy",
    "Ryan",
    "Chloe",
    "Eric",
    "Vivian",
    "Tony",
    "Cindy",
    "Alex",
    "Linda",
    "Peter",
    "Helen",
    "Sam",
    "Joanna",
    "William",
    "Mia",
)
EN_SURNAMES: tuple[str, ...] = (
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Wong",
    "Lee",
    "Ho",
    "Lam",
    "Tan",
    "Smith",
    "Brown",
    "Johnson",
    "Miller",
    "Taylor",
    "Nguyen",
    "Kim",
    "Park",
    "Schmidt",
    "Martin",
    "Rossi",
    "Garcia",
    "Walker",
    "Davies",
)


class City(NamedTuple):
    """A city: its resident-ID region codes and the branches whose ATMs people use."""

    zh: str
    en: str
    regions: tuple[str, ...]
    branches: tuple[tuple[str, str], ...]
    water_zh: str
    water_en: str


CITIES: tuple[City, ...] = (
    City(
        "北京",
        "Beijing",
        ("110101", "110105", "110108"),
        (("东城支行", "Dongcheng"), ("朝阳支行", "Chaoyang"), ("海淀支行", "Haidian")),
        "北京自来水集团",
        "Beijing Waterworks",
    ),
    City(
        "上海",
        "Shanghai",
        ("310104", "310115", "310106"),
        (("徐汇支行", "Xuhui"), ("浦东支行", "Pudong"), ("静安支行", "Jing'an")),
        "上海城投水务",
        "Shanghai Water",
    ),
    City(
        "广州",
        "Guangzhou",
        ("440106", "440104"),
        (("天河支行", "Tianhe"), ("越秀支行", "Yuexiu")),
        "广州自来水公司",
        "Guangzhou Water Supply",
    ),
    City(
        "深圳",
        "Shenzhen",
        ("440305", "440304", "440303"),
        (("南山支行", "Nanshan"), ("福田支行", "Futian"), ("罗湖支行", "Luohu")),
        "深圳水务集团",
        "Shenzhen Water Group",
    ),
    City(
        "杭州",
        "Hangzhou",
        ("330106", "330102"),
        (("西湖支行", "Xihu"), ("上城支行", "Shangcheng")),
        "杭州水务集团",
        "Hangzhou Water",
    ),
    City(
        "成都",
        "Chengdu",
        ("510107", "510104"),
        (("武侯支行", "Wuhou"), ("锦江支行", "Jinjiang")),
        "成都自来水公司",
        "Chengdu Water Supply",
    ),
    City(
        "武汉",
        "Wuhan",
        ("420106", "420102"),
        (("武昌支行", "Wuchang"), ("江岸支行", "Jiang'an")),
        "武汉水务集团",
        "Wuhan Water Group",
    ),
    City(
        "南京",
        "Nanjing",
        ("320102", "320106"),
        (("玄武支行", "Xuanwu"), ("鼓楼支行", "Gulou")),
        "南京水务集团",
        "Nanjing Water Group",
    ),
    City(
        "西安",
        "Xi'an",
        ("610113", "610103"),
        (("雁塔支行", "Yanta"), ("碑林支行", "Beilin")),
        "西安水务集团",
        "Xi'an Water Group",
    ),
    City(
        "重庆",
        "Chongqing",
        ("500103", "500105"),
        (("渝中支行", "Yuzhong"), ("江北支行", "Jiangbei")),
        "重庆自来水公司",
        "Chongqing Water Supply",
    ),
    City(
        "天津",
        "Tianjin",
        ("120101", "120103"),
        (("和平支行", "Heping"), ("河西支行", "Hexi")),
        "天津水务集团",
        "Tianjin Water Group",
    ),
    City(
        "苏州",
        "Suzhou",
        ("320508", "320505"),
        (("姑苏支行", "Gusu"), ("高新区支行", "New District")),
        "苏州水务集团",
        "Suzhou Water Group",
    ),
)

# Birthplaces that need not be where people live now.
OTHER_REGIONS: tuple[str, ...] = (
    "370102",
    "430104",
    "410105",
    "350203",
    "210102",
    "230103",
    "450103",
    "530102",
    "340104",
    "360102",
    "130102",
    "140105",
    "220102",
    "520102",
    "620102",
    "150102",
)

EMPLOYERS: tuple[tuple[str, str], ...] = (
    ("海港科技有限公司", "Harbour Tech Co., Ltd."),
    ("东方明珠贸易有限公司", "Oriental Pearl Trading Co., Ltd."),
    ("新城建设集团有限公司", "New City Construction Group"),
    ("华信软件股份有限公司", "Huaxin Software Co., Ltd."),
    ("长江物流有限公司", "Changjiang Logistics Co., Ltd."),
    ("市第一人民医院", "First People's Hospital"),
    ("明德实验中学", "Mingde Experimental School"),
    ("锦程餐饮管理有限公司", "Jincheng Catering Management"),
    ("启航教育科技有限公司", "Qihang Education Technology"),
    ("恒达汽车零部件有限公司", "Hengda Auto Parts Co., Ltd."),
    ("瑞丰会计师事务所", "Ruifeng Accounting Firm"),
    ("绿源食品有限公司", "Lvyuan Foods Co., Ltd."),
    ("星辰传媒有限公司", "Xingchen Media Co., Ltd."),
    ("海港银行", "Harbour Bank"),
)


class Merchant(NamedTuple):
    """Where a card is used: names, category, channel, typical amount range in yuan."""

    zh: str
    en: str
    category: str
    channel: str
    low: int
    high: int
    weight: int


MERCHANTS: tuple[Merchant, ...] = (
    Merchant("盒马鲜生", "Freshippo", "groceries", "pos", 20, 400, 8),
    Merchant("永辉超市", "Yonghui Superstores", "groceries", "pos", 15, 350, 7),
    Merchant("沃尔玛", "Walmart", "groceries", "pos", 30, 600, 5),
    Merchant("山姆会员店", "Sam's Club", "groceries", "pos", 150, 1500, 3),
    Merchant("全家便利店", "FamilyMart", "groceries", "pos", 5, 60, 6),
    Merchant("7-Eleven", "7-Eleven", "groceries", "pos", 5, 60, 5),
    Merchant("钱大妈", "Qiandama", "groceries", "pos", 10, 120, 3),
    Merchant("美团外卖", "Meituan Waimai", "dining", "online", 18, 120, 10),
    Merchant("饿了么", "Ele.me", "dining", "online", 18, 110, 7),
    Merchant("星巴克", "Starbucks", "dining", "pos", 28, 120, 5),
    Merchant("瑞幸咖啡", "Luckin Coffee", "dining", "online", 9, 40, 6),
    Merchant("海底捞火锅", "Haidilao Hot Pot", "dining", "pos", 150, 900, 3),
    Merchant("肯德基", "KFC", "dining", "pos", 25, 150, 4),
    Merchant("麦当劳", "McDonald's", "dining", "pos", 20, 120, 4),
    Merchant("喜茶", "HEYTEA", "dining", "online", 15, 60, 3),
    Merchant("西贝莜面村", "Xibei", "dining", "pos", 120, 600, 2),
    Merchant("京东", "JD.com", "shopping", "online", 30, 3000, 7),
    Merchant("淘宝", "Taobao", "shopping", "online", 15, 1500, 8),
    Merchant("天猫", "Tmall", "shopping", "online", 30, 2500, 5),
    Merchant("拼多多", "Pinduoduo", "shopping", "online", 8, 300, 5),
    Merchant("优衣库", "UNIQLO", "shopping", "pos", 79, 900, 3),
    Merchant("宜家家居", "IKEA", "shopping", "pos", 50, 4000, 2),
    Merchant("Apple Store 零售店", "Apple Store", "shopping", "pos", 199, 12000, 1),
    Merchant("屈臣氏", "Watsons", "shopping", "pos", 20, 400, 3),
    Merchant("小米之家", "Xiaomi Store", "shopping", "pos", 49, 5000, 2),
    Merchant("滴滴出行", "DiDi", "transport", "online", 12, 150, 7),
    Merchant("中国石化加油站", "Sinopec", "transport", "pos", 150, 500, 4),
    Merchant("中国石油加油站", "PetroChina", "transport", "pos", 150, 500, 3),
    Merchant("铁路12306", "China Railway 12306", "transport", "online", 50, 1200, 3),
    Merchant("中国国际航空", "Air China", "travel", "online", 500, 4500, 1),
    Merchant("东方航空", "China Eastern", "travel", "online", 450, 4000, 1),
    Merchant("携程旅行", "Trip.com", "travel", "online", 200, 6000, 2),
    Merchant("华住酒店", "H World Hotels", "travel", "pos", 200, 1200, 1),
    Merchant("大参林药房", "Dashenlin Pharmacy", "health", "pos", 15, 400, 3),
    Merchant("老百姓大药房", "LBX Pharmacy", "health", "pos", 15, 400, 2),
    Merchant("万达影城", "Wanda Cinemas", "entertainment", "pos", 40, 200, 3),
    Merchant("腾讯视频", "Tencent Video", "entertainment", "online", 25, 258, 2),
    Merchant("爱奇艺", "iQIYI", "entertainment", "online", 25, 248, 2),
    Merchant("新东方", "New Oriental", "education", "online", 500, 8000, 1),
)


class Utility(NamedTuple):
    """A recurring bill: who collects it, how often (months), amount range in yuan."""

    key: str
    zh: str
    en: str
    every: int
    low: int
    high: int
    share: float


UTILITIES: tuple[Utility, ...] = (
    Utility("electricity", "国家电网 电费", "State Grid - electricity", 1, 60, 450, 0.6),
    Utility("gas", "华润燃气 燃气费", "China Resources Gas", 1, 30, 260, 0.35),
    Utility("mobile", "中国移动 话费", "China Mobile - phone bill", 1, 38, 198, 0.4),
    Utility("mobile_unicom", "中国联通 话费", "China Unicom - phone bill", 1, 38, 168, 0.15),
    Utility("broadband", "中国电信 宽带", "China Telecom - broadband", 1, 60, 150, 0.2),
    Utility("property", "物业管理费", "Property management fee", 3, 300, 1500, 0.35),
)
