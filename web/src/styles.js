// The widget's styles, scoped to its shadow root. Given to the shadow root as a constructed
// stylesheet (adoptedStyleSheets), which a host page's Content-Security-Policy does not block.
// `:host` rules marked !important win over the host page's own !important rules.

export const CSS = `
:host {
  all: initial !important;
  position: fixed !important;
  z-index: 2147483000 !important;
  bottom: 20px !important;
  right: 20px !important;
  left: auto !important;
  top: auto !important;
  display: block !important;
  visibility: visible !important;
  opacity: 1 !important;
  transform: none !important;
  --accent: #0b5cad;
  --accent-text: #ffffff;
  font: 15px/1.5 -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "Segoe UI", sans-serif !important;
  color: #1d2733 !important;
  text-align: left !important;
}
:host([data-corner="bottom-left"]) { left: 20px !important; right: auto !important; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button, input { font: inherit; }
:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.launcher { position: relative; width: 60px; height: 60px; border-radius: 50%; border: 0; cursor: pointer;
  background: var(--accent); color: var(--accent-text); box-shadow: 0 4px 14px rgba(0,0,0,.25);
  display: flex; align-items: center; justify-content: center; }
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px;
  background: #c62828; color: #fff; font-size: 12px; font-weight: 700; line-height: 22px; text-align: center; }
.panel { position: absolute; bottom: 76px; right: 0; width: 370px; height: min(600px, calc(100vh - 120px));
  background: #fff; border-radius: 14px; box-shadow: 0 8px 30px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden; }
:host([data-corner="bottom-left"]) .panel { left: 0; right: auto; }
.header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: var(--accent); color: var(--accent-text); }
.header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; }
.status { font-size: 12px; opacity: .95; }
.close { border: 0; background: transparent; color: inherit; font-size: 22px; line-height: 1; width: 36px; height: 36px; cursor: pointer; border-radius: 6px; }
.notice { padding: 6px 12px; font-size: 13px; background: #fff4e5; color: #6b3e00; border-bottom: 1px solid #f0d9b5; }
.log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f6f8fb; }
.msg { max-width: 85%; padding: 8px 12px; border-radius: 12px; word-break: break-word; }
.msg p { margin: 0; white-space: pre-wrap; }
.msg p + p, .msg ul, .msg ol { margin: 6px 0 0; }
.msg ul, .msg ol { padding-left: 20px; }
.bot { background: #fff; border: 1px solid #dde5ee; align-self: flex-start; }
.user { background: var(--accent); color: var(--accent-text); align-self: flex-end; }
.user.pending { opacity: .7; }
.user .state { display: block; font-size: 11px; opacity: .9; }
.refused { align-self: center; font-size: 13px; color: #8a1c1c; background: #fdecea; }
.link { color: #0b4f94; text-decoration: underline; }
.user .link { color: inherit; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.choice { border: 1px solid var(--accent); color: #0b4f94; background: #fff; border-radius: 16px; padding: 5px 12px;
  cursor: pointer; font-size: 14px; text-decoration: none; }
.choice:disabled { opacity: .6; cursor: default; }
.card { border: 1px solid #dde5ee; border-radius: 10px; padding: 8px; margin-top: 6px; background: #fff; }
.typing { align-self: flex-start; padding: 8px 12px; border-radius: 12px; background: #fff; border: 1px solid #dde5ee; }
.typing span[aria-hidden] { display: inline-block; width: 6px; height: 6px; margin: 0 2px; border-radius: 50%; background: #5b6b7c;
  animation: blink 1.2s infinite ease-in-out; }
.typing span[aria-hidden]:nth-child(2) { animation-delay: .2s; }
.typing span[aria-hidden]:nth-child(3) { animation-delay: .4s; }
@keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { .typing span[aria-hidden] { animation: none; } }
.form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #dde5ee; background: #fff; }
.input { flex: 1; min-width: 0; border: 1px solid #b8c4d1; border-radius: 8px; padding: 8px 10px; font-size: 16px; color: #1d2733; background: #fff; }
.send { border: 0; border-radius: 8px; background: var(--accent); color: var(--accent-text); padding: 0 14px; cursor: pointer; font-weight: 600; }
@media (max-width: 480px) {
  :host([data-open]) { inset: 0 !important; }
  :host([data-open]) .launcher { display: none; }
  .panel { position: fixed; inset: 0; width: 100vw; height: 100%; border-radius: 0; bottom: 0; }
}
`;

export function applyStyles(shadow) {
  if ("adoptedStyleSheets" in shadow && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
    return;
  }
  // Older browsers: a <style> element (needs style-src 'unsafe-inline' on a strict host page).
  const style = document.createElement("style");
  style.textContent = CSS;
  shadow.append(style);
}
