// How many proposals wait for a decision (待合并), beside the navigation link, for
// supervisors: asked when a page opens and every 10 s while signed in, so a proposal that
// arrives while someone works on another page shows without a visit to 待合并.
import { get } from "./api.js";
import { h } from "./dom.js";
import { may } from "./state.js";

const EVERY_MS = 10000;
let timer = null;
let asking = null;

export function showWaiting(total) {
  const count = total > 0
    ? [h("span", { class: "count" }, String(total)), h("span", { class: "visually-hidden" }, " 条待处理")]
    : [];
  document.getElementById("proposals-link").replaceChildren("待合并", ...count);
}

export function watchWaiting() {
  stopWaiting();
  if (!may("supervisor")) return;
  const mine = {};
  asking = mine;
  const tick = async () => {
    try {
      const page = await get("/v1/duplicates/proposals?limit=1");
      if (asking === mine) showWaiting(page.total);
    } catch {
      // the server is away or the session ended: the next page or tick asks again
    }
    if (asking === mine) timer = setTimeout(tick, EVERY_MS);
  };
  tick();
}

export function stopWaiting() {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  asking = null;
  showWaiting(0);
}
