// Turns the bot's messages into DOM nodes without ever parsing HTML: every piece of text goes
// through textContent, and a link is made only for http(s), mailto and tel addresses.

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:", "tel:"]);
// [title](address) or a bare http(s) address.
const LINK = /\[([^\]\n]{1,200})\]\(([^)\s]{1,2000})\)|\bhttps?:\/\/[^\s<>"'）)\]，。；！？]+/g;
const BULLET = /^\s*[-*•·]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,3})[.)、]\s+(.*)$/;

export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(key, String(value));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

// The address if it is safe to follow from a chat message, else null.
export function safeUrl(address) {
  if (typeof address !== "string") return null;
  try {
    const url = new URL(address.trim());
    return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

export function link(title, address) {
  const href = safeUrl(address);
  if (!href) return document.createTextNode(title);
  const a = el("a", { href, class: "link" }, title);
  if (href.startsWith("http")) {
    a.target = "_blank";
    a.rel = "noopener noreferrer";
  }
  return a;
}

// One line of text with its links, as text nodes and anchors.
export function inline(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    if (match.index > last) fragment.append(text.slice(last, match.index));
    fragment.append(match[1] ? link(match[1], match[2]) : link(match[0], match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

// A message's text: lines starting with "- " or "•" become a list, "1. " a numbered list.
export function richText(text) {
  const box = el("div", { class: "text" });
  let list = null;
  let kind = null;
  let paragraph = null;
  for (const line of String(text).split("\n")) {
    const bullet = line.match(BULLET);
    const numbered = bullet ? null : line.match(NUMBERED);
    if (bullet || numbered) {
      const want = bullet ? "ul" : "ol";
      if (!list || kind !== want) {
        list = el(want);
        kind = want;
        if (numbered && numbered[1] !== "1") list.setAttribute("start", numbered[1]);
        box.append(list);
      }
      const item = el("li");
      item.append(inline(bullet ? bullet[1] : numbered[2]));
      list.append(item);
      paragraph = null;
      continue;
    }
    list = null;
    if (!paragraph) {
      paragraph = el("p");
      box.append(paragraph);
    } else {
      paragraph.append(el("br"));
    }
    paragraph.append(inline(line));
  }
  return box;
}

// Buttons of a message: {title, payload} sends the payload; {title, url} opens a safe link.
export function choices(buttons, onChoose) {
  const group = el("div", { class: "choices", role: "group", "data-testid": "quick-replies" });
  for (const choice of buttons) {
    if (!choice || typeof choice.title !== "string") continue;
    const url = choice.url || (choice.type === "web_url" ? choice.payload : null);
    if (url) {
      const a = link(choice.title, url);
      if (a.nodeType === Node.ELEMENT_NODE) a.classList.add("choice");
      group.append(a);
      continue;
    }
    const button = el("button", { class: "choice", type: "button", "data-testid": "quick-reply" }, choice.title);
    button.addEventListener("click", () => {
      for (const b of group.querySelectorAll("button")) b.disabled = true;
      onChoose(String(choice.payload ?? choice.title), choice.title);
    });
    group.append(button);
  }
  return group;
}

// A generic template card (title, subtitle, buttons) or an image attachment shown as a link.
export function attachment(data, onChoose) {
  const box = el("div", { class: "cards" });
  const payload = data && data.payload;
  if (data && data.type === "image" && payload) {
    box.append(link(payload.title || "image", payload.src));
    return box;
  }
  const elements = payload && payload.elements;
  for (const element of Array.isArray(elements) ? elements : elements ? [elements] : []) {
    const card = el("div", { class: "card" });
    if (element.title) card.append(el("strong", {}, String(element.title)));
    if (element.subtitle) card.append(richText(String(element.subtitle)));
    if (Array.isArray(element.buttons) && element.buttons.length) card.append(choices(element.buttons, onChoose));
    box.append(card);
  }
  return box;
}
