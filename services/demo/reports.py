"""Realistic case reports for the simulated year: everyday quarrels to high-risk disputes.

Each template reads like a report a grid worker or the 12345 hotline would file; the
triage rules give it its tier from the text, exactly as for a real report. Party names
are fictitious and phone numbers come from the 170 range used for tests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from shared.org.levels import Level
from shared.org.tree import OrgTree


@dataclass(frozen=True)
class Template:
    category: str
    title: str
    description: str
    parties_count: int = 2
    amount_cny: int | None = None


BLUE = [
    Template("neighbour", "邻居装修噪音纠纷", "楼上住户连续一周夜间装修，噪音很大，双方多次争吵。"),
    Template(
        "neighbour", "楼道堆放杂物纠纷", "邻居长期在楼道堆放纸箱和旧家具，影响通行，协商未果。"
    ),
    Template("neighbour", "宠物狗扰民", "邻居家狗每晚叫到深夜，多次沟通无效。"),
    Template("property_mgmt", "物业费争议", "业主认为小区保洁不到位，拒交本年度物业费。"),
    Template(
        "consumer", "网购退货纠纷", "购买的电动车电池质量有问题，商家拒绝退换。", amount_cny=1800
    ),
    Template("traffic", "电动车剐蹭赔偿", "两辆电动车在村口剐蹭，对修车费有争议。", amount_cny=600),
    Template("neighbour", "排水沟堵塞纠纷", "两户人家因排水沟堵塞导致院子积水，互相指责。"),
]
YELLOW = [
    Template("marriage_family", "家庭矛盾升级", "夫妻因家务长期争吵，昨晚发生推搡，妻子受伤。"),
    Template("support", "赡养老人纠纷", "三兄妹对赡养八十岁高龄老人的费用分摊有争议。", 4),
    Template("land", "宅基地边界纠纷", "两户村民对宅基地边界有争议，多次反映未解决。"),
    Template("labour", "拖欠工资", "装修工人被拖欠工资三万元，老板一直推脱。", amount_cny=30000),
    Template("medical", "医疗费用纠纷", "患者家属认为手术收费过高，与卫生院发生争执。"),
    Template("school", "学生校内受伤", "学生在课间打闹受伤，家长与学校对赔偿有分歧。"),
    Template("neighbour", "邻里打架", "两户邻居因停车位发生口角，继而动手打架，一人受伤。"),
]
RED = [
    Template("labour", "工地集体讨薪", "三十多名工人被拖欠工资，聚集在项目部门口，扬言堵路。", 30),
    Template(
        "demolition", "拆迁补偿争议", "拆迁户对补偿标准不满，扬言要进京上访。", amount_cny=200000
    ),
    Template("land", "土地承包纠纷", "十几户村民对土地流转租金分配不满，准备集体上访。", 15),
    Template("marriage_family", "家暴并扬言轻生", "妻子长期遭受家暴，情绪激动，扬言要喝农药。"),
    Template("traffic", "交通事故赔偿", "交通事故致一人重伤住院，双方对赔偿金额分歧很大。"),
]
TIERS = {"blue": BLUE, "yellow": YELLOW, "red": RED}
TIER_SHARE = {"blue": 0.62, "yellow": 0.30, "red": 0.08}
SURNAMES = "赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国"


class ReportMaker:
    def __init__(self, tree: OrgTree, rng: random.Random) -> None:
        self._grids = [unit.code for unit in tree.units(level=Level.GRID)]
        self._rng = rng

    def tier(self) -> str:
        return self._rng.choices(list(TIER_SHARE), weights=list(TIER_SHARE.values()))[0]

    def report(self, tier: str, number: int) -> dict[str, Any]:
        template = self._rng.choice(TIERS[tier])
        body: dict[str, Any] = {
            "title": template.title,
            "description": template.description,
            "unit_code": self._rng.choice(self._grids),
            "category": template.category,
            "parties": [self._party("applicant"), self._party("respondent")],
            "parties_count": template.parties_count,
            "external_ref": f"DEMO-{number:06d}",
        }
        if template.amount_cny is not None:
            body["amount_cny"] = template.amount_cny
        return body

    def _party(self, role: str) -> dict[str, str]:
        name = self._rng.choice(SURNAMES) + "".join(self._rng.choices(GIVEN, k=2))
        phone = f"170{self._rng.randrange(10**8):08d}"
        return {"name": name, "phone": phone, "role": role}
