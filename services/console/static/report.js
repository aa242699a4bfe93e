// 受理登记 (a new case): what happened, where (a unit found by name or code), who.
import { post, Refusal } from "./api.js";
import { h, show, say } from "./dom.js";
import { unitsMatching } from "./queue.js";
import { LEVELS } from "./zh.js";

function field(label, name, attributes = {}) {
  const id = `report-${name}`;
  const control = attributes.kind === "textarea"
    ? h("textarea", { id, name, rows: 4, ...attributes, kind: null })
    : h("input", { id, name, type: "text", ...attributes });
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

function bodyOf(form) {
  const d = Object.fromEntries(new FormData(form).entries());
  const party = d.party_name ? [{ name: d.party_name, phone: d.party_phone || null, role: "applicant" }] : [];
  return {
    title: d.title, description: d.description, unit_code: d.unit_code.trim(), parties: party,
    parties_count: d.parties_count ? Number(d.parties_count) : null,
  };
}

async function suggest(text) {
  if (text.trim().length < 2) return;
  const units = await unitsMatching(text.trim()).catch(() => []);
  document.getElementById("report-units")?.replaceChildren(
    ...units.map((u) => h("option", { value: u.code }, `${u.name}（${LEVELS[u.level]}）`)));
}

export function reportPage() {
  // One key per form: submitting twice (a double tap, a retry) reports the case once.
  const idempotency = `console-${crypto.randomUUID()}`;
  const submit = async (event) => {
    event.preventDefault();
    const button = event.target.querySelector("button");
    button.disabled = true;
    try {
      const c = await post("/v1/cases", bodyOf(event.target), { "Idempotency-Key": idempotency });
      location.hash = `#/case/${encodeURIComponent(c.id)}`;  // its page names its number
    } catch (refusal) {
      button.disabled = false;
      say(refusal instanceof Refusal ? `受理登记未成功：${refusal.message}` : "网络异常，请重试");
    }
  };
  show(h("h1", {}, "受理登记"),
    h("form", { class: "report", onsubmit: submit },
      field("标题", "title", { required: true, maxlength: 200 }),
      field("事由", "description", { kind: "textarea", required: true, maxlength: 10000 }),
      field("发生地（输入单位名称或编码）", "unit_code", {
        required: true, list: "report-units", autocomplete: "off", oninput: (e) => suggest(e.target.value),
      }),
      h("datalist", { id: "report-units" }),
      field("申请人姓名", "party_name", { maxlength: 50 }),
      field("申请人电话", "party_phone", { type: "tel", maxlength: 20 }),
      field("涉及人数", "parties_count", { type: "number", min: 1 }),
      h("button", { type: "submit" }, "登记")));
  say("");
}
