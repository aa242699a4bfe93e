// The console's entry: sign-in, the page routes (#/queue, #/arrivals, #/case/<id>, #/report,
// #/ops, #/proposals), sign-out.
import { currentSession, signIn, signOut, Refusal } from "./api.js";
import { h, show, say } from "./dom.js";
import { queuePage } from "./queue.js";
import { casePage } from "./case.js";
import { reportPage } from "./report.js";
import { opsPage } from "./ops.js";
import { arrivalsPage } from "./arrivals.js";
import { proposalsPage } from "./proposals.js";
import { state, may } from "./state.js";
import { stop } from "./live.js";
import { stopWaiting, watchWaiting } from "./waiting.js";

function signInPage() {
  document.getElementById("who").replaceChildren();
  const submit = async (event) => {
    event.preventDefault();
    const input = event.target.elements.key;
    try {
      state.session = await signIn(input.value);
      input.value = "";
      route();
    } catch (refusal) {
      say(refusal instanceof Refusal ? `登录失败：${refusal.message}` : "网络异常，请重试");
    }
  };
  show(h("h1", {}, "登录综治中心工作台"),
    h("form", { class: "sign-in", onsubmit: submit },
      h("label", { for: "key" }, "API 密钥"),
      h("input", { id: "key", name: "key", type: "password", required: true, autocomplete: "current-password" }),
      h("button", { type: "submit" }, "登录")));
}

function header() {
  const s = state.session;
  document.getElementById("report-link").hidden = !may("reporter");
  document.getElementById("proposals-link").hidden = !may("supervisor");
  document.getElementById("ops-link").hidden = !(may("supervisor") || may("auditor"));
  watchWaiting();
  document.getElementById("who").replaceChildren(
    h("span", {}, `${s.client}`),
    h("button", { type: "button", onclick: async () => {
      await signOut().catch(() => null);
      state.session = null;
      stopWaiting();
      signInPage();
    } }, "退出"));
}

async function route() {
  stop();
  state.route += 1;
  if (!state.session) state.session = await currentSession();
  if (!state.session) return signInPage();
  header();
  const [path, search] = (location.hash.slice(1) || "/queue").split("?");
  const params = new URLSearchParams(search || "");
  try {
    const caseMatch = path.match(/^\/case\/([^/]+)$/);
    if (caseMatch) await casePage(decodeURIComponent(caseMatch[1]));
    else if (path === "/report") reportPage();
    else if (path === "/ops") await opsPage(params);
    else if (path === "/arrivals") await arrivalsPage(params);
    else if (path === "/proposals") await proposalsPage(params);
    else await queuePage(params);
  } catch (refusal) {
    if (refusal instanceof Refusal && refusal.status === 401) {
      state.session = null;
      stopWaiting();
      signInPage();
    }
    say(refusal instanceof Refusal ? refusal.message : "网络异常，请重试");
  }
}

window.addEventListener("hashchange", route);
route();
