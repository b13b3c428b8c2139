// Labels of the keys the API uses (categories, operators, ...), loaded once from /api/catalogue.
import { get } from "./api.js";

export const STATUS = {
  open: "待处理 Open",
  in_progress: "处理中 In progress",
  resolved: "已解决 Resolved",
  closed: "已关闭 Closed",
};

let catalogue = null;

export async function loadCatalogue() {
  if (!catalogue) catalogue = await get("/catalogue");
  return catalogue;
}

export function label(group, key) {
  const entry = catalogue && catalogue[group] && catalogue[group][key];
  return entry ? `${entry.zh} ${entry.en}` : key;
}

export function options(group, all = "全部 All") {
  const entries = Object.keys((catalogue && catalogue[group]) || {}).map((key) => [key, label(group, key)]);
  return [["", all], ...entries];
}
