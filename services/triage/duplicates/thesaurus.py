"""The words callers and write-ups use for one thing (同义词): each set names one thing, act
or harm of a dispute, its first word the name used for all (pure data).

A caller says 狗叫了一晚上, the hotline write-up says 犬只夜间吠叫; a worker says 工钱没给, the
grid worker writes 拖欠工资. Character pairs alone see little in common between such
accounts; read through these sets both name 狗, 吠叫, 夜里 and 工资, 拖欠. The sets are narrow on
purpose: a gas stove and a water heater are different things (two incidents at one shop),
so each has its own set. Longer words win over shorter ones where they overlap; a single
character that is part of many words (打, 欠, 地) is not a word here.

Every word here occurs in the tuning part of bench/data/duplicate_pairs.jsonl or in none of
it: words that occur only in the held-out part were left out, so that the held-out figures
show how the score fares on words the sets do not know (docs/duplicates.md).
"""

from __future__ import annotations

SYNONYMS: tuple[tuple[str, ...], ...] = (
    # animals and noise
    ("狗", "犬", "犬只", "大狗", "野狗", "流浪狗", "流浪犬", "狗狗"),
    ("吠叫", "吠", "狂吠", "乱叫", "一直叫"),
    ("咬", "咬伤", "咬人", "被咬"),
    ("夜里", "半夜", "夜间", "晚上", "深夜", "一晚上", "整夜", "一整夜", "通宵", "凌晨"),
    ("扰民", "噪声", "吵醒", "睡不着", "吵得人"),
    ("音箱", "喇叭"),
    # water, buildings and property management
    ("漏水", "渗水", "渗漏", "滴水", "防水"),
    ("天花板", "顶棚", "吊顶", "顶板"),
    ("停水", "没水", "断水", "没有水", "停止供水", "水都停了", "把水停了"),
    ("积水", "进水", "泡水", "被淹", "倒灌"),
    ("窨井", "排污管"),
    ("排水沟", "水沟", "阴沟"),
    ("电梯", "升降梯", "直梯"),
    ("故障", "停运", "坏了", "损坏", "不能用"),
    ("垃圾", "生活垃圾", "垃圾桶"),
    ("臭", "异味", "臭味", "恶臭", "臭得"),
    ("苍蝇", "蚊蝇", "蚊子", "蚊虫"),
    ("物业费", "管理费"),
    ("停车费", "车位费", "停车收费"),
    ("公共收益", "广告费", "广告", "车位收益"),
    ("账目", "账本", "公示", "公开账目", "审计"),
    ("绿化", "草坪", "绿化带", "修剪", "杂草"),
    ("车库", "地下车库", "负一楼"),
    ("挪车", "堵住", "堵了", "停在我家", "把车停在", "停死了", "违停", "乱停", "停满", "占道"),
    # land, houses and demolition
    ("界址", "边界", "地界"),
    ("承包地", "责任田"),
    ("老宅", "老房子"),
    ("建房", "翻盖", "盖房"),
    ("围墙", "院墙", "砌墙"),
    ("过道", "通道", "小路", "通行"),
    ("竹林", "竹子", "毛竹", "山林", "竹木"),
    ("砍伐", "砍", "盗伐", "偷砍"),
    ("拆迁", "拆", "拆除", "强拆", "拆房"),
    ("挖掘机", "挖机", "钩机"),
    ("补偿", "补偿款", "赔偿款", "补得", "补偿标准"),
    ("评估", "评估价", "测量", "量房", "重新测量"),
    ("征地", "征用", "征收"),
    ("青苗", "青苗费", "青苗补偿"),
    # work and wages
    ("工资", "工钱", "薪水", "劳务费", "欠薪", "讨薪", "钱没给"),
    ("拖欠", "克扣", "没发", "拒付", "少给", "欠了", "只给一半", "欠我们", "不肯出"),
    ("老板", "包工头", "雇主", "老板娘"),
    ("跑路", "跑了", "失联", "联系不上"),
    ("工地", "项目部"),
    ("工人", "务工人员", "农民工", "员工", "女工", "工友"),
    ("护工", "保姆", "家政", "护理"),
    ("工伤", "轧伤"),
    # harm and quarrels
    ("打架", "打人", "打起来", "斗殴", "肢体冲突", "动手"),
    ("推搡", "推推搡搡", "推来推去"),
    ("吵架", "吵起来", "争执", "吵翻", "对峙"),
    ("受伤", "流血", "出血", "打破", "骨折", "缝针", "烫伤", "擦伤"),
    ("酒瓶", "酒瓶子", "啤酒瓶"),
    ("喝醉", "醉酒", "喝多"),
    ("放水", "灌溉", "灌田", "用水", "截水"),
    ("水渠", "沟渠"),
    # family
    ("老婆", "妻子", "妻", "母亲"),
    ("孩子", "小孩", "儿子", "女儿", "幼儿", "小学生"),
    ("赡养", "养老", "不养", "互相推"),
    ("老人", "老太", "阿婆", "老太太", "老伯", "老头", "老年"),
    ("赶出", "赶出家门", "不让她回家", "拒之门外", "不让回家", "逐出"),
    ("祠堂", "村祠堂"),
    # goods and services
    ("牛奶", "纯牛奶"),
    ("过期", "保质期", "超过保质期", "变质"),
    ("腹泻", "拉肚子", "上吐下泻", "呕吐"),
    ("电饭锅", "电饭煲"),
    ("燃气灶", "煤气灶", "灶台"),
    ("热水器", "电热水器"),
    ("漏电", "触电", "被电"),
    ("爆裂", "炸了", "爆了"),
    ("退货", "退换", "退款", "不给退"),
    ("会员卡", "充值"),
    # health and schools
    ("打针", "打了一针", "打一针", "注射", "打点滴", "输液", "点滴"),
    ("配错药", "开错药", "配错", "开错"),
    ("抢救", "ICU", "重症", "不行了"),
    ("不良反应", "抽筋", "口吐白沫", "过敏", "休克"),
    ("老师", "教师", "班主任"),
    ("体罚", "打脸", "巴掌", "打孩子"),
    # traffic
    ("撞", "撞倒", "撞了", "撞塌", "碰倒", "压到"),
    ("电动车", "电瓶车"),
    ("私家车", "SUV", "小车"),
    ("货车", "小货车", "大车", "渣土车", "拉土", "面包车"),
    ("倒车", "倒车时"),
    ("菜场", "农贸市场"),
    # smoke and farms
    ("养猪场", "猪场", "生猪养殖场"),
    ("养鸡场", "鸡场"),
    ("粪", "粪水", "粪污", "鸡粪", "猪粪"),
    ("小溪", "溪流", "溪水"),
    ("直排", "排放", "往外排"),
    ("KTV", "歌厅", "娱乐场所"),
)

COMMON: frozenset[str] = frozenset(
    {
        "夜里", "扰民", "臭", "拖欠", "工资", "老板", "工人", "补偿", "打架", "吵架", "受伤",
        "老人", "孩子", "老婆", "挪车", "过道", "故障",
    }
)  # fmt: skip
"""Sets that many different disputes name (who, when, a quarrel, wages owed): they count
for less than the sets that name the thing itself (电梯, 牛奶, 竹林)."""
