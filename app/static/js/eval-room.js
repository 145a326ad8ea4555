// Evaluation room: every command goes to the JSON API; room events over the rooms
// websocket make the page re-render its panels from the server (/evaluations/<id>/live).
(function () {
  "use strict";
  var root = document.getElementById("eval-room");
  if (!root) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var message = root.querySelector('[data-role="message"]');
  var live = document.getElementById("eval-live");
  var conn = document.querySelector('[data-role="conn"]');
  var failed = root.dataset.msgFailed || "操作未成功，请稍后重试。";

  function say(text) { if (message) { message.hidden = !text; message.textContent = text || ""; } }

  function send(url, method, body) {
    return fetch(url, {
      method: method || "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.text().then(function (t) {
        var j = {};
        try { j = t ? JSON.parse(t) : {}; } catch (e) { j = {}; }
        return { ok: r.ok, body: j };
      });
    }, function () { return { ok: false, body: {} }; });
  }

  // A refusal says why in the user's language; anything else gets one plain sentence.
  function reason(body) { return (body && typeof body.message === "string" && body.message) || failed; }

  function typed(el) {
    var v = el.value;
    switch (el.dataset.type) {
      case "int": return v === "" ? null : parseInt(v, 10);
      case "bool": return v === "true";
      case "datetime": return v ? new Date(v).toISOString() : null;
      default: return v;
    }
  }

  function committee(form) {
    var body = { venues: [], purchaser_reps: [] };
    form.querySelectorAll("[data-expert]").forEach(function (row) {
      body.venues.push({ invitation_id: parseInt(row.dataset.expert, 10),
        venue_centre_id: parseInt(row.querySelector('[name="venue"]').value, 10),
        seat: row.querySelector('[name="seat"]').value.trim() });
    });
    form.querySelectorAll("[data-rep]").forEach(function (row) {
      if (!row.querySelector('[name="use"]').checked) { return; }
      body.purchaser_reps.push({ user_id: parseInt(row.dataset.rep, 10),
        venue_centre_id: parseInt(row.querySelector('[name="venue"]').value, 10),
        seat: row.querySelector('[name="seat"]').value.trim() });
    });
    return body;
  }

  function collect(form, submitter) {
    if (form.dataset.kind === "committee") { return committee(form); }
    var body = JSON.parse(form.dataset.extra || "{}");
    var scores = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
      if (el.disabled || ((el.type === "radio" || el.type === "checkbox") && !el.checked)) { return; }
      if (form.dataset.kind === "scores") { if (el.value !== "") { scores[el.name] = el.value; } return; }
      var v = typed(el);
      if (v !== null) { body[el.name] = v; }
    });
    if (form.dataset.kind === "scores") { body = { scores: scores }; }
    if (submitter && submitter.dataset.body) {
      var extra = JSON.parse(submitter.dataset.body);
      Object.keys(extra).forEach(function (k) { body[k] = extra[k]; });
    }
    return body;
  }

  function done(after, form) {
    say("");
    if (form) { form.querySelectorAll("[data-dirty]").forEach(function (el) { delete el.dataset.dirty; }); }
    if (after === "reload" || !live) { window.location.reload(); return; }
    if (after === "clear" && form) { form.reset(); }
    refresh();
  }

  function busy(form, on) { form.querySelectorAll("button").forEach(function (b) { b.disabled = on; }); }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.dataset || !form.dataset.api || !root.contains(form)) { return; }
    ev.preventDefault();
    var submitter = ev.submitter;
    busy(form, true);
    send(form.dataset.api, form.dataset.method, collect(form, submitter)).then(function (res) {
      if (res.ok && submitter && submitter.dataset.thenSubmit) { return send(form.dataset.submit, "POST", {}); }
      return res;
    }).then(function (res) {
      busy(form, false);
      if (!res.ok) { say(reason(res.body)); return; }
      done(form.dataset.after, form);
    });
  });

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-api]") : null;
    if (!btn || !root.contains(btn)) { return; }
    ev.preventDefault();
    btn.disabled = true;
    send(btn.dataset.api, btn.dataset.method, JSON.parse(btn.dataset.body || "{}")).then(function (res) {
      btn.disabled = false;
      if (!res.ok) { say(reason(res.body)); return; }
      done(btn.dataset.after);
    });
  });

  document.addEventListener("input", function (ev) { if (ev.target.dataset) { ev.target.dataset.dirty = "1"; } });
  document.addEventListener("change", function (ev) { if (ev.target.dataset) { ev.target.dataset.dirty = "1"; } });

  if (!live) { return; }

  // ---- re-rendering: what the user is typing survives a re-render
  function key(el) {
    var form = el.closest("form");
    return (form ? (form.dataset.api || "") : "") + "|" + el.name + "|" + (el.type === "radio" ? el.value : "");
  }

  function swap(html) {
    var kept = {};
    live.querySelectorAll("[data-dirty]").forEach(function (el) {
      kept[key(el)] = (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value;
    });
    var open = {};
    live.querySelectorAll("details[open] > summary").forEach(function (s) { open[s.textContent] = true; });
    var focused = document.activeElement && live.contains(document.activeElement) && document.activeElement.name
      ? key(document.activeElement) : null;
    live.innerHTML = html;
    live.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
      var k = key(el);
      if (Object.prototype.hasOwnProperty.call(kept, k)) {
        if (el.type === "radio" || el.type === "checkbox") { el.checked = kept[k]; } else { el.value = kept[k]; }
        el.dataset.dirty = "1";
      }
      if (focused && k === focused) { el.focus(); }
    });
    live.querySelectorAll("details > summary").forEach(function (s) { if (open[s.textContent]) { s.parentNode.open = true; } });
  }

  // A re-render that fails (a dropped connection, a busy server) is tried again a little
  // later: the event that asked for it may be the room's last for a while, and a clerk
  // must not be left looking at a stale panel.
  var refreshing = false, again = false, timer = null, failures = 0;
  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(root.dataset.live, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; }, function () { return null; })
      .then(function (html) {
        refreshing = false;
        if (html !== null) { failures = 0; swap(html); } else if (failures < 8) {
          failures += 1; again = false; clearTimeout(timer); timer = setTimeout(refresh, 500 * failures); return;
        }
        if (again) { again = false; refresh(); }
      });
  }
  function soon() { clearTimeout(timer); timer = setTimeout(refresh, 120); }

  // ---- the room: token, last seq seen, replay, then live
  var start = parseInt(root.dataset.seq || "0", 10);
  var room = { socket: null, start: start, lastSeq: start, seen: [], ready: false };
  window.__evalRoom = room;
  var socket = window.TenderHallRoom.connect({
    room: root.dataset.room, csrf: csrf, after: start,
    onEvent: function (ev) {
      room.lastSeq = ev.seq; room.seen.push(ev.seq); soon();
      // Other scripts of the page (the venues' video) react to the same events.
      document.dispatchEvent(new CustomEvent("tenderhall:eval-event", { detail: ev }));
    },
    onReady: function (ok) { room.ready = ok; room.socket = socket ? socket.socket : null; if (conn) { conn.hidden = ok; } },
    onGone: function () { say(root.dataset.msgGone || ""); }
  });
})();
