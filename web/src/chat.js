// Chat widget for the 5G service bot. Talks to Rasa's socket.io channel.
// Bundled by esbuild (npm run build) into bot/web/static/build/chat.js.
import { io } from "socket.io-client";

const SESSION_KEY = "g5care.session_id";
const MAX_LENGTH = 2000;

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function browserLanguage() {
  return (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
}

function sessionId() {
  let id = window.localStorage.getItem(SESSION_KEY);
  if (!id) {
    id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/-/g, "");
    window.localStorage.setItem(SESSION_KEY, id);
  }
  return id;
}

class ChatWidget {
  constructor(root, config) {
    this.root = root;
    this.config = config;
    this.sessionId = sessionId();
    this.render();
    this.connect();
  }

  render() {
    this.root.classList.add("g5-chat");
    this.log = el("div", { class: "g5-log", "data-testid": "chat-log", role: "log", "aria-live": "polite" });
    this.form = el("form", { class: "g5-form" });
    this.input = el("input", {
      class: "g5-input",
      "data-testid": "chat-input",
      maxlength: String(MAX_LENGTH),
      autocomplete: "off",
      placeholder: browserLanguage() === "zh" ? "请输入您的问题…" : "Type your question…",
      "aria-label": "message",
    });
    this.send = el("button", { class: "g5-send", type: "submit", "data-testid": "chat-send" }, "➤");
    this.status = el("div", { class: "g5-status", "data-testid": "chat-status" }, "…");
    this.form.append(this.input, this.send);
    this.root.append(this.status, this.log, this.form);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.sendMessage(text, text);
    });
  }

  connect() {
    const url = this.config.socketUrl || `${location.protocol}//${location.hostname}:${this.config.socketPort}`;
    this.socket = io(url, { path: this.config.socketPath || "/socket.io", transports: ["websocket", "polling"] });
    this.socket.on("connect", () => {
      this.socket.emit("session_request", { session_id: this.sessionId });
    });
    this.socket.on("session_confirm", () => {
      this.setStatus("online");
      if (!this.started) {
        this.started = true;
        this.emit("/session_start");
      }
    });
    this.socket.on("bot_uttered", (message) => this.showBot(message));
    this.socket.on("disconnect", () => this.setStatus("offline"));
    this.socket.on("connect_error", () => this.setStatus("offline"));
  }

  setStatus(state) {
    this.status.dataset.state = state;
    const zh = browserLanguage() === "zh";
    this.status.textContent = state === "online" ? (zh ? "5G服务助手 · 在线" : "5G assistant · online") : zh ? "正在连接…" : "Connecting…";
  }

  emit(payload) {
    this.socket.emit("user_uttered", {
      message: payload,
      session_id: this.sessionId,
      metadata: { language: browserLanguage(), channel: "web" },
    });
  }

  sendMessage(payload, shown) {
    this.append("user", shown);
    this.emit(payload);
  }

  showBot(message) {
    const bubble = this.append("bot", message.text || "");
    const choices = message.quick_replies || message.buttons || [];
    if (choices.length) {
      const group = el("div", { class: "g5-choices", "data-testid": "quick-replies" });
      for (const choice of choices) {
        const button = el("button", { class: "g5-choice", type: "button", "data-testid": "quick-reply" }, choice.title);
        button.addEventListener("click", () => {
          group.querySelectorAll("button").forEach((b) => (b.disabled = true));
          this.sendMessage(choice.payload, choice.title);
        });
        group.append(button);
      }
      bubble.append(group);
    }
  }

  append(who, text) {
    const bubble = el("div", { class: `g5-msg g5-${who}`, "data-testid": `msg-${who}` });
    bubble.append(el("div", { class: "g5-text" }, text));
    this.log.append(bubble);
    this.log.scrollTop = this.log.scrollHeight;
    return bubble;
  }
}

async function boot() {
  const root = document.getElementById("g5-chat");
  if (!root) return;
  const response = await fetch("config.json", { cache: "no-store" });
  const config = await response.json();
  window.g5chat = new ChatWidget(root, config);
}

boot();
