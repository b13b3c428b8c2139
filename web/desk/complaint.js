// One complaint: facts, transcript, notes, the actions its status allows, and the audit trail.
import { get, post } from "./api.js";
import { clear, el, when } from "./dom.js";
import { STATUS, label, loadCatalogue } from "./labels.js";

const ROLE = { user: "用户 User", bot: "机器人 Bot", agent: "人工客服 Agent" };

export async function showComplaint(root, ticket, me) {
  await loadCatalogue();
  const complaint = await get(`/complaints/${encodeURIComponent(ticket)}`);
  const view = el("article", { class: "complaint", "data-testid": "complaint" });
  root.append(el("p", {}, el("a", { href: "#/" }, "← 返回队列 Back to the queue")), view);
  render(view, complaint, complaint.contact_phone, me);
}

// After a change the API answers with the complaint, phone masked; the number already shown stays.
function render(view, complaint, phone, me) {
  clear(view);
  const flash = el("p", { class: "flash", role: "status", "data-testid": "flash" });
  const act = async (work, success) => {
    flash.textContent = "";
    try {
      const changed = await work();
      render(view, changed, phone, me);
      view.querySelector("[data-testid=flash]").textContent = success;
    } catch (error) {
      flash.textContent = `⚠ ${error.message}`;
      flash.classList.add("error");
    }
  };
  view.append(
    header(complaint),
    flash,
    facts(complaint, phone),
    el("h3", {}, "描述 Description"),
    el("p", { class: "description", "data-testid": "description" }, complaint.description),
    el("h3", {}, "对话记录 Transcript"),
    transcript(complaint.transcript),
    el("h3", {}, "备注 Notes"),
    notes(complaint.notes),
    actions(complaint, me, act),
    el("h3", {}, "审计记录 Audit trail"),
    audit(complaint.audit),
  );
}

function header(c) {
  return el(
    "header",
    {},
    el("h2", { "data-testid": "complaint-ticket" }, c.ticket),
    el("span", { class: `badge ${c.status}`, "data-testid": "complaint-status", "data-status": c.status }, STATUS[c.status] || c.status),
    c.overdue ? el("span", { class: "badge late" }, "超期 Overdue") : "",
  );
}

function facts(c, phone) {
  const rows = [
    ["类别 Category", `${label("categories", c.category)}（${label("regulatory_classes", c.regulatory_class)}）`],
    ["运营商 Operator", label("operators", c.operator)],
    ["地区 Place", c.place || "—"],
    ["机型 Handset", c.handset || "—"],
    ["联系电话 Phone", el("span", { "data-testid": "contact-phone" }, phone)],
    ["处理人 Assigned", el("span", { "data-testid": "assigned-agent" }, c.assigned_agent || "—")],
    ["提交 Filed", when(c.created_at)],
    ["答复期限 Reply by", when(c.deadline)],
    ["解决方案 Resolution", c.resolution || "—"],
  ];
  return el("dl", { class: "facts" }, rows.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

function transcript(entries) {
  if (!entries.length) return el("p", { class: "muted" }, "无 None");
  return el(
    "ol",
    { class: "transcript", "data-testid": "transcript" },
    entries.map((e) =>
      el("li", { class: e.role, "data-testid": "transcript-entry" }, el("span", { class: "who" }, `${ROLE[e.role] || e.role} · ${when(e.timestamp)}`), el("span", {}, e.text)),
    ),
  );
}

function notes(list) {
  if (!list.length) return el("p", { class: "muted" }, "无 None");
  return el(
    "ul",
    { class: "notes" },
    list.map((n) =>
      el(
        "li",
        { class: n.to_user ? "to-user" : "internal", "data-testid": "note" },
        el("span", { class: "who" }, `${n.author} · ${when(n.at)} · ${n.to_user ? "致用户 To the user" : "内部 Internal"}`),
        el("span", {}, n.text),
      ),
    ),
  );
}

function actions(c, me, act) {
  const mine = me.role === "supervisor" || c.assigned_agent === me.username;
  const box = el("section", { class: "actions" }, el("h3", {}, "处理 Actions"));
  if (c.status === "open") {
    box.append(el("button", { type: "button", "data-testid": "claim", onclick: () => act(() => post(`/complaints/${c.ticket}/claim`), "已认领 Claimed") }, "认领 Claim"));
  }
  if (mine && c.status !== "closed") box.append(noteForm(c, act));
  if (mine && c.status === "in_progress") box.append(resolveForm(c, act));
  if (me.role === "supervisor") box.append(supervisorActions(c, act));
  if (!mine && c.status !== "open") box.append(el("p", { class: "muted" }, "由其他同事处理中 Handled by a colleague"));
  return box;
}

function noteForm(c, act) {
  const text = el("textarea", { name: "text", rows: 3, required: true, maxlength: 4000, "data-testid": "note-text" });
  const toUser = el("input", { type: "checkbox", name: "to_user", "data-testid": "note-to-user" });
  const form = el(
    "form",
    { class: "note-form" },
    el("label", {}, "写备注或回复用户 Write a note or reply to the user", text),
    el("label", { class: "inline" }, toUser, " 发送给用户 Send to the user"),
    el("button", { type: "submit", "data-testid": "note-submit" }, "提交 Submit"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => post(`/complaints/${c.ticket}/notes`, { text: text.value, to_user: toUser.checked }), "已保存 Saved");
  });
  return form;
}

function resolveForm(c, act) {
  const text = el("textarea", { name: "resolution", rows: 3, required: true, maxlength: 4000, "data-testid": "resolution" });
  const form = el("form", { class: "resolve-form" }, el("label", {}, "解决方案（用户可见）Resolution (the user sees it)", text), el("button", { type: "submit", "data-testid": "resolve" }, "标记为已解决 Resolve"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => post(`/complaints/${c.ticket}/resolve`, { resolution: text.value }), "已解决 Resolved");
  });
  return form;
}

function supervisorActions(c, act) {
  const box = el("div", { class: "supervisor" });
  if (c.status === "resolved") {
    box.append(el("button", { type: "button", "data-testid": "close", onclick: () => act(() => post(`/complaints/${c.ticket}/close`), "已关闭 Closed") }, "关闭 Close"));
  }
  if (c.status === "resolved" || c.status === "closed") {
    const reason = el("input", { name: "reason", placeholder: "原因 Reason", "data-testid": "reopen-reason" });
    box.append(reason, el("button", { type: "button", "data-testid": "reopen", onclick: () => act(() => post(`/complaints/${c.ticket}/reopen`, { reason: reason.value }), "已重新打开 Reopened") }, "重新打开 Reopen"));
  }
  if (c.status === "open" || c.status === "in_progress") {
    const to = el("input", { name: "username", placeholder: "用户名 Username", "data-testid": "assign-to" });
    box.append(to, el("button", { type: "button", "data-testid": "assign", onclick: () => act(() => post(`/complaints/${c.ticket}/assign`, { username: to.value }), "已分配 Assigned") }, "分配 Assign"));
  }
  return box;
}

function audit(events) {
  return el(
    "table",
    { class: "audit", "data-testid": "audit" },
    el("thead", {}, el("tr", {}, ["时间 When", "人员 Who", "操作 What"].map((h) => el("th", {}, h)))),
    el("tbody", {}, events.map((e) => el("tr", { "data-testid": "audit-entry" }, el("td", {}, when(e.at)), el("td", {}, e.actor), el("td", {}, e.action)))),
  );
}
