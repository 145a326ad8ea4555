// The auction room of the services market: live best price, counts, close time and the
// bidder's own rank. Room events carry no names; after each one the page asks the API for
// what this user may see. The countdown runs on the server's clock (offset measured).
(function () {
  "use strict";
  var root = document.getElementById("auction");
  if (!root) { return; }
  var needId = root.dataset.need;
  var labels = JSON.parse(root.dataset.labels);
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var offset = 0;
  var closesAt = null;
  var phase = null;
  function q(id) { return root.querySelector('[data-testid="' + id + '"]'); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // "58000.00" → "58,000.00": the exact decimal string, only grouped.
  function amount(text) {
    if (!text) { return ""; }
    var parts = String(text).split(".");
    return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (parts.length > 1 ? "." + parts[1] : "");
  }
  function cst(iso) {
    var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }
  function show(s) {
    offset = new Date(s.server_now).getTime() - Date.now();
    closesAt = s.closes_at ? new Date(s.closes_at).getTime() : null;
    phase = s.phase;
    q("auction-phase").textContent = labels[s.phase];
    q("auction-best").textContent = s.best ? amount(s.best) : labels.none;
    q("auction-best").dataset.amount = s.best || "";
    q("auction-close").textContent = s.closes_at ? cst(s.closes_at) : "—";
    q("auction-counts").textContent = s.bids + " / " + s.bidders;
    root.querySelector('[data-role="extensions"]').textContent = s.extensions;
    if (q("my-best")) { q("my-best").textContent = s.my_best ? amount(s.my_best) : "—"; q("my-rank").textContent = s.my_rank || "—"; }
    root.dataset.best = s.best || "";
    var form = document.getElementById("bid-form");
    if (form) { form.hidden = s.phase === "closed"; }
    root.dataset.extensions = s.extensions;
    tick();
  }
  function refresh() {
    return fetch("/api/v1/market/needs/" + needId + "/auction", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); }).then(show);
  }
  function tick() {
    var el = q("auction-left");
    if (!closesAt || phase === "closed") { el.textContent = ""; return; }
    var left = Math.max(0, Math.floor((closesAt - (Date.now() + offset)) / 1000));
    el.textContent = " " + labels.left + " " + Math.floor(left / 60) + ":" + pad(left % 60);
    if (left === 0) { setTimeout(refresh, 1500); }
  }
  setInterval(tick, 1000);
  var form = document.getElementById("bid-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var msg = q("bid-message");
      fetch("/api/v1/market/needs/" + needId + "/bids", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ price: form.price.value.trim() })
      }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (res.ok) { msg.textContent = labels.accepted; form.price.value = ""; show(res.body); }
          else { msg.textContent = labels.failed + ": " + (res.body.message || ""); }
        });
    });
  }
  refresh();
  if (window.TenderHallRoom) {
    window.TenderHallRoom.connect({
      room: root.dataset.room, csrf: csrf, after: 0,
      onEvent: function () { refresh(); },
      onReady: function (ok) { root.dataset.live = ok ? "1" : "0"; }
    });
  }
})();
