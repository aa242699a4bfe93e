// 运维 (operations): deliveries and dead letters with re-drive (supervisor), the timer
// audit (auditor). While shown, the page asks again every 2 s: a re-drive's outcome appears.
import { get, post, query, Refusal } from "./api.js";
import { h, show, say } from "./dom.js";
import { state, may, stale } from "./state.js";
import { watch } from "./live.js";
import { CHANNELS, DEAD_LETTER_STATES, DELIVERY_STATUSES, EVENTS, when } from "./zh.js";

const WEEK_MS = 7 * 86400 * 1000;

async function redrive(path, redraw) {
  say("");
  try {
    await post(path);
    say("重新投递：已提交", "ok");
    await redraw();
  } catch (refusal) {
    say(refusal instanceof Refusal ? `重新投递未成功：${refusal.message}` : "网络异常，请重试");
  }
}

const DEAD_LETTERS = "/v1/admin/dead-letters?limit=50";

// Records a consumer could not handle, parked with the reason; re-driven, its group handles
// it again and the state shows how that went.
function deadLetters(list, redraw) {
  const rows = list.map((d) => h("tr", { "data-id": d.id },
    h("td", {}, String(d.id)), h("td", {}, d.group),
    h("td", {}, d.event_type ? (EVENTS[d.event_type] || d.event_type) : "无法解析"),
    h("td", {}, d.case_id ? h("a", { href: `#/case/${encodeURIComponent(d.case_id)}` }, d.case_id.slice(0, 8)) : "—"),
    h("td", {}, d.reason), h("td", {}, when(d.recorded_at)),
    h("td", { class: "state" }, DEAD_LETTER_STATES[d.state] || d.state, d.detail ? `：${d.detail}` : ""),
    h("td", {}, d.state === "requested" ? "" : h("button", { type: "button",
      onclick: () => redrive(`/v1/admin/dead-letters/${d.id}/redrive`, redraw) }, "重新投递"))));
  return h("section", { "aria-labelledby": "dead-letters-h" }, h("h2", { id: "dead-letters-h" }, "死信（无法处理的事件）"),
    rows.length ? h("table", { class: "dead-letters" },
      h("thead", {}, h("tr", {}, ["编号", "消费组", "事件", "案件", "原因", "时间", "状态", "处理"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows)) : h("p", {}, "暂无"));
}

async function deliveries(status, redraw) {
  const list = await get(`/v1/admin/deliveries${query({ status, limit: 100 })}`);
  const filter = h("form", { class: "filters", onsubmit: (e) => {
      e.preventDefault();
      location.hash = "#/ops" + query({ status: new FormData(e.target).get("status") });
    } },
    h("label", {}, "送达状态", h("select", { name: "status" }, h("option", { value: "" }, "全部"),
      Object.entries(DELIVERY_STATUSES).map(([v, t]) => h("option", { value: v, selected: v === status }, t)))),
    h("button", { type: "submit" }, "筛选"));
  const rows = list.map((d) => h("tr", {},
    h("td", {}, h("a", { href: `#/case/${encodeURIComponent(d.case_id)}` }, d.case_id.slice(0, 8))),
    h("td", {}, d.unit_code), h("td", {}, CHANNELS[d.channel] || d.channel),
    h("td", {}, DELIVERY_STATUSES[d.status] || d.status), h("td", {}, String(d.attempts)),
    h("td", {}, when(d.issued_at)),
    h("td", {}, d.status === "failed"
      ? h("button", { type: "button",
        onclick: () => redrive(`/v1/admin/deliveries/${encodeURIComponent(d.delivery_id)}/retry`, redraw) }, "重新投递")
      : d.last_error || "")));
  return h("section", { "aria-labelledby": "deliveries-h" }, h("h2", { id: "deliveries-h" }, "通知送达"), filter,
    rows.length ? h("table", { class: "deliveries" },
      h("thead", {}, h("tr", {}, ["案件", "单位", "渠道", "状态", "次数", "派发时间", "处理"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows)) : h("p", {}, "暂无"));
}

async function timerAudit() {
  const now = Date.now() + state.clockOffset;
  const window = { from: new Date(now - WEEK_MS).toISOString(), to: new Date(now).toISOString(), limit: 1 };
  const audit = await get(`/v1/audit/timers${query(window)}`);
  const s = audit.summary;
  const item = (term, value) => [h("dt", {}, term), h("dd", {}, value)];
  return h("section", { "aria-labelledby": "audit-h" }, h("h2", { id: "audit-h" }, "计时审计（近7天）"),
    h("dl", { class: "facts audit" },
      item("应到期", s.due), item("已触发", s.fired), item("已取消", s.cancelled),
      item("漏触发", s.missed), item("未到期", s.pending),
      item("延迟 p99（秒）", s.late_p99_seconds ?? "—"), item("截至", when(audit.as_of))));
}

export async function opsPage(params) {
  const drawn = await drawOps(params);
  if (drawn === null || !may("supervisor")) return;
  const states = async () => JSON.stringify(await get(DEAD_LETTERS));
  watch(drawn, states, () => drawOps(params, { keepFocus: true }));
}

async function drawOps(params, { keepFocus = false } = {}) {
  const status = params.get("status") || "";
  const redraw = () => drawOps(params, { keepFocus: true });
  const route = state.route;
  const letters = may("supervisor") ? await get(DEAD_LETTERS) : null;
  const parts = [may("supervisor") ? await deliveries(status, redraw) : null,
    letters ? deadLetters(letters, redraw) : null,
    may("auditor") ? await timerAudit() : null];
  if (stale(route)) return null;
  show({ keepFocus }, h("h1", {}, "运维"), ...parts);
  return JSON.stringify(letters);
}
