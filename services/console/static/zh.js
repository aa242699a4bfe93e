// zh-CN labels for the API's codes, and times shown in Asia/Shanghai.
export const TIERS = { red: "红色", yellow: "黄色", blue: "蓝色" };
export const LEVELS = { grid: "网格", village: "村（社区）", township: "乡镇（街道）", county: "县（区）" };
export const LADDER = ["grid", "village", "township", "county"];
export const STATUSES = {
  pending: "待分级", assigned: "已交办", in_mediation: "调处中", resolved: "已化解",
  closed: "已办结", rejected: "不予受理",
};
export const STEPS = { acknowledge: "待签收", mediate: "待调处", follow_up: "待回访" };
export const BUCKETS = { open: "在办", due_soon: "即将到期", overdue: "已超期" };
export const CATEGORIES = {
  neighbour: "邻里纠纷", marriage_family: "婚姻家庭", support: "赡养抚养", land: "土地纠纷",
  demolition: "征地拆迁", labour: "劳资纠纷", property_mgmt: "物业纠纷", medical: "医疗纠纷",
  consumer: "消费纠纷", traffic: "交通事故", school: "校园纠纷", other: "其他",
};
export const OUTCOMES = {
  mediated: "调解成功", litigation: "引导诉讼", line_department: "转行业部门", withdrawn: "撤回",
};
export const EVENTS = {
  CaseReported: "受理登记", CaseTriaged: "分级", TierOverridden: "人工改定级",
  CaseFactsAmended: "补充事实", CaseRejected: "不予受理", CaseAssigned: "交办",
  OrderAcknowledged: "签收", AcknowledgementLapsed: "签收超时", MediationAttemptRecorded: "调处记录",
  CaseEscalated: "上报上级", DeadlineReached: "期限届满", SupervisionRaised: "督办",
  ClockPaused: "暂停计时", ClockResumed: "恢复计时", CaseResolved: "化解", FollowUpDue: "待回访",
  FollowUpRecorded: "回访", CaseReopened: "重新办理", CaseClosed: "办结",
  ExtensionRequested: "申请延期", ExtensionApproved: "批准延期", ExtensionRefused: "驳回延期",
  OrderBouncedBack: "退单", BounceBackConfirmed: "退单确认", BounceBackReassigned: "退单改派",
  BounceBackArbitrationLapsed: "退单裁定超时", PreBreachWarningIssued: "到期预警",
  ChaseNoticeIssued: "催办", DispatchOrderIssued: "派发通知", DispatchOrderDelivered: "通知送达",
  DeliveryAttemptFailed: "送达未成功（将重试）", DeliveryFailed: "送达失败",
  DeliveryRetryRequested: "重新投递", HotlineFeedbackIssued: "12345反馈",
};
export const RESULTS = { failed: "未成功", partial: "部分达成", succeeded: "达成一致" };
export const DELIVERY_STATUSES = { pending: "待送达", delivered: "已送达", failed: "送达失败" };
export const DEAD_LETTER_STATES = { parked: "已搁置", requested: "待重新处理", handled: "已重新处理", failed: "重新处理失败" };
export const CHANNELS = { webhook: "系统推送", sms: "短信", hotline: "12345" };
// A refusal's problem type (its last path segment) in Chinese; the API's own detail follows.
export const PROBLEMS = {
  unauthorized: "请先登录", "session-expired": "登录已过期，请重新登录",
  forbidden: "无权执行此操作", csrf: "安全校验未通过，请刷新页面后重试",
  "not-found": "未找到该案件或单位（或不在您的辖区内）", "redrive-pending": "已在等待重新处理", "outside-regions": "不在您的辖区内",
  "outside-jurisdiction": "不在您的辖区内", "not-holding-unit": "案件不在本单位办理",
  validation: "填写内容有误", "version-conflict": "案件刚被他人更新，请重试",
  closed: "案件已办结", resolved: "案件已化解", "already-paused": "计时已暂停",
  "not-paused": "计时未暂停", "clock-paused": "计时暂停中，不能执行此操作",
  "not-assigned": "案件尚未交办", "not-resolved": "案件尚未化解",
  "extension-pending": "已有待审批的延期申请", "no-such-request": "没有该延期申请",
  "bounce-back-pending": "已有待裁定的退单", "no-bounce-back": "没有待裁定的退单",
  "county-is-last": "县级已是最高一级", "deadline-passed": "已过办理期限",
  "reason-required": "请填写理由", "result-required": "请填写结果", "same-unit": "不能改派给同一单位",
  "not-later": "新期限须晚于原期限", "not-current-order": "不是当前交办单",
  "tier-unchanged": "定级未改变", "payload-too-large": "提交内容过长",
  "unknown-unit": "单位不存在", "same-case": "不能合并到案件自身", "already-folded": "该反映已合并",
  "has-duplicates": "已有反映合并到此案件，请先撤销合并", "folded-target": "目标案件本身已合并到其他案件",
  ended: "案件已化解、办结或不予受理", "no-proposal": "没有该待合并提议", folded: "该反映已合并到其他案件", unavailable: "服务暂不可用，请稍后重试",
};
export const SOURCES = { rest: "系统登记", hotline_12345: "12345热线" };
export const PARTY_ROLES = { applicant: "申请人", respondent: "被申请人", other: "其他" };
export const ROLES = { handler: "办理", supervisor: "督办审批", reporter: "登记", pii: "查看个人信息" };

const FORMAT = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hour12: false,
});

export function when(iso) {
  return iso ? FORMAT.format(new Date(iso)) : "—";
}

export function countdown(iso, now) {
  if (!iso) return "—";
  let minutes = Math.round((new Date(iso) - now) / 60000);
  const late = minutes < 0;
  minutes = Math.abs(minutes);
  const d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
  const span = (d ? `${d}天` : "") + (d || h ? `${h}小时` : "") + `${m}分`;
  return late ? `已超期 ${span}` : `剩余 ${span}`;
}

export function problemText(problem) {
  const slug = String(problem.type || "").split(":").pop();
  const known = PROBLEMS[slug] || problem.title || "操作失败";
  const role = problem.required_role ? `（需要“${ROLES[problem.required_role] || problem.required_role}”权限）` : "";
  return `${known}${role}`;
}
