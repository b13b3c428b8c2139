// The support desk console: hash routes #/ (queue), #/complaints/<ticket>, #live, #stats, #users, #privacy.
// Bundled by esbuild (npm run build) into bot/web/static/build/desk.js.
import { ApiError, Unauthenticated, login, logout, session } from "./api.js";
import { showComplaint } from "./complaint.js";
import { clear, el, field } from "./dom.js";
import { showLive, stopLive } from "./live.js";
import { showPrivacy } from "./privacy.js";
import { showQueue } from "./queue.js";
import { showStats } from "./stats.js";
import { showUsers } from "./users.js";

const root = document.getElementById("app");
const nav = document.getElementById("nav");
const who = document.getElementById("who");

function route() {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [page, ...rest] = hash.split("/");
  return { page: page || "queue", arg: decodeURIComponent(rest.join("/")) };
}

async function render(message) {
  stopLive();
  clear(root);
  const me = session();
  nav.hidden = !me;
  if (!me) {
    showLogin(message);
    return;
  }
  who.textContent = `${me.username}（${me.role === "supervisor" ? "主管 supervisor" : "坐席 agent"}）`;
  for (const link of nav.querySelectorAll("[data-supervisor]")) link.hidden = me.role !== "supervisor";
  const { page, arg } = route();
  try {
    if (page === "complaints" && arg) await showComplaint(root, arg, me);
    else if (page === "live") await showLive(root, me);
    else if (page === "stats") await showStats(root, me);
    else if (page === "users") await showUsers(root, me);
    else if (page === "privacy") await showPrivacy(root);
    else await showQueue(root, me);
  } catch (error) {
    if (error instanceof Unauthenticated) return; // desk:expired shows the login form
    root.append(el("p", { class: "flash error", "data-testid": "flash" }, `⚠ ${error.message}`));
  }
}

function showLogin(message) {
  const username = el("input", { name: "username", autocomplete: "username", required: true, "data-testid": "login-username" });
  const password = el("input", { name: "password", type: "password", autocomplete: "current-password", required: true, "data-testid": "login-password" });
  const flash = el("p", { class: "flash error", role: "alert", "data-testid": "login-error" }, message || "");
  const form = el(
    "form",
    { class: "login", "data-testid": "login-form" },
    el("h2", {}, "登录 Log in"),
    field("用户名 Username", username),
    field("密码 Password", password),
    el("button", { type: "submit", "data-testid": "login-submit" }, "登录 Log in"),
    flash,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await login(username.value, password.value);
      render();
    } catch (error) {
      flash.textContent = loginError(error);
    }
  });
  root.append(form);
  username.focus();
}

function loginError(error) {
  if (error instanceof ApiError && error.status === 401) return "用户名或密码错误 Incorrect username or password";
  if (error instanceof ApiError && error.status === 429) {
    const minutes = Math.max(1, Math.ceil((error.retryAfter || 60) / 60));
    return `登录失败次数过多，请 ${minutes} 分钟后再试 Too many failed log-ins: try again in ${minutes} min`;
  }
  return `⚠ ${error.message}`;
}

document.getElementById("logout").addEventListener("click", async () => {
  await logout();
  window.location.hash = "#/";
  render();
});
window.addEventListener("hashchange", () => render());
window.addEventListener("desk:rerender", () => render());
window.addEventListener("desk:expired", () => render("登录已过期，请重新登录 Your session ended; please log in again"));
render();
