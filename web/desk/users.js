// Desk users (supervisors): create, change role, deactivate.
import { get, patch, post } from "./api.js";
import { el, field, select, when } from "./dom.js";

const ROLES = [["agent", "坐席 Agent"], ["supervisor", "主管 Supervisor"]];

export async function showUsers(root, me) {
  const users = await get("/users");
  const flash = el("p", { class: "flash", "data-testid": "flash" });
  const attempt = async (work) => {
    try {
      await work();
      window.dispatchEvent(new CustomEvent("desk:rerender"));
    } catch (error) {
      flash.textContent = `⚠ ${error.message}`;
      flash.classList.add("error");
    }
  };
  root.append(el("h2", {}, "用户管理 Users"), flash, createForm(attempt), usersTable(users, me, attempt));
}

function createForm(attempt) {
  const username = el("input", { name: "username", required: true, minlength: 2, maxlength: 64 });
  const password = el("input", { name: "password", type: "password", required: true, minlength: 10, autocomplete: "new-password" });
  const role = select("role", ROLES, "agent");
  const form = el("form", { class: "filters" }, field("用户名 Username", username), field("密码 Password (10+)", password), field("角色 Role", role), el("button", { type: "submit" }, "创建 Create"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(() => post("/users", { username: username.value, password: password.value, role: role.value }));
  });
  return form;
}

function usersTable(users, me, attempt) {
  const head = ["用户名 Username", "角色 Role", "状态 Status", "创建 Created", ""];
  return el(
    "table",
    { class: "users" },
    el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))),
    el(
      "tbody",
      {},
      users.map((u) => {
        const self = u.username === me.username;
        const role = select("role", ROLES, u.role);
        role.disabled = self;
        role.addEventListener("change", () => attempt(() => patch(`/users/${encodeURIComponent(u.username)}`, { role: role.value })));
        const toggle = el("button", { type: "button", disabled: self }, u.active ? "停用 Deactivate" : "启用 Activate");
        toggle.addEventListener("click", () => attempt(() => patch(`/users/${encodeURIComponent(u.username)}`, { active: !u.active })));
        return el("tr", {}, el("td", {}, u.username), el("td", {}, role), el("td", {}, u.active ? "启用 Active" : "停用 Inactive"), el("td", {}, when(u.created_at)), el("td", {}, toggle));
      }),
    ),
  );
}
