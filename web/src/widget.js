// The embeddable chat widget of the 5G service bot: a floating button and panel in a shadow
// root, talking to the bot's socket.io channel (rasa_server/channels/webchat.py). Loaded by /widget.js
// (bot/web/widget.py), which passes the <script> tag and the server's defaults in
// window.G5CareChat; bundled by esbuild into bot/web/static/build/widget-[hash].js.
import { io } from "socket.io-client";
import { attachment, choices, el, richText } from "./render.js";
import { applyStyles } from "./styles.js";

const MAX_LENGTH = 2000;
const TYPING_TIMEOUT_MS = 30_000;
const ACK_TIMEOUT_MS = 90_000;

const STRINGS = {
  zh: {
    title: "5G服务助手",
    open: "打开在线客服",
    close: "关闭聊天",
    unread: (n) => `，${n}条未读消息`,
    log: "聊天记录",
    placeholder: "请输入您的问题…",
    label: "您的消息",
    send: "发送",
    online: "在线",
    connecting: "正在连接…",
    offline: "网络已断开，正在重新连接。您输入的消息会在连接恢复后发送。",
    refused: "此网站未获准使用在线客服。",
    queued: "等待发送",
    typing: "对方正在输入",
  },
  en: {
    title: "5G Service Assistant",
    open: "Open the chat",
    close: "Close the chat",
    unread: (n) => `, ${n} unread message${n === 1 ? "" : "s"}`,
    log: "Conversation",
    placeholder: "Type your question…",
    label: "Your message",
    send: "Send",
    online: "online",
    connecting: "Connecting…",
    offline: "Connection lost, reconnecting. What you type will be sent when it is back.",
    refused: "This website is not allowed to use the chat.",
    queued: "waiting to send",
    typing: "The assistant is typing",
  },
};

const CHAT_ICON =
  "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z";

function svgIcon(path) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const shape = document.createElementNS(ns, "path");
  shape.setAttribute("d", path);
  svg.append(shape);
  return svg;
}

function randomHex(bytes) {
  const values = new Uint8Array(bytes);
  crypto.getRandomValues(values);
  return Array.from(values, (v) => v.toString(16).padStart(2, "0")).join("");
}

// Browser storage that may be unavailable (privacy modes, sandboxed frames): then memory only.
class Store {
  constructor(storage, prefix) {
    this.prefix = prefix;
    this.memory = new Map();
    try {
      storage.setItem(`${prefix}probe`, "1");
      storage.removeItem(`${prefix}probe`);
      this.storage = storage;
    } catch {
      this.storage = null;
    }
  }
  get(key, fallback) {
    try {
      const raw = this.storage ? this.storage.getItem(this.prefix + key) : this.memory.get(key);
      return raw == null ? fallback : JSON.parse(raw);
    } catch {
      return fallback;
    }
  }
  set(key, value) {
    const raw = JSON.stringify(value);
    try {
      if (this.storage) this.storage.setItem(this.prefix + key, raw);
      else this.memory.set(key, raw);
    } catch {
      this.memory.set(key, raw);
    }
  }
}

function safeStorage(name) {
  try {
    return window[name];
  } catch {
    return null;
  }
}

