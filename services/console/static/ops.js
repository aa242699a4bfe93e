// 运维 (operations): deliveries with re-drive (supervisor), the timer audit (auditor).
import { get, post, query, Refusal } from "./api.js";
import { h, show, say } from "./dom.js";
import { state, may, stale } from "./state.js";
import { CHANNELS, DELIVERY_STATUSES, when } from "./zh.js";

const WEEK_MS = 7 * 86400 * 1000;

async function redrive(delivery, redraw) {
  try {
    await post(`/v1/admin/deliveries/${encodeURIComponent(delivery.delivery_id)}/retry`);
    say("重新投递：已提交", "ok");
    await redraw();
  } catch (refusal) {
    say(refusal instanceof Refusal ? `重新投递未成功：${refusal.message}` : "网络异常，请重试");
  }
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
      ? h("button", { type: "button", onclick: () => redrive(d, redraw) }, "重新投递") : d.last_error || "")));
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
  const status = params.get("status") || "";
  const redraw = () => opsPage(params);
  const route = state.route;
  const parts = [may("supervisor") ? await deliveries(status, redraw) : null,
    may("auditor") ? await timerAudit() : null];
  if (!stale(route)) show(h("h1", {}, "运维"), ...parts);
}
