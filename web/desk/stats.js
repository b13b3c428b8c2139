// Service monitoring (supervisors): complaint figures, charts, FAQ feedback, messages not understood.
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Colors,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

import { download, get, query } from "./api.js";
import { el, field } from "./dom.js";
import { label, loadCatalogue } from "./labels.js";

Chart.register(ArcElement, BarController, BarElement, CategoryScale, Colors, DoughnutController, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

let period = {};
let charts = [];

export async function showStats(root) {
  await loadCatalogue();
  charts.forEach((chart) => chart.destroy());
  charts = [];
  const stats = await get(`/stats${query(period)}`);
  period = { from: stats.period.from, to: stats.period.to };
  const c = stats.complaints;
  root.append(
    el("h2", {}, "服务监控 Service monitoring"),
    periodForm(),
    el(
      "section",
      { class: "cards", "data-testid": "stats-cards" },
      card("投诉总数 Complaints", c.total, "stat-total"),
      card("未结案 Open", c.open),
      card("超期 Overdue", c.overdue),
      card("按期答复 Answered in time", rate(c.answered_within_deadline_rate)),
      card("首次答复中位数 Median first reply", hours(c.median_first_response_hours)),
      card("解决中位数 Median resolution", hours(c.median_resolution_hours)),
      card("全部未结案 Backlog open", stats.backlog.open),
      card("全部超期 Backlog overdue", stats.backlog.overdue),
    ),
    el(
      "section",
      { class: "charts" },
      chartBox("每日投诉 Per day", "line", c.per_day),
      chartBox("每周投诉 Per week", "bar", c.per_week),
      chartBox("按类别 By category", "bar", labelled("categories", c.by_category)),
      chartBox("按监管分类 By regulatory class", "doughnut", labelled("regulatory_classes", c.by_regulatory_class)),
      chartBox("按运营商 By operator", "bar", labelled("operators", c.by_operator)),
      chartBox("按地区 By place", "bar", c.by_place),
    ),
    el("h3", {}, "转人工 Live hand-offs"),
    handoffSection(stats.handoff),
    el("h3", {}, "FAQ 反馈 FAQ feedback (“没解决” = not helpful)"),
    faqTable(stats.faq),
    el("h3", {}, "未能理解的消息 Messages the bot did not understand"),
    messagesTable(stats.not_understood),
    stats.tracker_available ? "" : el("p", { class: "flash error" }, "对话数据库不可用 The conversation store could not be read"),
  );
}

function periodForm() {
  const from = el("input", { type: "date", name: "from", value: period.from || "" });
  const to = el("input", { type: "date", name: "to", value: period.to || "" });
  const flash = el("span", { class: "flash" });
  const exportButton = el("button", { type: "button", "data-testid": "export-csv" }, "导出 CSV Export");
  exportButton.addEventListener("click", async () => {
    try {
      const { blob, name } = await download(`/complaints/export.csv${query({ from: from.value, to: to.value })}`);
      const link = el("a", { href: URL.createObjectURL(blob), download: name });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      flash.textContent = `⚠ ${error.message}`;
    }
  });
  const form = el("form", { class: "filters" }, field("从 From", from), field("到 To", to), el("button", { type: "submit" }, "更新 Update"), exportButton, flash);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    period = { from: from.value, to: to.value };
    window.dispatchEvent(new CustomEvent("desk:rerender"));
  });
  return form;
}

function card(title, value, testid) {
  return el("div", { class: "card", "data-testid": testid }, el("span", { class: "value" }, String(value)), el("span", { class: "title" }, title));
}

const rate = (value) => (value === null || value === undefined ? "—" : `${Math.round(value * 100)}%`);
const hours = (value) => (value === null || value === undefined ? "—" : `${value} h`);

function labelled(group, counts) {
  return Object.fromEntries(Object.entries(counts).map(([key, count]) => [label(group, key), count]));
}

function chartBox(title, type, counts) {
  const canvas = el("canvas", { role: "img", "aria-label": title });
  const box = el("figure", { class: "chart" }, el("figcaption", {}, title), el("div", { class: "canvas" }, canvas));
  const data = { labels: Object.keys(counts), datasets: [{ label: title, data: Object.values(counts), borderWidth: 1 }] };
  const options = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: type === "doughnut" } } };
  if (type !== "doughnut") options.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
  charts.push(new Chart(canvas, { type, data, options }));
  return box;
}

function faqTable(topics) {
  if (!topics.length) return el("p", { class: "muted" }, "暂无数据 No data yet");
  const head = ["主题 Topic", "回答 Answers", "询问 Asked", "有帮助 Helpful", "没解决 Not helpful", "比例 Rate"];
  return el(
    "table",
    { class: "faq", "data-testid": "faq-table" },
    el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))),
    el("tbody", {}, topics.map((t) => el("tr", {}, [t.topic, t.answers, t.asked_if_helpful, t.helpful, t.not_helpful, rate(t.not_helpful_rate)].map((v) => el("td", {}, String(v)))))),
  );
}

function messagesTable(messages) {
  if (!messages.length) return el("p", { class: "muted" }, "暂无数据 No data yet");
  return el(
    "table",
    { class: "messages", "data-testid": "not-understood" },
    el("thead", {}, el("tr", {}, [el("th", {}, "消息 Message"), el("th", {}, "次数 Count")])),
    el("tbody", {}, messages.map((m) => el("tr", {}, el("td", {}, m.text), el("td", {}, String(m.count))))),
  );
}

const seconds = (value) => (value === null || value === undefined ? "—" : value >= 120 ? `${Math.round(value / 60)} min` : `${Math.round(value)} s`);
const score = (value) => (value === null || value === undefined ? "—" : `${value} / 5`);

function handoffSection(h) {
  const agents = Object.entries(h.by_agent);
  return el(
    "div",
    { "data-testid": "handoff-stats" },
    el(
      "section",
      { class: "cards" },
      card("转人工请求 Requests for a person", h.requested, "handoff-requested"),
      card("已接入 Handed over", h.handed_over, "handoff-handed-over"),
      card("非服务时间 Outside hours", h.outside_hours),
      card("无坐席 No agent", h.no_agent),
      card("超时无人接入 Timed out", h.timed_out),
      card("等待中位数 Median wait", seconds(h.median_waiting_seconds), "handoff-median-wait"),
      card("等待 P90 Wait, p90", seconds(h.p90_waiting_seconds)),
      card("处理时长中位数 Median handling", seconds(h.median_handling_seconds)),
      card("满意度 Satisfaction", score(h.satisfaction), "handoff-satisfaction"),
      card("转为投诉 Ended in a complaint", rate(h.complaint_share)),
    ),
    agents.length
      ? el(
          "table",
          { "data-testid": "handoff-agents" },
          el("thead", {}, el("tr", {}, ["坐席 Agent", "会话 Chats", "评价 Rated", "满意度 Satisfaction", "处理时长 Handling"].map((x) => el("th", {}, x)))),
          el("tbody", {}, agents.map(([agent, a]) => el("tr", {}, [agent, a.chats, a.rated, score(a.satisfaction), seconds(a.median_handling_seconds)].map((v) => el("td", {}, String(v)))))),
        )
      : "",
  );
}