export function readConfig(script, defaults) {
  const data = (script && script.dataset) || {};
  const scriptUrl = new URL((script && script.src) || location.href, location.href);
  let botUrl = data.botUrl || defaults.socketUrl || "";
  if (!botUrl) botUrl = `${scriptUrl.protocol}//${scriptUrl.hostname}:${defaults.socketPort || 5005}`;
  const browser = (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
  const language = data.language === "zh" || data.language === "en" ? data.language : browser;
  return {
    botUrl: new URL(botUrl, location.href).origin,
    socketPath: data.socketPath || defaults.socketPath || "/socket.io",
    language,
    operator: data.operator || "",
    title: data.title || "",
    color: data.color || "",
    textColor: data.textColor || "",
    corner: data.corner === "bottom-left" ? "bottom-left" : "bottom-right",
    open: data.open === "true",
  };
}

export class ChatWidget {
  constructor(config) {
    this.config = config;
    this.t = STRINGS[config.language];
    const prefix = `g5care:${config.botUrl}:`;
    this.local = new Store(safeStorage("localStorage"), prefix);
    this.tab = new Store(safeStorage("sessionStorage"), prefix);
    this.sessionId = this.local.get("session", null);
    if (!/^[0-9a-f]{32}$/.test(this.sessionId || "")) {
      this.sessionId = randomHex(16);
      this.local.set("session", this.sessionId);
    }
    this.outbox = this.tab.get("outbox", []);
    this.unread = this.tab.get("unread", 0);
    this.ready = false;
    this.mount();
    // Typed before a reload while the server was unreachable: still waiting to be sent.
    for (const item of this.outbox) if (!item.hidden) item.bubble = this.appendUser(item.shown, true);
    this.setOpen(this.tab.get("open", config.open), false);
    this.setStatus("connecting");
    this.connect();
  }

  mount() {
    const { t, config } = this;
    this.host = document.createElement("g5care-chat");
    this.host.dataset.corner = config.corner;
    for (const [name, value] of [["--accent", config.color], ["--accent-text", config.textColor]]) {
      if (value && CSS.supports("color", value)) this.host.style.setProperty(name, value);
    }
    const shadow = this.host.attachShadow({ mode: "open" });
    applyStyles(shadow);
    const panelId = "g5care-panel";
    const titleId = "g5care-title";
    this.launcher = el("button", {
      class: "launcher",
      type: "button",
      "aria-expanded": "false",
      "aria-controls": panelId,
      "data-testid": "chat-launcher",
    });
    this.launcher.append(svgIcon(CHAT_ICON));
    this.badge = el("span", { class: "badge", "aria-hidden": "true", "data-testid": "chat-unread", hidden: "" });
    this.launcher.append(this.badge);
    this.launcher.addEventListener("click", () => this.setOpen(!this.open, true));

    this.panel = el("div", { class: "panel", id: panelId, role: "dialog", "aria-labelledby": titleId, hidden: "" });
    const header = el("div", { class: "header" });
    const heading = el("h2", { id: titleId }, config.title || t.title);
    this.status = el("span", { class: "status", role: "status", "data-testid": "chat-status" });
    const close = el("button", { class: "close", type: "button", "aria-label": t.close, "data-testid": "chat-close" }, "×");
    close.addEventListener("click", () => this.setOpen(false, true));
    header.append(heading, this.status, close);
    this.notice = el("div", { class: "notice", role: "alert", "data-testid": "chat-notice", hidden: "" });
    this.log = el("div", { class: "log", role: "log", "aria-label": t.log, tabindex: "0", "data-testid": "chat-log" });
    this.typing = el("div", { class: "typing", role: "status", "data-testid": "chat-typing", hidden: "" });
    this.typing.append(el("span", { class: "sr-only" }, t.typing));
    for (let i = 0; i < 3; i += 1) this.typing.append(el("span", { "aria-hidden": "true" }));
    const form = el("form", { class: "form" });
    const label = el("label", { class: "sr-only", for: "g5care-input" }, t.label);
    this.input = el("input", {
      id: "g5care-input",
      class: "input",
      type: "text",
      maxlength: String(MAX_LENGTH),
      autocomplete: "off",
      enterkeyhint: "send",
      placeholder: t.placeholder,
      "data-testid": "chat-input",
    });
    const send = el("button", { class: "send", type: "submit", "data-testid": "chat-send" }, t.send);
    form.append(label, this.input, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.send(text, text);
    });
    this.panel.append(header, this.notice, this.log, this.typing, form);
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.setOpen(false, true);
      }
    });
    shadow.append(this.panel, this.launcher);
    (document.body || document.documentElement).append(this.host);
  }

  setOpen(open, byUser) {
    this.open = Boolean(open);
    this.tab.set("open", this.open);
    this.panel.hidden = !this.open;
    this.launcher.setAttribute("aria-expanded", String(this.open));
    if (this.open) {
      this.host.dataset.open = "";
      this.setUnread(0);
      this.scrollDown();
      if (byUser) this.input.focus();
    } else {
      delete this.host.dataset.open;
      this.setUnread(this.unread);
      if (byUser) this.launcher.focus();
    }
  }

  setUnread(count) {
    this.unread = count;
    this.tab.set("unread", count);
    this.badge.hidden = count === 0;
    this.badge.textContent = count > 99 ? "99+" : String(count);
    this.launcher.setAttribute("aria-label", this.t.open + (count ? this.t.unread(count) : ""));
  }

  setStatus(state) {
    this.status.dataset.state = state;
    this.status.textContent = state === "online" ? this.t.online : this.t.connecting;
    if (state === "offline" || state === "refused") {
      this.notice.textContent = state === "refused" ? this.t.refused : this.t.offline;
      this.notice.hidden = false;
    } else {
      this.notice.hidden = true;
    }
  }

  connect() {
    this.socket = io(this.config.botUrl, {
      path: this.config.socketPath,
      // WebSocket first (several Rasa workers need no sticky sessions then), long-polling if it fails.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelayMax: 4000,
      withCredentials: false,
    });
    this.socket.on("connect", () => this.socket.emit("session_request", { session_id: this.sessionId }));
    this.socket.on("session_confirm", () => this.onSession());
    this.socket.on("session_refused", () => {
      // A stored id the server does not accept (edited by hand, older format): start a new conversation once.
      if (this.renewed) return this.setStatus("refused");
      this.renewed = true;
      this.sessionId = randomHex(16);
      this.local.set("session", this.sessionId);
      this.socket.emit("session_request", { session_id: this.sessionId });
    });
    this.socket.on("bot_uttered", (message) => this.onBotMessage(message));
    this.socket.on("user_echo", (data) => {
      if (data && typeof data.text === "string") this.appendUser(data.text);
    });
    this.socket.on("bot_typing", (data) => this.showTyping(Boolean(data && data.typing)));
    this.socket.on("message_refused", (data) => this.appendNote(String((data && data.message) || "")));
    this.socket.on("disconnect", () => this.offline());
    this.socket.on("connect_error", () => this.offline());
  }

  offline() {
    this.ready = false;
    // What was emitted but not answered is re-sent (marked as a retry) after the next session_confirm;
    // nothing goes out before the session is confirmed again.
    this.socket.sendBuffer = [];
    for (const item of this.outbox) item.inFlight = false;
    this.showTyping(false);
    this.setStatus("offline");
  }

  // The session is confirmed (first connection or after a drop): show the conversation as the
  // server has it, then send what waits in the outbox.
  async onSession() {
    let history = null;
    try {
      const answer = await this.socket.timeout(15_000).emitWithAck("history_request", {});
      history = Array.isArray(answer && answer.messages) ? answer.messages : null;
    } catch {
      history = null;
    }
    if (history) this.renderHistory(history);
    this.ready = true;
    this.setStatus("online");
    if (history && history.length === 0 && !this.outbox.some((item) => item.hidden)) {
      this.outbox.unshift(this.item("/session_start", null));
    }
    this.saveOutbox();
    for (const item of this.outbox) this.deliver(item);
  }

  renderHistory(messages) {
    const received = new Set(messages.filter((m) => m.sender === "user" && m.id).map((m) => m.id));
    this.outbox = this.outbox.filter((item) => !received.has(item.id));
    this.log.replaceChildren();
    messages.forEach((message, index) => {
      if (message.sender === "user") this.appendUser(message.text);
      else this.appendBot(message, index === messages.length - 1);
    });
    for (const item of this.outbox) if (!item.hidden) item.bubble = this.appendUser(item.shown, true);
    this.scrollDown();
  }

  item(message, shown) {
    return { id: randomHex(12), message, shown, hidden: shown === null, sent: false };
  }

  send(message, shown) {
    const item = this.item(message, shown);
    item.bubble = this.appendUser(shown, !this.ready);
    this.outbox.push(item);
    this.saveOutbox();
    if (this.ready) this.deliver(item);
  }

  deliver(item) {
    if (!this.ready || item.inFlight) return;
    item.inFlight = true;
    const metadata = { language: this.config.language };
    if (this.config.operator) metadata.operator = this.config.operator;
    if (!item.hidden && item.shown !== item.message) metadata.shown = item.shown;
    const data = { message: item.message, message_id: item.id, session_id: this.sessionId, metadata };
    if (item.sent) data.retry = true;
    item.sent = true;
    this.saveOutbox();
    if (item.bubble) this.markQueued(item.bubble, false);
    if (!item.hidden) this.showTyping(true);
    this.socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered", data, (error, answer) => {
      item.inFlight = false;
      // No answer in time, a dropped connection or a session not confirmed yet: re-sent after the next session_confirm.
      if (error || (answer && answer.error === "no_session")) return;
      this.outbox = this.outbox.filter((other) => other !== item);
      this.saveOutbox();
    });
  }

  saveOutbox() {
    this.tab.set(
      "outbox",
      this.outbox.map(({ id, message, shown, hidden, sent }) => ({ id, message, shown, hidden, sent })),
    );
  }

  onBotMessage(message) {
    this.showTyping(false);
    for (const group of this.log.querySelectorAll(".choices")) {
      for (const button of group.querySelectorAll("button")) button.disabled = true;
    }
    this.appendBot(message, true);
    this.scrollDown();
    if (!this.open) this.setUnread(this.unread + 1);
  }

  showTyping(on) {
    clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
    if (on) this.typingTimer = setTimeout(() => (this.typing.hidden = true), TYPING_TIMEOUT_MS);
    this.scrollDown();
  }

  appendUser(text, queued = false) {
    const bubble = el("div", { class: "msg user", "data-testid": "msg-user" });
    bubble.append(richText(text));
    this.log.append(bubble);
    if (queued) this.markQueued(bubble, true);
    this.scrollDown();
    return bubble;
  }

  markQueued(bubble, queued) {
    bubble.classList.toggle("pending", queued);
    const state = bubble.querySelector(".state");
    if (queued && !state) bubble.append(el("span", { class: "state" }, this.t.queued));
    if (!queued && state) state.remove();
  }

  appendBot(message, active) {
    const bubble = el("div", { class: "msg bot", "data-testid": "msg-bot" });
    if (message.text) bubble.append(richText(message.text));
    const buttons = message.quick_replies || message.buttons || [];
    if (Array.isArray(buttons) && buttons.length) {
      const group = choices(buttons, (payload, title) => this.send(payload, title));
      if (!active) for (const button of group.querySelectorAll("button")) button.disabled = true;
      bubble.append(group);
    }
    if (message.attachment) bubble.append(attachment(message.attachment, (payload, title) => this.send(payload, title)));
    if (bubble.childNodes.length) this.log.append(bubble);
    return bubble;
  }

  appendNote(text) {
    this.showTyping(false);
    if (text) this.log.append(el("div", { class: "msg refused", role: "alert" }, text));
    this.scrollDown();
  }

  scrollDown() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

function boot() {
  const state = (window.G5CareChat = window.G5CareChat || {});
  if (state.widget) return;
  const script = state.script || document.currentScript;
  const config = readConfig(script, state.defaults || {});
  const start = () => {
    const widget = new ChatWidget(config);
    state.widget = widget;
    state.open = () => widget.setOpen(true, true);
    state.close = () => widget.setOpen(false, true);
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
}

boot();
