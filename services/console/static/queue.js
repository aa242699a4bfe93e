// 待办 (my queue): a unit's open cases with tier colour, next step and countdown.
import { get, query } from "./api.js";
import { h, pager, show, say } from "./dom.js";
import { BUCKETS, CATEGORIES, LEVELS, STATUSES, STEPS, TIERS, countdown, when } from "./zh.js";
import { state, stale } from "./state.js";
import { watch } from "./live.js";

function tierBadge(tier) {
  return h("span", { class: `tier tier-${tier || "none"}` }, TIERS[tier] || "未分级");
}

function select(label, name, options, value) {
  return h("label", {}, label,
    h("select", { name },
      h("option", { value: "" }, "全部"),
      Object.entries(options).map(([v, text]) =>
        h("option", { value: v, selected: v === value }, text))));
}

function row(item, now) {
  const late = item.bucket === "overdue";
  return h("tr", { class: `bucket-${item.bucket}` },
    h("td", {}, h("a", { href: `#/case/${item.case_id}` }, item.number)),
    h("td", {}, tierBadge(item.tier)),
    h("td", {}, CATEGORIES[item.category] || item.category || "—"),
    h("td", {}, LEVELS[item.level] || "—"),
    h("td", {}, STEPS[item.step] || item.step, item.paused ? "（暂停）" : ""),
    h("td", { class: late ? "late" : "" }, countdown(item.due_at, now)),
    h("td", {}, when(item.due_at)));
}

export async function unitsMatching(text) {
  return (await get(`/v1/units${query({ q: text, limit: 20 })}`)).items;
}

async function defaultUnit() {
  const first = (await get("/v1/units?limit=1")).items[0];
  return first ? first.code : "";
}

const PAGE = 50;

// The queue's question: one page of the unit's open cases, filtered by the server.
function queuePath(unit, params) {
  return `/v1/units/${encodeURIComponent(unit)}/queue${query({
    bucket: params.get("bucket"), tier: params.get("tier"), level: params.get("level"),
    category: params.get("category"), limit: PAGE, offset: params.get("offset"),
  })}`;
}

export async function queuePage(params) {
  const unit = params.get("unit") || state.unit || (await defaultUnit());
  state.unit = unit;
  const route = state.route;
  const drawn = await drawQueue(unit, params);
  if (stale(route)) return;
  const path = queuePath(unit, params);
  const shown = async () => JSON.stringify((await get(path)).items);
  watch(drawn, shown, () => drawQueue(unit, params, { keepFocus: true }));
}

function filterForm(unit, params) {
  return h("form", { class: "filters", role: "search", "aria-label": "筛选待办", onsubmit: (e) => {
      e.preventDefault();
      const data = new FormData(e.target);
      location.hash = "#/queue" + query(Object.fromEntries(data.entries()));
    } },
    h("label", {}, "单位", h("input", { name: "unit", value: unit, list: "unit-options", autocomplete: "off",
      oninput: (e) => suggest(e.target.value) })),
    h("datalist", { id: "unit-options" }),
    select("状态", "bucket", BUCKETS, params.get("bucket")),
    select("层级", "level", LEVELS, params.get("level")),
    select("定级", "tier", TIERS, params.get("tier")),
    select("类别", "category", CATEGORIES, params.get("category")),
    h("label", {}, "搜索（案件编号、12345工单号、标题）", h("input", { name: "q", value: params.get("q") || "", type: "search" })),
    h("button", { type: "submit" }, "筛选"));
}

async function drawQueue(unit, params, { keepFocus = false } = {}) {
  const route = state.route;
  const search = (params.get("q") || "").trim();
  const queue = await get(queuePath(unit, params));
  const drawnItems = JSON.stringify(queue.items);
  if (stale(route)) return drawnItems;
  const now = new Date(queue.now);
  state.clockOffset = now - Date.now();
  const form = filterForm(unit, params);
  const counts = h("p", { class: "counts", "aria-live": "polite" },
    `在办 ${queue.counts.open} 件 · 即将到期 ${queue.counts.due_soon} 件 · 已超期 ${queue.counts.overdue} 件`,
    ` · 当前时间 ${when(queue.now)}`);
  const table = queue.items.length
    ? h("table", { class: "queue" },
        h("caption", {}, `单位 ${queue.unit_code} 的待办`),
        h("thead", {}, h("tr", {}, ["案件编号", "定级", "类别", "层级", "下一步", "倒计时", "期限"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, queue.items.map((i) => row(i, now))))
    : h("p", { class: "empty" }, "暂无待办案件");
  if (search) {
    if (keepFocus) return drawnItems;  // results stay as searched
    const found = await searchResults(search, params);
    if (stale(route)) return drawnItems;
    show(h("h1", {}, "待办"), form, found);
    say("");
    return drawnItems;
  }
  if (keepFocus) {
    document.querySelector("main .counts")?.replaceWith(counts);
    document.querySelector("main table.queue, main p.empty")?.replaceWith(table);
    document.querySelector("main .pager")?.replaceWith(pager(queue, params, "#/queue", "件"));
    return drawnItems;
  }
  show(h("h1", {}, "待办"), form, counts, table, pager(queue, params, "#/queue", "件"));
  say("");
  return drawnItems;
}

async function suggest(text) {
  if (text.length < 2) return;
  const units = await unitsMatching(text).catch(() => []);
  document.getElementById("unit-options")?.replaceChildren(
    ...units.map((u) => h("option", { value: u.code }, `${u.name}（${LEVELS[u.level]}）`)));
}

// Cases anywhere in the key's regions by number, 12345 work-order number or title (/v1/cases).
async function searchResults(text, params) {
  const page = await get(`/v1/cases${query({
    q: text, category: params.get("category"), tier: params.get("tier"), level: params.get("level"), limit: 100,
  })}`);
  const rows = page.items.map((c) => h("tr", {},
    h("td", {}, h("a", { href: `#/case/${encodeURIComponent(c.id)}` }, c.number)),
    h("td", {}, c.title), h("td", {}, c.external_ref || "—"), h("td", {}, tierBadge(c.tier)),
    h("td", {}, LEVELS[c.level] || "—"), h("td", {}, STATUSES[c.status] || c.status)));
  return rows.length
    ? h("table", { class: "queue search" }, h("caption", {}, `搜索结果 ${rows.length} 件`),
        h("thead", {}, h("tr", {}, ["案件编号", "标题", "12345工单号", "定级", "层级", "状态"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows))
    : h("p", { class: "empty" }, "没有找到符合条件的案件");
}
