// A live room: fetch a short-lived token, open the rooms websocket from the last sequence
// seen, replay, then stream. Reconnects with back-off; every event is delivered once, in
// order. Used by the opening hall and the evaluation room.
(function () {
  "use strict";
  function connect(opts) {
    // opts: room, csrf, after (last seq already shown), onEvent(ev), onReady(ok), onGone()
    var state = { socket: null, lastSeq: opts.after || 0, ready: false };
    // Back-off: a step from 0.5 s doubling to 5 s, waiting a random point in its upper
    // half, so that the pages a rooms restart dropped together do not all come back in
    // the same instant (bench/reconnect_storm.py mirrors this in its clients).
    var delay = 500;
    function ready(ok) { state.ready = ok; if (opts.onReady) { opts.onReady(ok); } }
    function retry() {
      ready(false);
      setTimeout(open, delay / 2 + Math.random() * delay / 2);
      delay = Math.min(delay * 2, 5000);
    }
    function open() {
      fetch("/api/v1/rooms/token", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": opts.csrf, "Accept": "application/json" },
        body: JSON.stringify({ room: opts.room })
      }).then(function (r) { return r.json(); }).then(function (t) {
        if (!t.token) { throw new Error("no token"); }
        var ws = new WebSocket(t.url);
        state.socket = ws;
        // lang: the language of the page, for the server's refusal reasons
        var lang = document.documentElement.lang === "en" ? "en" : "zh_CN";
        ws.onopen = function () { ws.send(JSON.stringify({ token: t.token, room: opts.room, after: state.lastSeq, lang: lang })); };
        ws.onmessage = function (m) {
          var data;
          try { data = JSON.parse(m.data); } catch (e) { return; }
          (Array.isArray(data) ? data : (data.events || [data])).forEach(function (ev) {
            if (ev.type === "ready") { delay = 500; ready(true); return; }
            if (ev.type !== "event" || ev.seq <= state.lastSeq) { return; }
            state.lastSeq = ev.seq;
            opts.onEvent(ev);
          });
        };
        ws.onclose = function (e) {
          if (state.socket !== ws) { return; }
          if (e.code === 4403) { ready(false); if (opts.onGone) { opts.onGone(); } return; }
          retry();
        };
      }).catch(retry);
    }
    open();
    return state;
  }
  window.TenderHallRoom = { connect: connect };
})();
