// What the signed-in role may do to a case, as the API offers it; a refusal is shown as the
// API's problem, in Chinese.
import { post, Refusal } from "./api.js";
import { h, say } from "./dom.js";
import { may } from "./state.js";
import { OUTCOMES, TIERS } from "./zh.js";

const ACTIVE = ["assigned", "in_mediation"];
const REASON = { name: "reason", label: "理由", kind: "textarea", minlength: 2 };

function field(f) {
  const id = `f-${f.action}-${f.name}`;
  const common = { id, name: f.name, required: f.optional ? null : true, minlength: f.minlength };
  const control = f.kind === "textarea" ? h("textarea", { ...common, rows: 2 })
    : f.options ? h("select", common, Object.entries(f.options).map(([v, t]) => h("option", { value: v }, t)))
    : h("input", { ...common, type: f.kind || "text" });
  return h("div", { class: "field" }, h("label", { for: id }, f.label), control);
}

const SHANGHAI = "+08:00";

function bodyOf(spec, form) {
  const data = Object.fromEntries(new FormData(form).entries());
  for (const f of spec.fields || []) {
    if (f.kind === "datetime-local" && data[f.name]) data[f.name] = `${data[f.name]}:00${SHANGHAI}`;
    if (f.kind === "number") data[f.name] = data[f.name] === "" ? undefined : Number(data[f.name]);
    if (f.boolean) data[f.name] = data[f.name] === "true";
  }
  return data;
}

function form(spec, c, reload) {
  const fields = (spec.fields || []).map((f) => field({ ...f, action: SPECS.indexOf(spec) }));
  const submit = async (event) => {
    event.preventDefault();
    const button = event.target.querySelector("button");
    button.disabled = true;
    say("");  // the last answer goes: the same words again are this action's, announced anew
    try {
      await post(spec.path(c), bodyOf(spec, event.target));
      await reload();
      say(`${spec.label}：已提交`, "ok");
    } catch (refusal) {
      button.disabled = false;
      say(refusal instanceof Refusal ? `${spec.label}未成功：${refusal.message}` : "网络异常，请重试");
    }
  };
  return h("form", { class: "action", "data-action": spec.label, onsubmit: submit }, fields,
    h("button", { type: "submit" }, spec.label));
}

const base = (c) => `/v1/cases/${encodeURIComponent(c.id)}`;
const SPECS = [
  { label: "签收", role: "handler", when: (c) => ACTIVE.includes(c.status) && !c.acknowledged,
    path: (c) => `${base(c)}/acknowledgement` },
  { label: "调处记录", role: "handler", when: (c) => ACTIVE.includes(c.status) && c.acknowledged,
    path: (c) => `${base(c)}/attempts`,
    fields: [{ name: "result", label: "调处结果", options: { failed: "未成功", partial: "部分达成", succeeded: "达成一致" } },
      { name: "note", label: "调处情况", kind: "textarea" }] },
  { label: "化解", role: "handler", when: (c) => ACTIVE.includes(c.status),
    path: (c) => `${base(c)}/resolution`,
    fields: [{ name: "outcome", label: "化解方式", options: OUTCOMES },
      { name: "result_text", label: "化解结果", kind: "textarea" }] },
  { label: "提前上报", role: "handler", when: (c) => ACTIVE.includes(c.status),
    path: (c) => `${base(c)}/escalation-requests` },
  { label: "暂停计时", role: "handler", when: (c) => ACTIVE.includes(c.status) && !c.paused,
    path: (c) => `${base(c)}/pause`, fields: [REASON] },
  { label: "恢复计时", role: "handler", when: (c) => c.paused, path: (c) => `${base(c)}/resume`, fields: [REASON] },
  { label: "申请延期", role: "handler", when: (c) => ACTIVE.includes(c.status) && !c.extension_pending,
    path: (c) => `${base(c)}/extension-requests`,
    fields: [REASON, { name: "deadline_at", label: "申请的新期限（北京时间）", kind: "datetime-local" }] },
  { label: "退单", role: "handler", when: (c) => ACTIVE.includes(c.status) && !c.bounce_back,
    path: (c) => `${base(c)}/bounce-back`, fields: [REASON] },
  { label: "回访", role: "handler", when: (c) => c.status === "resolved",
    path: (c) => `${base(c)}/follow-up`,
    fields: [{ name: "satisfied", label: "群众是否满意", boolean: true, options: { true: "满意", false: "不满意" } },
      { name: "note", label: "回访情况", kind: "textarea", optional: true }] },
  { label: "批准延期", role: "supervisor", when: (c) => c.extension_pending,
    path: (c) => `${base(c)}/extension-requests/${c.extension_pending.request_id}/approve` },
  { label: "驳回延期", role: "supervisor", when: (c) => c.extension_pending,
    path: (c) => `${base(c)}/extension-requests/${c.extension_pending.request_id}/refuse`, fields: [REASON] },
  { label: "退单改派", role: "supervisor", when: (c) => c.bounce_back,
    path: (c) => `${base(c)}/bounce-back/reassign`,
    fields: [{ name: "unit_code", label: "改派单位编码" }, { name: "note", label: "说明", optional: true }] },
  { label: "确认退单", role: "supervisor", when: (c) => c.bounce_back,
    path: (c) => `${base(c)}/bounce-back/confirm`, fields: [{ name: "note", label: "说明", optional: true }] },
  { label: "改定级", role: "supervisor", when: (c) => !["closed", "rejected"].includes(c.status),
    path: (c) => `${base(c)}/tier-override`,
    fields: [{ name: "tier", label: "新定级", options: TIERS }, REASON] },
  { label: "补充事实", role: "reporter", when: (c) => !["closed", "rejected"].includes(c.status),
    path: (c) => `${base(c)}/facts`,
    fields: [{ name: "parties_count", label: "涉及人数", kind: "number" }] },
];

export function actionsFor(c, reload) {
  const offered = SPECS.filter((s) => may(s.role) && s.when(c));
  return h("section", { "aria-labelledby": "actions-h", class: "actions" },
    h("h2", { id: "actions-h" }, "办理"),
    offered.length ? offered.map((s) => form(s, c, reload)) : h("p", {}, "您的角色在此案件上没有可办理的操作"));
}
