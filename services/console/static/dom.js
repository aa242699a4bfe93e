// Building the page without innerHTML: text is always text, never markup.
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Show a page; focus goes to its heading, unless it is the same page redrawn ({ keepFocus }).
export function show(...nodes) {
  const keepFocus = nodes[0] && !(nodes[0] instanceof Node) && nodes.shift().keepFocus;
  const main = document.getElementById("main");
  main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
  const heading = main.querySelector("h1");
  if (heading && !keepFocus) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

export function say(text, kind = "error") {
  const box = document.getElementById("notice");
  box.className = `notice ${kind}`;
  box.textContent = text;
  box.hidden = !text;
}

// 上一页 / 下一页 over a paged answer (``total``, ``limit``, ``offset``) of the page ``route``
// (e.g. "#/queue"), keeping its other parameters; hidden when everything fits on one page.
export function pager(page, params, route, noun) {
  if (page.total <= page.limit) return h("p", { class: "pager", hidden: true });
  const to = (offset) => {
    const kept = new URLSearchParams([...params.entries()].filter(([k, v]) => v !== "" && k !== "offset"));
    if (offset) kept.set("offset", String(offset));
    return kept.toString() ? `${route}?${kept}` : route;
  };
  const last = Math.min(page.offset + page.items.length, page.total);
  return h("p", { class: "pager" },
    `第 ${page.offset + 1}–${last} ${noun}，共 ${page.total} ${noun} `,
    page.offset > 0 ? h("a", { href: to(Math.max(0, page.offset - page.limit)) }, "上一页") : null, " ",
    last < page.total ? h("a", { href: to(page.offset + page.limit) }, "下一页") : null);
}
