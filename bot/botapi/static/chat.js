// The web chat page (at / of the bot's web server, alone or inside widget.js's iframe).
//
// It opens a session on the local Bot API server, sends text and button presses, and long-polls for
// what the bot sends (docs/webchat-api.md). Message HTML comes escaped from the server (render_html);
// nothing else is ever inserted as HTML. localStorage holds only the session: token, chat id, the
// chat's language and the ids of the commands the page sent by itself; never message text.
"use strict";
(() => {
  const KEY = "lykta.session";
  const DEFAULT_EXIT = "https://en.wikipedia.org/wiki/Weather";
  const RTL = new Set(["ar", "fa", "he", "ur", "ps", "ku"]);
  const STRINGS = window.LyktaStrings || { en: {} };
  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const form = $("composer");
  const input = $("text");
  const status = $("status");
  const alertBox = $("alert");
  const typing = $("typing");
  const ended = $("ended");
  const dialog = $("confirm");
  const embedded = window.parent !== window;

  const params = new URLSearchParams(location.search);
  const cleanLang = (v) => (/^[a-z]{2,3}$/.test(String(v || "").toLowerCase()) ? String(v).toLowerCase() : null);
  const cleanCountry = (v) => (/^[A-Z]{2}(-[A-Z]{2,3})?$/.test(String(v || "").toUpperCase())
    ? String(v).toUpperCase() : null);
  const hintLang = cleanLang(params.get("lang"));
  const hintCountry = cleanCountry(params.get("country"));
  const browserLang = cleanLang((navigator.language || "en").split("-")[0]) || "en";

  let session = load();
  let lang = (session && session.lang) || hintLang || browserLang;
  let exitUrl = DEFAULT_EXIT;
  let after = 0;
  let generation = 0;  // bumped when a session ends: an old poll loop then stops
  let poller = null;   // AbortController of the running long poll
  let focusNext = 0;   // after a press, focus the first button of the bot's next message (until this time)
  let typingTimer = 0;
  let exiting = false;
  const items = new Map();   // message_id -> <li>
  const waiters = [];        // {test, resolve} for events the forget flow waits for

  function load() {
    try {
      const s = JSON.parse(localStorage.getItem(KEY) || "null");
      return s && typeof s.token === "string" ? s : null;
    } catch (_) { return null; }
  }
  function save() {
    try { if (session) localStorage.setItem(KEY, JSON.stringify(session)); } catch (_) { /* private mode */ }
  }
  function wipe() {
    try { localStorage.removeItem(KEY); } catch (_) { /* nothing stored */ }
    session = null;
  }

  // --- language -----------------------------------------------------------------------------------------
  function t(key) {
    const base = (lang || "en").split("-")[0];
    const table = STRINGS[base] || {};
    return table[key] !== undefined ? table[key] : (STRINGS.en[key] !== undefined ? STRINGS.en[key] : key);
  }

  function applyLang(code) {
    lang = cleanLang(code) || "en";
    const root = document.documentElement;
    root.lang = lang;
    root.dir = RTL.has(lang) ? "rtl" : "ltr";
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
    for (const el of document.querySelectorAll("[data-t-label]")) el.setAttribute("aria-label", t(el.dataset.tLabel));
    for (const el of document.querySelectorAll("[data-t-placeholder]")) el.placeholder = t(el.dataset.tPlaceholder);
    document.title = t("title");
    for (const span of log.querySelectorAll(".who")) span.textContent = t(span.dataset.who) + ": ";
    if (session) { session.lang = lang; save(); }
    if (embedded) window.parent.postMessage({ type: "lykta:lang", lang }, "*");
  }

  // --- server -------------------------------------------------------------------------------------------
  class SessionGone extends Error {}

  async function api(method, path, body, signal) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (session) headers.Authorization = "Bearer " + session.token;
    const res = await fetch(path, {
      method, headers, signal, cache: "no-store", credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401 && path !== "/api/session") {
      endLocally("ended");
      throw new SessionGone();
    }
    return res;
  }

  async function loadConfig() {
    try {
      const res = await fetch("/api/config", { cache: "no-store", credentials: "omit" });
      const cfg = await res.json();
      if (/^https?:\/\//i.test(cfg.quick_exit_url || "")) exitUrl = cfg.quick_exit_url;
    } catch (_) { /* keep the default */ }
    if (embedded) window.parent.postMessage({ type: "lykta:config", quickExitUrl: exitUrl }, "*");
  }

  async function startSession() {
    setStatus("");
    let res;
    try {
      res = await api("POST", "/api/session", { lang: hintLang || browserLang });
    } catch (_) { setStatus(t("offline"), true); return false; }
    if (!res.ok) { setStatus(t("unavailable"), true); return false; }
    const data = await res.json();
    session = { token: data.token, chat_id: data.chat_id, lang, hidden: [] };
    save();
    // A deep link tells the bot the language and country the partner page chose (handlers/onboarding.py).
    const preset = [hintLang, hintCountry].filter(Boolean).join("_");
    await sendCommand(preset ? "/start " + preset : "/start");
    return true;
  }

  // Commands the page sends by itself (/start, /forget) are not drawn as the user's messages.
  async function sendCommand(text) {
    const res = await api("POST", "/api/send", { text });
    if (!res.ok) throw new Error("send " + res.status);
    const { message_id: id } = await res.json();
    if (session) { session.hidden.push(id); session.hidden = session.hidden.slice(-50); save(); }
    return id;
  }

  // --- drawing ------------------------------------------------------------------------------------------
  function setStatus(text, error) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(error));
  }

  function safeUrl(url) {
    try {
      const u = new URL(url, location.href);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (_) { return null; }
  }

  // Draw a message, or redraw an edited one in place: unchanged parts stay untouched, so a screen reader
  // does not read a long message again when only its buttons went away.
  function fillMessage(li, m) {
    li.className = m.outgoing ? "msg mine" : "msg bot";
    const hadFocus = li.contains(document.activeElement);
    let body = li.querySelector(".text");
    if (!body) {
      const who = document.createElement("span");
      who.className = "visually-hidden who";
      who.dataset.who = m.outgoing ? "you" : "bot";
      who.textContent = t(who.dataset.who) + ": ";
      body = document.createElement("div");
      body.className = "text";
      body.dir = "auto";
      li.append(who, body);
    }
    if (body.lyktaHtml !== m.html) {
      body.lyktaHtml = m.html;
      body.innerHTML = m.html;  // escaped by the server; only Telegram's formatting tags and http(s) links remain
      for (const a of body.querySelectorAll("a")) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
    }
    let doc = li.querySelector(".doc");
    if (m.document && !doc) {
      doc = document.createElement("p");
      doc.className = "doc";
      body.after(doc);
    }
    if (doc && !m.document) doc.remove();
    else if (doc) doc.textContent = "📎 " + t("attachment") + ": " + m.document;
    const old = li.querySelector(".buttons");
    const focusedAt = old ? [...old.children].indexOf(document.activeElement) : -1;
    if (old) old.remove();
    const rows = (m.buttons || []).filter((row) => row && row.length);
    if (rows.length) {
      const box = document.createElement("div");
      box.className = "buttons";
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", body.textContent.slice(0, 80));
      for (const row of rows) {
        for (const b of row) {
          const href = b.url ? safeUrl(b.url) : null;
          if (href) {
            const a = document.createElement("a");
            a.className = "choice link";
            a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
            a.textContent = b.text;
            box.appendChild(a);
          } else if (b.data) {
            const btn = document.createElement("button");
            btn.type = "button";
            btn.className = "choice";
            btn.textContent = b.text;
            btn.addEventListener("click", () => press(m.message_id, b.data, btn));
            box.appendChild(btn);
          }
        }
      }
      li.appendChild(box);
      if (focusedAt >= 0 && box.children[focusedAt]) box.children[focusedAt].focus();  // same keyboard, redrawn
    }
    if (hadFocus && !li.contains(document.activeElement)) input.focus();
    return rows.length > 0;
  }

  function draw(event, live) {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].test(event)) { waiters[i].resolve(event); waiters.splice(i, 1); }
    }
    if (event.type === "delete") {
      const li = items.get(event.message_id);
      if (li) {
        const hadFocus = li.contains(document.activeElement);
        li.remove(); items.delete(event.message_id);
        if (hadFocus) input.focus();
      }
      return;
    }
    if (event.type === "callback_answer") {
      if (event.text && event.show_alert) alertBox.textContent = event.text;
      else if (event.text) setStatus(event.text);
      return;
    }
    if (event.type === "action") {
      if (live && event.action === "typing") {
        typing.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typing.hidden = true; }, 5000);
      }
      return;
    }
    const m = event.message;
    if (!m) return;
    if (event.type === "own_message" && session && session.hidden.includes(m.message_id)) return;
    if (!m.outgoing) { typing.hidden = true; clearTimeout(typingTimer); }
    let li = items.get(m.message_id);
    const fresh = !li;
    if (fresh) {
      if (event.type === "edit") return;  // an edit of something we never drew (e.g. a hidden command)
      li = document.createElement("li");
      items.set(m.message_id, li);
      log.appendChild(li);
    }
    const hasButtons = fillMessage(li, m);
    if (fresh && live && !m.outgoing && hasButtons && Date.now() < focusNext) {
      focusNext = 0;
      const first = li.querySelector(".buttons button, .buttons a");
      if (first) first.focus({ preventScroll: true });
    }
    if (fresh && live && !m.outgoing && li.offsetHeight > log.clientHeight) {
      log.scrollTop = li.offsetTop - 8;  // a long answer: show its beginning
    } else if (fresh) {
      log.scrollTop = log.scrollHeight;
    }
  }

  function waitFor(test, ms) {
    return new Promise((resolve, reject) => {
      const w = { test, resolve };
      waiters.push(w);
      setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) { waiters.splice(i, 1); reject(new Error("timeout")); }
      }, ms);
    });
  }

  // --- the conversation loop ----------------------------------------------------------------------------
  async function poll(gen) {
    let first = true;
    while (gen === generation && session) {
      poller = new AbortController();
      try {
        const res = await api("GET", "/api/events?after=" + after + "&timeout=" + (first ? 0 : 25),
          undefined, poller.signal);
        if (gen !== generation) return;
        if (!res.ok) throw new Error("events " + res.status);
        const data = await res.json();
        for (const e of data.events || []) { after = Math.max(after, e.seq); draw(e, !first); }
        if (first) {
          first = false;
          log.setAttribute("aria-live", "polite");  // the history is not read out again; new messages are
          log.scrollTop = log.scrollHeight;
        }
        if (status.textContent === t("offline")) setStatus("");
      } catch (err) {
        if (err instanceof SessionGone || gen !== generation) return;
        if (err && err.name === "AbortError") return;
        setStatus(t("offline"), true);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  async function begin() {
    ended.hidden = true;
    form.hidden = false;
    log.hidden = false;
    $("forget").hidden = false;
    if (!session && !(await startSession())) return;
    generation += 1;
    after = 0;
    poll(generation);
  }

  function stopPolling() {
    generation += 1;
    if (poller) poller.abort();
  }

  // The session is over (forgotten, or unknown to the server): clear the screen, offer a new one.
  function endLocally(reason) {
    stopPolling();
    wipe();
    items.clear();
    log.replaceChildren();
    log.setAttribute("aria-live", "off");
    typing.hidden = true;
    input.value = "";
    form.hidden = true;
    log.hidden = true;
    $("forget").hidden = true;
    $("ended-text").textContent = t(reason);
    ended.hidden = false;
    $("ended-text").focus();
  }

  // --- user actions -------------------------------------------------------------------------------------
  async function press(messageId, data, btn) {
    if (!session || btn.getAttribute("aria-disabled") === "true") return;
    btn.setAttribute("aria-disabled", "true");
    focusNext = Date.now() + 15000;
    setStatus("");
    try {
      const res = await api("POST", "/api/press", { message_id: messageId, data });
      if (res.ok && /^lang:[a-z]{2,3}$/.test(data)) applyLang(data.slice(5));  // the user chose the chat's language
      if (res.status === 429) setStatus(t("rateLimited"), true);
    } catch (_) {
      /* offline: the poll loop says so */
    } finally {
      btn.removeAttribute("aria-disabled");
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || !session) return;
    setStatus("");
    try {
      const res = await api("POST", "/api/send", { text });
      if (res.ok) input.value = "";
      else if (res.status === 413) setStatus(t("tooLong"), true);
      else if (res.status === 429) setStatus(t("rateLimited"), true);
    } catch (_) { /* the poll loop reports a lost connection */ }
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });

  // "Forget this conversation": confirm here, then /forget and the bot's own "yes" (the same erasure a
  // Telegram user gets), then end the session on the server and wipe the token.
  $("forget").addEventListener("click", () => {
    if (!session) return;
    dialog.returnValue = "";  // Esc closes the dialog without setting it
    dialog.showModal();
    $("confirm-cancel").focus();  // the safe choice first
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "yes" || !session) { $("forget").focus(); return; }
    setStatus(t("forgetting"));
    try {
      const asked = waitFor((e) => e.type === "message" && hasButton(e.message, "fg:yes"), 20000);
      await sendCommand("/forget");
      const question = await asked;
      const done = waitFor((e) => e.type === "message" && !e.message.outgoing
        && e.message.message_id > question.message.message_id, 20000);
      const res = await api("POST", "/api/press", { message_id: question.message.message_id, data: "fg:yes" });
      if (!res.ok) throw new Error("press " + res.status);
      await done;
      stopPolling();
      await api("POST", "/api/end", {});
      setStatus("");
      endLocally("forgotten");
    } catch (err) {
      if (err instanceof SessionGone) return;
      setStatus(t("forgetFailed"), true);
      if (session && !poller.signal.aborted) return;
      if (session) { generation += 1; poll(generation); }  // /api/end failed after the poll was stopped
    }
  });
  function hasButton(m, data) {
    return (m.buttons || []).some((row) => row.some((b) => b.data === data));
  }

  $("restart").addEventListener("click", () => { begin(); });

  // Quick exit: at once, and without waiting for the network. The page is replaced (location.replace, so
  // Back does not return to it), the chat is cleared from the screen and the token from localStorage.
  function quickExit() {
    if (exiting) return;
    exiting = true;
    const token = session && session.token;
    wipe();
    try { sessionStorage.clear(); } catch (_) { /* nothing stored */ }
    stopPolling();
    document.body.replaceChildren();
    document.title = "";
    if (token) {
      fetch("/api/end", { method: "POST", keepalive: true, credentials: "omit", body: "{}",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + token } }).catch(() => {});
    }
    if (embedded) {
      window.parent.postMessage({ type: "lykta:quick-exit", url: exitUrl }, "*");  // widget.js replaces its page
      try { window.top.location.replace(exitUrl); } catch (_) { /* cross-origin without a click: the widget does it */ }
    }
    location.replace(exitUrl);
  }
  $("exit").addEventListener("click", quickExit);
  let lastEscape = 0;
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    const now = Date.now();
    if (now - lastEscape < 1500) { e.preventDefault(); quickExit(); }
    lastEscape = now;
  }, true);

  // widget.js asks the chat to take the focus when its panel opens.
  window.addEventListener("message", (e) => {
    if (embedded && e.source === window.parent && e.data && e.data.type === "lykta:focus") {
      const target = form.hidden ? $("restart") : input;
      target.focus();
    }
  });

  if (embedded) document.documentElement.classList.add("embedded");
  applyLang(lang);
  loadConfig();
  begin();
})();
