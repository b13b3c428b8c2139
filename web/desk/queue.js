// The queue: filters, overdue complaints first, phone numbers masked.
import { get, query } from "./api.js";
import { el, field, select, when } from "./dom.js";
import { STATUS, label, loadCatalogue, options } from "./labels.js";

const PAGE = 20;
let filters = { sort: "urgent", offset: 0 };

export async function showQueue(root) {
  await loadCatalogue();
  const table = el("tbody");
  const summary = el("p", { class: "summary", "data-testid": "queue-total" });
  const pager = el("div", { class: "pager" });
  root.append(el("h2", {}, "投诉队列 Complaint queue"), filterForm(), summary, queueTable(table), pager);
  const page = await get(`/complaints${query({ ...filters, limit: PAGE })}`);
  summary.textContent = `共 ${page.total} 条 · ${page.total} complaint(s)`;
  for (const item of page.items) table.append(row(item));
  if (!page.items.length) table.append(el("tr", {}, el("td", { colspan: 10 }, "没有投诉 No complaints")));
  pagerButtons(pager, page);
}

function filterForm() {
  const form = el("form", { class: "filters", "data-testid": "filters" });
  form.append(
    field("状态 Status", select("status", [["", "全部 All"], ...Object.entries(STATUS)], filters.status)),
    field("类别 Category", select("category", options("categories"), filters.category)),
    field("监管分类 Class", select("regulatory_class", options("regulatory_classes"), filters.regulatory_class)),
    field("运营商 Operator", select("operator", options("operators"), filters.operator)),
    field("地区 Place", el("input", { name: "place", value: filters.place || "" })),
    field("超期 Overdue", select("overdue", [["", "全部 All"], ["true", "超期 Overdue"], ["false", "未超期 Not overdue"]], filters.overdue)),
    field("搜索 Search", el("input", { name: "q", value: filters.q || "", placeholder: "内容 / 工单号", "data-testid": "search" })),
    field("分配 Assigned", select("assigned_to", [["", "全部 All"], ["me", "我的 Mine"]], filters.assigned_to)),
    field("排序 Sort", select("sort", [["urgent", "超期优先 Overdue first"], ["newest", "最新 Newest"], ["oldest", "最早 Oldest"], ["deadline", "期限 Deadline"]], filters.sort)),
    el("button", { type: "submit", "data-testid": "apply-filters" }, "筛选 Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    filters = { ...Object.fromEntries(new FormData(form).entries()), offset: 0 };
    rerender();
  });
  return form;
}

function queueTable(body) {
  const head = ["工单 Ticket", "", "状态 Status", "类别 Category", "运营商 Operator", "地区 Place", "电话 Phone", "处理人 Agent", "提交 Filed", "期限 Deadline"];
  return el("table", { class: "queue", "data-testid": "queue" }, el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))), body);
}

function row(item) {
  return el(
    "tr",
    { "data-testid": "queue-row", "data-ticket": item.ticket, class: item.overdue ? "overdue" : "" },
    el("td", {}, el("a", { href: `#/complaints/${item.ticket}`, "data-testid": "open-complaint" }, item.ticket)),
    el("td", {}, item.overdue ? el("span", { class: "badge late", "data-testid": "overdue-badge" }, "超期 Overdue") : ""),
    el("td", {}, STATUS[item.status] || item.status),
    el("td", {}, label("categories", item.category)),
    el("td", {}, label("operators", item.operator)),
    el("td", {}, item.place || "—"),
    el("td", { "data-testid": "queue-phone" }, item.contact_phone),
    el("td", {}, item.assigned_agent || "—"),
    el("td", {}, when(item.created_at)),
    el("td", {}, when(item.deadline)),
  );
}

function pagerButtons(pager, page) {
  const previous = el("button", { type: "button", disabled: page.offset === 0 }, "上一页 Previous");
  const next = el("button", { type: "button", disabled: page.offset + page.limit >= page.total }, "下一页 Next");
  previous.addEventListener("click", () => {
    filters.offset = Math.max(0, page.offset - PAGE);
    rerender();
  });
  next.addEventListener("click", () => {
    filters.offset = page.offset + PAGE;
    rerender();
  });
  pager.append(previous, ` ${page.offset + 1}–${Math.min(page.offset + page.limit, page.total)} / ${page.total} `, next);
}

function rerender() {
  window.dispatchEvent(new CustomEvent("desk:rerender"));
}
