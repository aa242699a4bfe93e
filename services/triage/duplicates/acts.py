"""What happened (事件经过): the acts a report can tell, each with the words callers, hotline
operators and grid workers use for it (pure data).

Two incidents at one place, in one category, told in one style, often differ only in the act:
the same neighbour poured dirty water at the door one day and threw out a shoe cabinet the
next, the same supermarket sold sour yoghurt and weighed pork short, the same lift trapped an
old woman and pinched a child's arm, the same site saw a man fall from the scaffold and a
carpenter cut by a saw. A retelling names the act in other words (摔下来 / 坠落, 扇耳光 /
殴打, 泼 / 倾倒), so each act is a set of such words; two accounts that both name acts and
share none tell two incidents. The sets were written from the everyday disputes of county
centres and 12345 hotlines, broad on purpose; a word may mark several acts.
"""

from __future__ import annotations

ACTS: dict[str, tuple[str, ...]] = {
    # harm to people and animals
    "bite": ("咬", "叮", "抓伤", "挠伤"),
    "collide": ("撞", "相撞", "追尾", "刮倒", "剐倒", "刮擦", "剐蹭", "碰擦", "蹭了", "碾", "轧到",
        "压到", "碰倒", "带倒"),
    "fall": ("摔", "坠落", "跌落", "跌倒", "跌下", "掉下来", "滑倒", "绊倒", "坠下", "踩空"),
    "cut": ("切到", "切伤", "割伤", "割到", "锯到", "划伤", "轧伤", "压伤", "压断", "绞伤",
        "卷进", "断指", "离断"),
    "pinch": ("夹",),
    "trap": ("困", "关在里面", "被关", "卡在", "出不来"),
    "scald": ("烫", "烧伤", "灼伤", "起泡", "过敏", "起疹", "皮疹", "红肿"),
    "beat": ("殴打", "打人", "打伤", "打了", "抽", "扇", "耳光", "揍", "拳", "踢", "打起来",
        "扭打", "斗殴", "动手", "砸伤", "砸破"),
    "abuse": ("骂", "辱骂", "谩骂", "威胁", "恐吓", "体罚", "罚站", "罚跪", "掐", "欺负", "霸凌",
        "欺凌"),
    "kill": ("咬死", "杀", "宰", "弄死", "毒死", "药死", "死亡", "身亡"),
    "poison": ("中毒", "吐", "腹泻", "拉肚子", "上吐下泻"),
    # harm to things and land
    "throw": ("扔", "抛", "丢弃", "乱丢", "丢掉", "丢到"),
    "pour": ("泼", "倾倒", "倒水", "倒污水", "倒脏水", "倒在", "往下倒", "倒进", "排到", "排进",
        "直排"),
    "steal": ("偷", "盗", "失窃", "撬", "顺走", "拿走", "拉走", "盗挖", "盗伐", "盗采"),
    "dig": ("挖", "开挖", "掘"),
    "fell": ("砍", "伐", "锯断"),
    "scratch": ("划", "刮花", "涂鸦", "泼漆", "红漆", "喷漆"),
    "flood": ("淹", "积水", "进水", "泡水", "泡在", "倒灌", "漏水", "渗水"),
    "trample": ("踩", "啃", "吃了", "糟蹋", "拱"),
    "damage": ("打穿", "打了个洞", "撞坏", "弄坏", "损坏", "砸坏", "坏了", "故障", "停运", "失灵",
        "塌", "裂"),
    "remove": ("拆", "拔", "移走", "挪走", "搬走", "搬下去", "推倒", "铲"),
    "occupy": ("占", "堵", "挡", "拦", "圈", "埋", "葬"),
    "burn": ("烧", "焚", "点火", "着火", "冒烟"),
    "fire": ("电鱼", "炸鱼", "毒鱼", "网鱼"),
    # money and goods
    "unpaid": ("欠", "拖欠", "没发", "未发", "不发", "一分没", "没拿到", "不给钱", "不还", "赖账"),
    "withhold": ("扣", "克扣", "扣发", "罚款"),
    "overcharge": ("乱收费", "多收", "收费", "要价", "收我", "开药", "明细", "押金", "涨价"),
    "refuse_refund": ("不退", "不给退", "拒绝退", "不能退", "不予退", "不肯退", "退还", "退钱",
        "退款"),
    "close_down": ("关门", "跑路", "失联", "人去楼空", "停业", "倒闭", "联系不上"),
    "fake": ("假", "翻新", "以次充好", "以旧充新", "冒充", "旧的"),
    "short_weight": ("缺斤", "短两", "秤不准", "少称", "少了", "复称"),
    "spoiled": ("变质", "过期", "异味", "发霉", "酸臭", "馊", "异物", "虫子"),
    "wrong_care": ("错药", "拿错", "用错", "打错", "配错", "发错", "误诊", "漏诊"),
    "cut_supply": ("停水", "断水", "阀", "停电", "断电", "拉闸", "断网", "停气"),
    # people and duties
    "evict": ("赶出", "赶走", "撵", "不让住", "不让进", "拒之门外", "不让回"),
    "neglect": ("不管", "无人照料", "没人管", "不照顾", "不养", "不肯出", "拒绝分担", "不肯接"),
    "dismiss": ("辞退", "开除", "解雇", "不让上班", "辞职", "炒鱿鱼"),
    "gamble": ("赌", "输光", "输钱", "输了"),
    "watch": ("摄像头", "监控", "偷拍", "拍"),
    "refuse_entry": ("不抬杆", "不让进", "拦下", "不放行", "被拦"),
    "skip_stop": ("不停站", "过站不停", "不停车", "甩站", "拒载"),
    "unfair_benefit": ("取消", "没评上", "不给评", "未发放", "没发"),
    "noise": ("吵", "噪声", "噪音", "扰民", "睡不着", "吠", "狗叫"),
    "fumes": ("油烟", "熏", "烟味", "呛", "臭"),
}  # fmt: skip
"""Each act with its words; a text names an act when it holds any of its words."""

