// 到件 (arrivals): the newest cases anywhere in the key's regions, newest first; for a
// county-level key (the duty officer, 值班员) the whole county. Live: a new case appears
// within 2 s without a reload.
import { get, query } from "./api.js";
import { h, show, say } from "./dom.js";
import { CATEGORIES, LEVELS, SOURCES, STATUSES, TIERS, when } from "./zh.js";
import { state, stale } from "./state.js";
import { watch } from "./live.js";

const PAGE = 50;

function arrivalsPath(params) {
  return `/v1/cases${query({ order: "newest", limit: PAGE, category: params.get("category") })}`;
}

function row(c) {
  return h("tr", {},
    h("td", {}, when(c.reported_at)),
    h("td", {}, h("a", { href: `#/case/${encodeURIComponent(c.id)}` }, c.number)),
    h("td", {}, c.title),
    h("td", {}, SOURCES[c.source] || c.source, c.external_ref ? ` ${c.external_ref}` : ""),
    h("td", {}, CATEGORIES[c.category] || c.category || "—"),
    h("td", {}, h("span", { class: `tier tier-${c.tier || "none"}` }, TIERS[c.tier] || "未分级")),
    h("td", {}, c.holder_unit_code || c.unit_code, c.level ? `（${LEVELS[c.level]}）` : ""),
    h("td", {}, STATUSES[c.status] || c.status));
}

function filter(params) {
  return h("form", { class: "filters", role: "search", "aria-label": "筛选到件", onsubmit: (e) => {
      e.preventDefault();
      location.hash = "#/arrivals" + query({ category: new FormData(e.target).get("category") });
    } },
    h("label", {}, "类别", h("select", { name: "category" }, h("option", { value: "" }, "全部"),
      Object.entries(CATEGORIES).map(([v, t]) => h("option", { value: v, selected: v === params.get("category") }, t)))),
    h("button", { type: "submit" }, "筛选"));
}

async function drawArrivals(params, { keepFocus = false } = {}) {
  const route = state.route;
  const page = await get(arrivalsPath(params));
  const drawn = JSON.stringify(page.items);
  if (stale(route)) return drawn;
  const regions = state.session.regions.map((r) => r || "全部").join("、");
  const table = page.items.length
    ? h("table", { class: "queue arrivals" }, h("caption", {}, `辖区 ${regions} 最新受理的 ${page.items.length} 件`),
        h("thead", {}, h("tr", {}, ["受理时间", "案件编号", "标题", "来源", "类别", "定级", "承办单位", "状态"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, page.items.map(row)))
    : h("p", { class: "empty" }, "暂无到件");
  if (keepFocus) {
    document.querySelector("main table.arrivals, main p.empty")?.replaceWith(table);
    return drawn;
  }
  show(h("h1", {}, "到件"), filter(params), table);
  say("");
  return drawn;
}

export async function arrivalsPage(params) {
  const route = state.route;
  const drawn = await drawArrivals(params);
  if (stale(route)) return;
  const shown = async () => JSON.stringify((await get(arrivalsPath(params))).items);
  watch(drawn, shown, () => drawArrivals(params, { keepFocus: true }));
}
