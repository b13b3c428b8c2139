// The live inbox (#live): presence, waiting conversations, the agent's chats; updated by the push stream
// (/api/live/stream, one JSON object per line) without reloading. Every text goes in through textContent.
import { get, post, request, session } from "./api.js";
import { el, field, when } from "./dom.js";

const LABEL_KEY = "g5desk.label";
const CHANNELS = {
  socketio: "网页 Web",
  rest: "接口 REST",
  wechat_oa: "公众号 WeChat OA",
  wecom: "企业微信 WeCom",
  wecom_kf: "微信客服 WeChat KF",
};
const LANGUAGES = { zh: "中文 Chinese", en: "英文 English" };
const TRIGGERS = {
  asked: "用户要求 The user asked",
  not_solved: "问题未解决 Not solved by the bot",
  misunderstood: "连续未理解 Not understood twice",
};
const AUTHORS = { user: "用户 User", bot: "机器人 Bot", agent: "坐席 Agent", system: "系统 System" };
const SYSTEM = {
  "ended:agent": "坐席结束了对话 The agent ended the chat",
  "ended:user": "用户结束了对话 The user ended the chat",
  timed_out: "无人接入，已告知用户 Nobody accepted; the user was told",
};

let stream = null; // the AbortController of the open stream
const drafts = new Map(); // chat id -> { text, faqTopic }
const faqCache = new Map(); // language -> canned answers

export function stopLive() {
  if (stream) stream.abort();
  stream = null;
}

export async function showLive(root) {
  stopLive();
  const view = {
    broker: el("p", { class: "broker", "data-testid": "broker-status", role: "status" }),
    notice: el("p", { class: "flash", role: "alert", "data-testid": "live-notice" }),
    presence: presenceForm(),
    queue: el("div", { class: "live-list", "data-testid": "live-queue" }),
    mine: el("div", { class: "live-list", "data-testid": "live-mine" }),
    cards: new Map(),
  };
  root.append(
    el("h2", {}, "在线会话 Live chats"),
    view.broker,
    view.notice,
    view.presence.form,
    el("h3", {}, "等待接入 Waiting"),
    view.queue,
    el("h3", {}, "我的会话 My chats"),
    view.mine,
  );
  update(view, await get("/live/inbox"));
  listen(view);
}

function listen(view) {
  const controller = new AbortController();
  stream = controller;
  const me = session();
  (async () => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch("/api/live/stream", {
          headers: { Authorization: `Bearer ${me.token}` },
          signal: controller.signal,
        });
        if (response.status === 401) {
          window.dispatchEvent(new CustomEvent("desk:expired"));
          return;
        }
        await readLines(response, (message) => {
          if (message.type === "inbox") update(view, message);
        });
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      view.broker.textContent = "⚠ 与工作台的实时连接中断，正在重连 Live connection lost; reconnecting";
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
}

async function readLines(response, onMessage) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (line) onMessage(JSON.parse(line));
    }
  }
}

function update(view, inbox) {
  showBroker(view.broker, inbox);
  view.presence.set(inbox.presence);
  sync(view, view.queue, inbox.queue, false);
  sync(view, view.mine, inbox.mine, true);
}

function showBroker(node, inbox) {
  const broker = inbox.broker || {};
  const hours = `服务时间 Hours ${inbox.hours}（北京时间 Beijing time）${inbox.open_now ? "" : " · 现在不在服务时间 closed now"}`;
  if (broker.kind !== "none" && !broker.connected) {
    node.className = "broker flash error";
    node.textContent = `⚠ 事件通道中断，用户消息可能延迟 Event broker unreachable since ${when(broker.since)}; user messages may be late (${broker.last_error || ""}) · ${hours}`;
  } else {
    node.className = "broker muted";
    node.textContent = hours;
  }
}

// Keeps one card per chat, in the order given: new ones appear, gone ones leave, drafts stay.
function sync(view, list, chats, mine) {
  const ids = new Set(chats.map((chat) => chat.id));
  for (const node of [...list.children]) if (!ids.has(Number(node.dataset.chat))) node.remove();
  if (!chats.length && !list.querySelector(".muted")) list.append(el("p", { class: "muted" }, "暂无 None"));
  if (chats.length) list.querySelector(":scope > .muted")?.remove();
  for (const chat of chats) {
    const key = `${mine ? "m" : "q"}${chat.id}`;
    let card = view.cards.get(key);
    if (!card) {
      card = mine ? chatCard(chat) : waitingCard(chat, view.notice);
      view.cards.set(key, card);
    }
    card.refresh(chat);
    list.append(card.node);
  }
}

