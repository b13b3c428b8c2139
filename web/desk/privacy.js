// Users' erasure requests (supervisors): each made in the chat, verified by ticket and last four digits;
// confirming erases the complaint's personal data (phone, chat, free texts) and keeps the record.
import { get, post } from "./api.js";
import { el, when } from "./dom.js";
import { STATUS } from "./labels.js";

export async function showPrivacy(root) {
  const requests = await get("/privacy/requests");
  const flash = el("p", { class: "flash", "data-testid": "flash" });
  const erase = async (ticket) => {
    try {
      await post(`/complaints/${encodeURIComponent(ticket)}/erase`);
      window.dispatchEvent(new CustomEvent("desk:rerender"));
    } catch (error) {
      flash.textContent = `⚠ ${error.message}`;
      flash.classList.add("error");
    }
  };
  const rows = requests.map((r) =>
    el(
      "tr",
      { "data-testid": "erasure-request", "data-ticket": r.ticket },
      el("td", {}, el("a", { href: `#/complaints/${encodeURIComponent(r.ticket)}` }, r.ticket)),
      el("td", {}, when(r.requested_at)),
      el("td", {}, STATUS[r.status] || r.status),
      el("td", {}, el("button", { type: "button", "data-testid": "confirm-erasure", onclick: () => erase(r.ticket) }, "确认删除 Erase")),
    ),
  );
  root.append(
    el("h2", {}, "删除申请 Erasure requests"),
    el("p", {}, "用户在对话中申请删除投诉中的个人信息（手机号、对话记录、描述）；确认后删除，单号、类别和日期保留用于统计。 Users asked in the chat for their complaint's personal data to be erased; the record stays for statistics."),
    flash,
    requests.length
      ? el("table", { class: "users" }, el("thead", {}, el("tr", {}, ["单号 Ticket", "申请时间 Requested", "状态 Status", ""].map((h) => el("th", {}, h)))), el("tbody", {}, rows))
      : el("p", { "data-testid": "no-erasure-requests" }, "没有待处理的申请 No pending requests"),
  );
}
