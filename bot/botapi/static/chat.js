// The plain web chat page: opens a session on the local Bot API server, sends text and button presses,
// and long-polls for what the bot sends. Message HTML comes escaped from the server (render_html).
"use strict";
(() => {
  const KEY = "lykta.session";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  let session = JSON.parse(localStorage.getItem(KEY) || "null");
  let after = 0;
  const items = new Map();

  async function api(path, body) {
    const res = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: Object.assign({ "Content-Type": "application/json" },
        session ? { Authorization: "Bearer " + session.token } : {}),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401) { localStorage.removeItem(KEY); session = null; throw new Error("session"); }
    return res;
  }

  async function ensureSession() {
    if (session) return;
    const res = await api("/api/session", { lang: (navigator.language || "en").slice(0, 2) });
    session = await res.json();
    localStorage.setItem(KEY, JSON.stringify(session));
    await api("/api/send", { text: "/start" });
  }

  function draw(event) {
    if (event.type === "delete") { const li = items.get(event.message_id); if (li) li.remove(); return; }
    if (event.type === "callback_answer") { if (event.text) status.textContent = event.text; return; }
    if (!event.message) return;
    const m = event.message;
    let li = items.get(m.message_id);
    if (!li) { li = document.createElement("li"); items.set(m.message_id, li); log.appendChild(li); }
    li.className = m.outgoing ? "mine" : "bot";
    li.innerHTML = m.html;  // escaped by the server; only Telegram's formatting tags remain
    if (m.buttons && m.buttons.length) {
      const box = document.createElement("div");
      box.className = "buttons";
      for (const row of m.buttons) for (const b of row) {
        if (b.url) { const a = document.createElement("a"); a.href = b.url; a.textContent = b.text;
          a.rel = "noopener noreferrer"; a.target = "_blank"; box.appendChild(a); continue; }
        const btn = document.createElement("button");
        btn.type = "button"; btn.textContent = b.text;
        btn.addEventListener("click", () => api("/api/press", { message_id: m.message_id, data: b.data }));
        box.appendChild(btn);
      }
      li.appendChild(box);
    }
    li.scrollIntoView({ block: "end" });
  }

  async function poll() {
    for (;;) {
      try {
        await ensureSession();
        const res = await api("/api/events?after=" + after + "&timeout=25");
        const data = await res.json();
        for (const e of data.events || []) { after = Math.max(after, e.seq); draw(e); }
        status.textContent = "";
      } catch (err) {
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    await ensureSession();
    const res = await api("/api/send", { text });
    if (res.ok) input.value = "";
    else if (res.status === 413) status.textContent = "The message is too long.";
    else if (res.status === 429) status.textContent = "Please wait a moment before sending again.";
  });
  input.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });
  document.getElementById("forget").addEventListener("click", async () => {
    if (session) { try { await api("/api/send", { text: "/forget" }); await api("/api/end", {}); } catch (_) {} }
    localStorage.removeItem(KEY); session = null; after = 0; items.clear(); log.replaceChildren();
  });
  poll();
})();