function facts(chat) {
  const understood = chat.understood || {};
  const list = (items) => (items && items.length ? items.join(", ") : "—");
  return el(
    "dl",
    { class: "facts" },
    el("dt", {}, "渠道 Channel"),
    el("dd", { "data-testid": "chat-channel" }, CHANNELS[chat.channel] || chat.channel),
    el("dt", {}, "语言 Language"),
    el("dd", { "data-testid": "chat-language" }, LANGUAGES[chat.language] || chat.language),
    el("dt", {}, "意图 Intents"),
    el("dd", {}, list(understood.intents)),
    el("dt", {}, "已看 FAQ FAQ shown"),
    el("dd", {}, list(understood.faq_topics)),
    el("dt", {}, "查询 Look-ups"),
    el("dd", {}, list(Object.entries(understood.lookups || {}).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`))),
    el("dt", {}, "转人工原因 Why"),
    el("dd", {}, TRIGGERS[understood.trigger] || understood.trigger || "—"),
    el("dt", {}, "请求时间 Asked at"),
    el("dd", {}, when(chat.requested_at)),
  );
}

function transcript(chat) {
  const turns = [
    ...(chat.history || []).map((t) => ({ ...t, earlier: true })),
    ...chat.messages,
  ];
  return el(
    "ol",
    { class: "transcript", "data-testid": "transcript" },
    turns.map((t) =>
      el(
        "li",
        { class: `${t.author}${t.earlier ? " earlier" : ""}`, "data-author": t.author },
        el("span", { class: "who" }, `${AUTHORS[t.author] || t.author}${t.agent ? ` ${t.agent}` : ""} · ${when(t.at)}${t.delivered === false ? " · ⚠ 未送达 not delivered" : ""}`),
        t.author === "system" ? SYSTEM[t.text] || t.text : t.text,
      ),
    ),
  );
}

function waitingCard(chat, notice) {
  const node = el("article", { class: "live-chat", "data-chat": chat.id, "data-testid": `waiting-${chat.id}` });
  const accept = el("button", { type: "button", "data-testid": "accept" }, "接入 Accept");
  accept.addEventListener("click", async () => {
    accept.disabled = true;
    notice.textContent = "";
    try {
      await post(`/live/chats/${chat.id}/accept`, { label: window.localStorage.getItem(LABEL_KEY) || "" });
    } catch (error) {
      // Shown above the lists: the card itself leaves when the chat is no longer waiting.
      notice.textContent = error.code === "already_taken" ? "已被其他坐席接入 Another agent accepted it first" : `⚠ ${error.message}`;
      accept.disabled = false;
    }
  });
  const body = el("div");
  node.append(body, accept);
  return {
    node,
    refresh(current) {
      body.replaceChildren(
        el("header", {}, el("strong", {}, `#${current.position} · ${current.conversation_id.slice(0, 12)}`)),
        facts(current),
        transcript(current),
      );
    },
  };
}

function chatCard(chat) {
  const node = el("article", { class: "live-chat mine", "data-chat": chat.id, "data-testid": `chat-${chat.id}` });
  const draft = drafts.get(chat.id) || { text: "", faqTopic: null };
  drafts.set(chat.id, draft);
  const reply = el("textarea", { rows: 3, "data-testid": "reply", "aria-label": "回复 Reply", maxlength: 2000 });
  reply.value = draft.text;
  reply.addEventListener("input", () => {
    draft.text = reply.value;
  });
  const flash = el("p", { class: "flash", role: "alert" });
  const canned = el("select", { "data-testid": "canned", "aria-label": "FAQ 标准回答 Canned FAQ answer" });
  loadCanned(canned, chat.language);
  canned.addEventListener("change", () => {
    const answer = canned.selectedOptions[0]?.dataset.answer;
    if (!answer) return;
    reply.value = reply.value ? `${reply.value}\n${answer}` : answer;
    draft.text = reply.value;
    draft.faqTopic = canned.value;
    canned.value = "";
  });
  const send = el("button", { type: "submit", "data-testid": "send" }, "发送 Send");
  const form = el("form", { class: "reply" }, reply, el("div", { class: "row" }, canned, send), flash);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!reply.value.trim()) return;
    send.disabled = true;
    try {
      const sent = await post(`/live/chats/${chat.id}/messages`, { text: reply.value, faq_topic: draft.faqTopic });
      reply.value = draft.text = "";
      draft.faqTopic = null;
      flash.textContent = sent.delivered ? "" : "⚠ 消息已记录但未送达用户 Recorded, but not delivered to the user";
    } catch (error) {
      flash.textContent = `⚠ ${error.message}`;
    } finally {
      send.disabled = false;
    }
  });
  const end = el("button", { type: "button", class: "secondary", "data-testid": "end" }, "结束会话 End chat");
  end.addEventListener("click", async () => {
    end.disabled = true;
    try {
      await post(`/live/chats/${chat.id}/end`);
      drafts.delete(chat.id);
    } catch (error) {
      flash.textContent = `⚠ ${error.message}`;
      end.disabled = false;
    }
  });
  const complaint = el("button", { type: "button", class: "secondary", "data-testid": "to-complaint" }, "转为投诉 Make a complaint");
  complaint.addEventListener("click", () => complaintForm(chat, form, flash));
  const head = el("header");
  const body = el("div");
  node.append(head, body, form, el("div", { class: "row" }, complaint, end));
  return {
    node,
    refresh(current) {
      head.replaceChildren(el("strong", {}, `${current.agent_label || ""} · ${current.conversation_id.slice(0, 12)}`));
      const atBottom = body.scrollTop + body.clientHeight >= body.scrollHeight - 4;
      body.replaceChildren(facts(current), transcript(current));
      if (atBottom) body.scrollTop = body.scrollHeight;
      if (current.complaint_ticket) complaint.replaceWith(el("a", { href: `#/complaints/${current.complaint_ticket}` }, current.complaint_ticket));
    },
  };
}

