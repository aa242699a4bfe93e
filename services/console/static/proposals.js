// 待合并 (proposed duplicates): reports the rule found like an open case but not enough to
// fold by itself, across the key's regions, newest first (supervisor). Each is folded into
// its case (合并) or dismissed (不合并), with a reason, without a reload; live, so a new
// proposal appears and a decided one leaves within 2 s.
import { get, post, query, Refusal } from "./api.js";
import { h, pager, show, say } from "./dom.js";
import { state, stale } from "./state.js";
import { watch } from "./live.js";
import { when } from "./zh.js";
import { showWaiting } from "./waiting.js";

const PAGE = 50;

function proposalsPath(params) {
  return `/v1/duplicates/proposals${query({ limit: PAGE, offset: params.get("offset") })}`;
}

const caseLink = (c) => h("a", { href: `#/case/${encodeURIComponent(c.case_id)}` }, c.number);

async function decide(p, fold, form, redraw) {
  const reason = new FormData(form).get("reason");
  const base = `/v1/cases/${encodeURIComponent(p.report.case_id)}`;
  const label = fold ? "合并" : "不合并";
  for (const button of form.querySelectorAll("button")) button.disabled = true;
  say("");
  try {
    if (fold) await post(`${base}/fold`, { into_case_id: p.candidate.case_id, reason });
    else await post(`${base}/duplicates/dismiss`, { candidate_case_id: p.candidate.case_id, reason });
    say(`${label}：已提交`, "ok");
    await redraw();
  } catch (refusal) {
    for (const button of form.querySelectorAll("button")) button.disabled = false;
    say(refusal instanceof Refusal ? `${label}未成功：${refusal.message}` : "网络异常，请重试");
  }
}

function item(p, redraw) {
  const key = `${p.report.case_id}:${p.candidate.case_id}`;
  const id = `reason-${p.report.case_id}`;
  const headingId = `proposal-${p.report.case_id}`;
  const submit = (event) => {
    event.preventDefault();
    const fold = event.submitter ? event.submitter.value === "fold" : true;
    decide(p, fold, event.target, redraw);
  };
  return h("li", { class: "proposal", "data-key": key, "aria-labelledby": headingId },
    h("h2", { id: headingId }, "案件 ", caseLink(p.report), " 疑似 ", caseLink(p.candidate), " 的重复反映"),
    h("dl", { class: "facts" },
      h("dt", {}, "新反映"), h("dd", {}, p.report.title, `（${p.report.unit_code}）`),
      h("dt", {}, "原案件"), h("dd", {}, p.candidate.title, `（${p.candidate.unit_code}）`,
        p.candidate_open ? "" : h("strong", { class: "late" }, " 已办结或已合并，只能不合并")),
      h("dt", {}, "相似度"), h("dd", {}, `${Math.round(p.score * 100)}%`),
      h("dt", {}, "提出时间"), h("dd", {}, when(p.proposed_at))),
    h("form", { class: "decide", "aria-label": `处理 ${p.report.number}`, onsubmit: submit },
      h("label", { for: id }, "理由"),
      h("textarea", { id, name: "reason", rows: 2, required: true, minlength: 2, maxlength: 1000 }),
      h("div", { class: "buttons" },
        h("button", { type: "submit", value: "fold", disabled: !p.candidate_open }, "合并"),
        h("button", { type: "submit", value: "dismiss", class: "secondary" }, "不合并"))));
}

// Reasons being typed survive a redraw (a new proposal arriving meanwhile).
function typed() {
  const kept = {};
  for (const li of document.querySelectorAll("main li.proposal")) {
    const text = li.querySelector("textarea");
    if (text && text.value) kept[li.dataset.key] = text.value;
  }
  return kept;
}

async function drawProposals(params, { keepFocus = false } = {}) {
  const route = state.route;
  const page = await get(proposalsPath(params));
  const drawn = JSON.stringify(page.items);
  if (stale(route)) return drawn;
  showWaiting(page.total);
  const redraw = () => drawProposals(params, { keepFocus: true });
  const kept = keepFocus ? typed() : {};
  const list = page.items.length
    ? h("ul", { class: "proposals" }, page.items.map((p) => item(p, redraw)))
    : h("p", { class: "empty" }, "暂无待合并的反映");
  for (const li of list.querySelectorAll("li.proposal")) {
    if (kept[li.dataset.key]) li.querySelector("textarea").value = kept[li.dataset.key];
  }
  const body = h("div", { class: "proposals-body" },
    h("p", { class: "counts" }, `共 ${page.total} 条待处理`), list, pager(page, params, "#/proposals", "条"));
  if (keepFocus) {
    const focused = document.activeElement && document.activeElement.id;
    document.querySelector("main .proposals-body")?.replaceWith(body);
    if (focused) document.getElementById(focused)?.focus();
    return drawn;
  }
  show(h("h1", {}, "待合并"), body);
  return drawn;
}

export async function proposalsPage(params) {
  const route = state.route;
  const drawn = await drawProposals(params);
  if (stale(route)) return;
  const shown = async () => JSON.stringify((await get(proposalsPath(params))).items);
  watch(drawn, shown, () => drawProposals(params, { keepFocus: true }));
}
