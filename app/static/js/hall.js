// Opening hall: commands through the JSON API; live events over the rooms websocket.
(function () {
  "use strict";
  var root = document.getElementById("hall");
  if (!root) { return; }
  var lot = root.dataset.lot;
  var room = root.dataset.room;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var events = root.querySelector('[data-role="events"]');
  var message = root.querySelector('[data-role="message"]');
  var lastSeq = 0;

  function say(text) { message.hidden = !text; message.textContent = text || ""; }

  function post(path, body) {
    return fetch("/api/v1/lots/" + lot + "/hall/" + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        if (!res.ok) { say(res.body.message); return; }
        say("");
        if (path === "decrypt" && res.body.status === "decrypting") { return post("decrypt", { max_bids: 5 }); }
        window.location.reload();
      });
  }

  root.querySelectorAll("[data-command]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      post(btn.dataset.command, btn.dataset.command === "decrypt" ? { max_bids: 5 } : {});
    });
  });
  root.querySelectorAll("form[data-form]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = {};
      new FormData(form).forEach(function (v, k) { body[k] = v; });
      post(form.dataset.form, body);
    });
  });

  var LABELS = { frozen: "投标截止，哈希清单已冻结", signed_in: "签到", share_presented: "出示密钥分片",
    decrypting: "开始解密", bid_opened: "投标文件解密", reading: "唱标", confirmed: "确认报价",
    objection: "现场异议", answer: "异议答复", signed: "开标记录已签署", published: "开标记录已发布" };

  function show(ev, backlog) {
    if (ev.seq <= lastSeq) { return; }
    lastSeq = ev.seq;
    var li = document.createElement("li");
    li.className = "list-item";
    var p = ev.payload || {};
    li.textContent = "#" + ev.seq + " " + (LABELS[ev.kind] || ev.kind) + " " +
      [p.supplier, p.who, p.status, p.text, p.answer].filter(Boolean).join(" · ");
    events.insertBefore(li, events.firstChild);
    if (!backlog && (ev.kind === "reading" || ev.kind === "published" || ev.kind === "signed")) {
      setTimeout(function () { window.location.reload(); }, 1500);
    }
  }

  // Events already persisted when the page was rendered; the socket replays from there.
  try {
    JSON.parse(root.dataset.events || "[]").forEach(function (ev) { show(ev, true); });
  } catch (e) { /* a malformed list only costs the backlog */ }

  window.TenderHallRoom.connect({ room: room, csrf: csrf, after: lastSeq, onEvent: function (ev) { show(ev); } });
})();
