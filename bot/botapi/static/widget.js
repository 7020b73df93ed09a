// Lykta's chat widget for a partner's page:
//
//   <script src="https://chat.example.org/widget.js" data-lang="ru" data-country="FI" defer></script>
//
// It adds a chat button; the button opens a panel with the chat in an <iframe> of the bot's own page (/),
// so the partner's page can never read the conversation and the bot's CSP (frame-ancestors) decides who
// may embed it. The iframe is created only when the panel is first opened: visitors who never open the
// chat never start a session. Quick exit (the chat's button, or Esc twice once the chat has been opened)
// replaces this whole page with the organisation's neutral page.
//
// data-lang     the chat's language until the user picks one (en, ru, fi, sv, nb, da; ar is right-to-left)
// data-country  the country the questions are about (FI, SE, NO, DK, IS, RU-SPE, RU-KR, OTHER)
// data-position "left" or "right" (default: the end side of the page's writing direction)
"use strict";
(() => {
  const script = document.currentScript;
  if (!script || window.LyktaWidget) return;
  const origin = new URL(script.src, location.href).origin;
  const DEFAULT_EXIT = "https://en.wikipedia.org/wiki/Weather";
  const RTL = new Set(["ar", "fa", "he", "ur", "ps", "ku"]);
  const ds = script.dataset;
  const cleanLang = (v) => (/^[a-z]{2,3}$/.test(String(v || "").toLowerCase()) ? String(v).toLowerCase() : null);
  const cleanCountry = (v) => (/^[A-Z]{2}(-[A-Z]{2,3})?$/.test(String(v || "").toUpperCase())
    ? String(v).toUpperCase() : null);
  const hintLang = cleanLang(ds.lang);
  const hintCountry = cleanCountry(ds.country);
  let lang = hintLang || cleanLang((document.documentElement.lang || navigator.language || "en").split("-")[0]) || "en";
  let exitUrl = DEFAULT_EXIT;
  let frame = null;
  let opened = false;

  const strings = () => window.LyktaStrings || {};
  const t = (key) => {
    const s = strings();
    return ((s[lang] || {})[key]) || ((s.en || {})[key]) || { openChat: "Chat", closeChat: "Close the chat",
      chat: "Lykta chat" }[key] || key;
  };

  const host = document.createElement("div");
  host.id = "lykta-widget";
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = origin + "/static/widget.css";
  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "lykta-panel");
  const icon = document.createElement("span");
  icon.className = "icon";
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = "💬";
  const label = document.createElement("span");
  launcher.append(icon, label);
  const panel = document.createElement("section");
  panel.id = "lykta-panel";
  panel.className = "panel";
  panel.hidden = true;
  const top = document.createElement("div");
  top.className = "top";
  const heading = document.createElement("h2");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  const closeIcon = document.createElement("span");
  closeIcon.setAttribute("aria-hidden", "true");
  closeIcon.textContent = "×";
  const closeLabel = document.createElement("span");
  closeLabel.className = "vh";
  close.append(closeIcon, closeLabel);
  top.append(heading, close);
  panel.appendChild(top);
  root.append(style, panel, launcher);
  if (ds.position === "left" || ds.position === "right") host.dataset.position = ds.position;

  function render() {
    host.lang = lang;
    host.dir = RTL.has(lang) ? "rtl" : "ltr";
    label.textContent = opened && !panel.hidden ? t("closeChat") : t("openChat");
    heading.textContent = t("chat");
    panel.setAttribute("aria-label", t("chat"));
    closeLabel.textContent = t("closeChat");
    if (frame) frame.title = t("chat");
  }

  function open() {
    if (!frame) {
      const url = new URL("/", origin);
      url.searchParams.set("embed", "1");
      if (hintLang) url.searchParams.set("lang", hintLang);
      if (hintCountry) url.searchParams.set("country", hintCountry);
      frame = document.createElement("iframe");
      frame.src = url.href;
      frame.referrerPolicy = "no-referrer";
      frame.allow = "";
      frame.addEventListener("load", () => focusChat());
      panel.appendChild(frame);
    }
    opened = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    render();
    focusChat();
  }

  function hide() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    render();
    launcher.focus();
  }

  function focusChat() {
    if (!frame || panel.hidden) return;
    frame.focus();
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: "lykta:focus" }, origin);
  }

  function quickExit(url) {
    const target = /^https?:\/\//i.test(url || "") ? url : exitUrl;
    host.remove();
    location.replace(target);
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : hide()));
  close.addEventListener("click", hide);

  // Only the chat's own frame, from the bot's origin, is listened to.
  window.addEventListener("message", (e) => {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin || !e.data) return;
    const msg = e.data;
    if (msg.type === "lykta:quick-exit") quickExit(msg.url);
    else if (msg.type === "lykta:config" && /^https?:\/\//i.test(msg.quickExitUrl || "")) exitUrl = msg.quickExitUrl;
    else if (msg.type === "lykta:lang" && cleanLang(msg.lang)) { lang = cleanLang(msg.lang); render(); }
  });

  let lastEscape = 0;
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !opened) return;
    const now = Date.now();
    if (now - lastEscape < 1500) quickExit(exitUrl);
    lastEscape = now;
  }, true);

  function mount() {
    render();
    document.body.appendChild(host);
  }

  // The UI strings are shared with the chat page (strings.js); until they load, English labels show.
  if (!window.LyktaStrings) {
    const s = document.createElement("script");
    s.src = origin + "/static/strings.js";
    s.addEventListener("load", render);
    document.head.appendChild(s);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
  window.LyktaWidget = Object.freeze({ open, close: hide });
})();