OBJECTS: dict[str, tuple[str, ...]] = {
    # the body
    "head": ("头", "脑袋", "额头", "头部"),
    "face": ("脸", "面部", "眼睛", "鼻子", "嘴", "牙"),
    "arm": ("胳膊", "手臂", "手腕", "肩膀"),
    "hand": ("手", "手指", "指头"),
    "leg": ("腿", "脚", "膝盖", "脚踝", "小腿", "大腿"),
    "back": ("背", "腰", "后背"),
    # animals and plants
    "cat": ("猫",),
    "poultry": ("鸡", "鸭", "鹅", "家禽"),
    "cattle": ("牛", "羊", "猪"),
    "fish": ("鱼",),
    "bamboo": ("毛竹", "竹子", "竹木"),
    "shoots": ("笋",),
    "seedlings": ("秧", "稻", "麦", "庄稼"),
    "vegetables": ("菜地", "青菜", "蔬菜", "白菜", "萝卜"),
    "fruit_trees": ("果树", "橘", "桃树", "杨梅", "茶树", "茶叶"),
    # the building and the estate
    "wall": ("墙",),
    "door": ("门口", "大门", "家门", "门前", "防盗门"),
    "window": ("窗",),
    "stairwell": ("楼道", "楼梯"),
    "lift": ("电梯", "轿厢"),
    "garage": ("车库", "车位"),
    "balcony": ("阳台", "晾", "被子", "被褥", "衣服"),
    "roof": ("屋顶", "楼顶", "天花板", "吊顶"),
    "lamp": ("路灯", "楼道灯", "声控灯", "照明"),
    "gate_barrier": ("道闸", "抬杆", "门禁"),
    "furniture": ("鞋柜", "柜子", "家具", "沙发", "桌子", "椅子"),
    "boundary": ("界桩", "界碑", "界址", "地界", "边界"),
    "ditch": ("沟", "渠"),
    "grave": ("坟", "墓", "碑"),
    "embankment": ("堤", "河岸", "河边"),
    # goods
    "dairy": ("奶", "酸奶"),
    "meat": ("肉", "排骨", "熟食"),
    "bread": ("面包", "蛋糕", "饼"),
    "battery": ("电池", "电瓶"),
    "brakes": ("刹车",),
    "phone": ("手机",),
    "appliance": ("冰箱", "洗衣机", "热水器", "空调", "电视", "电饭"),
    "hair": ("头发", "烫发", "染发", "剪发", "理发"),
    "card": ("会员卡", "充值卡", "预付卡", "储值", "充值", "办卡", "年卡"),
    "medicine": ("药", "针", "输液", "挂水", "吊瓶"),
    "car": ("轿车", "小车", "私家车", "汽车"),
    "e_bike": ("电瓶车", "电动车", "电动自行车", "三轮车", "自行车"),
    "truck": ("货车", "大车", "渣土车", "卡车"),
    "bus": ("公交",),
    "tiles": ("瓷砖", "地砖", "面砖"),
    # money and papers
    "wages": ("工资", "工钱", "薪水", "劳务费"),
    "insurance": ("社保", "保险", "五险"),
    "allowance": ("低保", "补贴", "补助", "救助金"),
    "resettlement": ("过渡费", "安置费", "过渡安置"),
    "compensation": ("补偿", "赔偿", "评估"),
    "medical_bill": ("医药费", "医疗费", "住院费", "药费"),
    "fees": ("学费", "物业费", "车位费", "停车费", "管理费"),
    "deposit": ("押金", "保证金", "定金", "订金"),
    "loan": ("借款", "欠款", "借条", "欠条"),
    "land_money": ("卖地", "土地款", "出让", "账目", "村账", "财务"),
}  # fmt: skip
"""What an act was done to, each with its words: two accounts of one place that name objects
and share none (竹笋 / 毛竹, 电池 / 刹车片, 卧室墙 / 电梯门) tell two incidents."""
