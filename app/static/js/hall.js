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

  // Words come translated from the page; the script itself holds none.
  function table(name) {
    try { return JSON.parse(root.dataset[name] || "{}"); } catch (e) { return {}; }
  }
  var LABELS = table("labels");
  var STATUSES = table("statuses");
  var sharesCount = root.querySelector('[data-role="shares-count"]');
  var signins = root.querySelector('[data-role="signins"]');

  // The counters of the "进程" card follow the events, not only the first render.
  function update(ev) {
    var p = ev.payload || {};
    if (ev.kind === "share_presented" && sharesCount && p.present != null && p.k != null) {
      sharesCount.textContent = p.present + " / " + p.k;
    }
    if (ev.kind === "signed_in" && signins && p.supplier) {
      var names = signins.textContent === "—" ? [] : signins.textContent.split("、");
      if (names.indexOf(p.supplier) < 0) { names.push(p.supplier); }
      signins.textContent = names.join("、");
    }
  }

  function show(ev, backlog) {
    if (ev.seq <= lastSeq) { return; }
    lastSeq = ev.seq;
    var li = document.createElement("li");
    li.className = "list-item";
    var p = ev.payload || {};
    var status = p.status ? (STATUSES[p.status] || "") : "";
    li.textContent = "#" + ev.seq + " " + (LABELS[ev.kind] || LABELS.unknown || "") + " " +
      [p.supplier, p.who, status, p.text, p.answer].filter(Boolean).join(" · ");
    events.insertBefore(li, events.firstChild);
    if (!backlog) { update(ev); }
    if (!backlog && (ev.kind === "reading" || ev.kind === "published" || ev.kind === "signed")) {
      setTimeout(function () { window.location.reload(); }, 1500);
    }
  }

  // Events already persisted when the page was rendered; the socket replays from there.
  try {
    JSON.parse(root.dataset.events || "[]").forEach(function (ev) { show(ev, true); });
  } catch (e) { /* a malformed list only costs the backlog */ }

  window.TenderHallRoom.connect({
    room: room, csrf: csrf, after: lastSeq,
    onEvent: function (ev) { show(ev); },
    // data-live tells the page (and its tests) that live events are arriving.
    onReady: function (ok) { root.dataset.live = ok ? "1" : ""; }
  });
})();
