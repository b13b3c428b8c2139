// Small DOM helpers. Text always goes in through textContent, never innerHTML:
// complaints and transcripts are user input.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

const TIME = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

// Beijing time, as the deadlines are meant.
export function when(iso) {
  return iso ? TIME.format(new Date(iso)) : "—";
}

export function field(label, input) {
  return el("label", { class: "field" }, el("span", {}, label), input);
}

export function select(name, options, value, testid) {
  const node = el("select", { name, "data-testid": testid });
  for (const [key, label] of options) {
    const option = el("option", { value: key }, label);
    if (key === (value ?? "")) option.selected = true;
    node.append(option);
  }
  return node;
}
