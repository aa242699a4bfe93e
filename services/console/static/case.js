// 案件 (a case): facts, tier and why, the ladder grid → county, actions, the timeline.
import { get } from "./api.js";
import { h, show, say } from "./dom.js";
import { actionsFor } from "./actions.js";
import { state, may, stale } from "./state.js";
import { watch } from "./live.js";
import {
  CATEGORIES, CHANNELS, DELIVERY_STATUSES, EVENTS, RESULTS, LADDER, LEVELS, OUTCOMES, PARTY_ROLES, SOURCES, STATUSES, TIERS, countdown, when,
} from "./zh.js";

function facts(c) {
  const item = (term, value) => [h("dt", {}, term), h("dd", {}, value ?? "—")];
  return h("section", { "aria-labelledby": "facts-h" }, h("h2", { id: "facts-h" }, "案情"),
    h("dl", { class: "facts" },
      item("标题", c.title), item("描述", c.description), item("状态", STATUSES[c.status] || c.status),
      item("类别", CATEGORIES[c.category] || c.category), item("来源", SOURCES[c.source] || c.source),
      item("12345工单号", c.external_ref), item("涉及人数", c.parties_count),
      item("涉及金额（元）", c.amount_cny), item("受理时间", when(c.reported_at)),
      item("当事人", h("ul", { class: "parties" }, c.parties.map((p) =>
        h("li", { class: "party" }, `${p.name}（${PARTY_ROLES[p.role] || p.role}）`, p.phone ? ` 电话 ${p.phone}` : "",
          p.id_number ? ` 证件 ${p.id_number}` : "")))),
      c.resolution ? item("化解结果", `${OUTCOMES[c.resolution.outcome] || c.resolution.outcome}：${c.resolution.result_text || ""}`) : null));
}

function tier(c, events) {
  const triaged = events.filter((e) => e.type === "CaseTriaged" || e.type === "TierOverridden").pop();
  const p = triaged ? triaged.payload : {};
  const rules = (p.rules || []).map((r) => h("li", {}, r.rule || r.name || JSON.stringify(r),
    r.triggers && r.triggers.length ? `：${r.triggers.map((t) => t.word || t.text || t).join("、")}` : ""));
  return h("section", { "aria-labelledby": "tier-h" }, h("h2", { id: "tier-h" }, "定级"),
    h("p", {}, h("span", { class: `tier tier-${c.tier || "none"}` }, TIERS[c.tier] || "未分级"),
      p.reason ? ` 人工改定级：${p.reason}` : ""),
    (p.explanation || []).length ? h("ul", {}, p.explanation.map((t) => h("li", {}, t))) : null,
    rules.length ? h("ul", { class: "rules" }, rules) : null,
    h("p", { class: "versions" }, `规则集版本 ${c.ruleset_version || "—"} · 流程版本 ${c.ladder_version || "—"}`));
}

function ladder(c, events, now) {
  const assigned = {};
  for (const e of events) if (e.type === "CaseAssigned") assigned[e.payload.level] = e.payload;
  const steps = LADDER.map((level) => {
    const a = assigned[level];
    const current = c.level === level && !["resolved", "closed"].includes(c.status);
    const overdue = c.overdue_levels.includes(level);
    return h("li", { class: `rung${current ? " current" : ""}${a ? " reached" : ""}${overdue ? " overdue" : ""}`,
        "aria-current": current ? "step" : null },
      h("strong", {}, LEVELS[level]),
      a ? h("span", {}, `承办 ${a.unit_code}`) : h("span", {}, "未到达"),
      a ? h("span", {}, `期限 ${when(a.deadline_at)}`) : null,
      current && c.deadline_at ? h("span", { class: "countdown" }, countdown(c.deadline_at, now)) : null,
      overdue ? h("span", { class: "late" }, "超期") : null,
      level === "county" && c.supervision_count ? h("span", {}, `督办 ${c.supervision_count} 次`) : null);
  });
  return h("section", { "aria-labelledby": "ladder-h" }, h("h2", { id: "ladder-h" }, "四级闭环"),
    h("ol", { class: "ladder" }, steps));
}

function detailOf(p) {
  return [p.reason, p.note, p.result_text, RESULTS[p.result], p.by && `经办 ${p.by}`]
    .filter(Boolean).join(" · ");
}

// The newest LATEST events; the earlier ones on request (a case of 500 events draws at once).
const LATEST = 100;
let expanded = null;  // the case whose whole history is shown
// What the tier and the ladder are drawn from, wherever they are in the history.
const MARKS = ["CaseTriaged", "TierOverridden", "CaseAssigned"];

function timeline(caseId, events, total) {
  const earlier = total - events.length;
  const section = h("section", { "aria-labelledby": "history-h" }, h("h2", { id: "history-h" }, "办理经过"),
    earlier > 0 ? h("button", { type: "button", class: "earlier", onclick: async () => {
      expanded = caseId;
      section.replaceWith(timeline(caseId, await get(`${casePath(caseId)}/events`), total));
    } }, `显示更早的 ${earlier} 条`) : null,
    h("ol", { class: "timeline", start: earlier + 1 }, events.map((e) => h("li", { "data-type": e.type },
      h("time", { datetime: e.occurred_at }, when(e.occurred_at)), " ",
      h("strong", {}, EVENTS[e.type] || e.type),
      e.payload.level ? ` · ${LEVELS[e.payload.level]}` : "",
      detailOf(e.payload) ? ` · ${detailOf(e.payload)}` : "",
      h("span", { class: "by" }, ` （${e.producer}）`)))));
  return section;
}

const casePath = (caseId) => `/v1/cases/${encodeURIComponent(caseId)}`;

async function deliveries(caseId) {
  if (!may("supervisor")) return null;
  const list = await get(`/v1/admin/deliveries?case_id=${encodeURIComponent(caseId)}`).catch(() => []);
  return h("section", { "aria-labelledby": "deliveries-h" }, h("h2", { id: "deliveries-h" }, "通知送达"),
    list.length ? h("ul", {}, list.map((d) => h("li", { class: "delivery" },
      `${CHANNELS[d.channel] || d.channel} → ${d.unit_code} · ${DELIVERY_STATUSES[d.status] || d.status}`,
      ` · ${when(d.delivered_at || d.issued_at)}`, d.attempts > 1 ? ` · 第${d.attempts}次` : "")))
      : h("p", {}, "暂无"));
}

export async function casePage(caseId) {
  const route = state.route;
  const drawn = await drawCase(caseId);
  if (stale(route)) return;
  const path = casePath(caseId);
  watch(drawn, async () => (await get(path)).version, () => drawCase(caseId, { keepFocus: true }));
}

async function drawCase(caseId, { keepFocus = false } = {}) {
  const path = casePath(caseId);
  const route = state.route;
  const recent = expanded === caseId ? "" : `?last=${LATEST}`;
  const [c, events, marks, shown] = await Promise.all([get(path), get(`${path}/events${recent}`),
    get(`${path}/events?${MARKS.map((t) => `type=${t}`).join("&")}`), deliveries(caseId)]);
  if (stale(route)) return c.version;
  const now = new Date(Date.now() + state.clockOffset);
  show({ keepFocus }, h("h1", {}, `案件 ${c.number}`),
    h("p", {}, h("a", { href: "#/queue" }, "← 返回待办")),
    h("div", { class: "case-grid" }, facts(c), tier(c, marks), ladder(c, marks, now)),
    actionsFor(c, () => drawCase(caseId)),
    shown,
    timeline(caseId, events, Math.max(c.version, events.length)));
  if (!keepFocus) say("");
  return c.version;
}