async function loadCanned(select, language) {
  if (!faqCache.has(language)) faqCache.set(language, await get(`/live/faq?language=${language}`).catch(() => []));
  select.replaceChildren(
    el("option", { value: "" }, "插入 FAQ 回答 Insert an FAQ answer…"),
    faqCache.get(language).map((a) => el("option", { value: a.key, "data-answer": a.answer }, a.title)),
  );
}

async function complaintForm(chat, anchor, flash) {
  if (anchor.parentNode.querySelector(".complaint-form")) return;
  const draft = await get(`/live/chats/${chat.id}/complaint-draft`);
  const category = el("select", { "data-testid": "complaint-category" }, draft.categories.map((c) => el("option", { value: c.key, selected: c.key === draft.category }, c.label)));
  const description = el("textarea", { rows: 4, "data-testid": "complaint-description" });
  description.value = draft.description;
  const phone = el("input", { "data-testid": "complaint-phone", inputmode: "numeric", placeholder: draft.phone_masked || "13800000000" });
  const consent = el("input", { type: "checkbox", "data-testid": "complaint-consent" });
  const submit = el("button", { type: "submit", "data-testid": "complaint-submit" }, "提交投诉 File the complaint");
  const form = el(
    "form",
    { class: "complaint-form" },
    field("类别 Category", category),
    field("描述 Description", description),
    field(`手机号 Phone${draft.phone_masked ? `（对话中 in the chat: ${draft.phone_masked}）` : ""}`, phone),
    el("label", {}, consent, " 用户已同意记录其联系方式 The user agreed that their contact details are recorded"),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await request("POST", `/live/chats/${chat.id}/complaint`, {
        category: category.value,
        description: description.value,
        contact_phone: phone.value || null,
        user_consented: consent.checked,
      });
      form.replaceWith(el("p", { class: "flash" }, `已创建投诉 Complaint filed: ${made.ticket}`));
    } catch (error) {
      flash.textContent = `⚠ ${error.message}`;
    }
  });
  anchor.after(form);
}

function presenceForm() {
  const status = el(
    "select",
    { "data-testid": "presence-status", "aria-label": "状态 Status" },
    el("option", { value: "available" }, "在线接入 Available"),
    el("option", { value: "away" }, "离开 Away"),
  );
  const maxChats = el("input", { type: "number", min: 1, max: 20, "data-testid": "presence-max", "aria-label": "最多同时会话 Max chats" });
  const label = el("input", { maxlength: 32, "data-testid": "presence-label", placeholder: "工号 Staff no." });
  label.value = window.localStorage.getItem(LABEL_KEY) || "";
  const save = el("button", { type: "submit", "data-testid": "presence-save" }, "保存 Save");
  const form = el(
    "form",
    { class: "filters", "data-testid": "presence-form" },
    field("状态 Status", status),
    field("最多同时会话 Max chats", maxChats),
    field("对用户显示 Shown to users (name or staff no.)", label),
    save,
  );
  let editing = false;
  form.addEventListener("input", () => {
    editing = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    window.localStorage.setItem(LABEL_KEY, label.value.trim());
    await request("PUT", "/live/presence", { status: status.value, max_chats: Number(maxChats.value) || null });
    editing = false;
  });
  return {
    form,
    set(presence) {
      if (editing) return;
      status.value = presence.status;
      maxChats.value = presence.max_chats;
    },
  };
}
