// Venue video over WebRTC. A venue's terminal streams its camera to the host and the
// supervisors (each viewer one peer connection) and records it (MediaRecorder, webm),
// uploading the recording in hashed chunks. The platform carries only the signalling:
// each signal is POSTed to the API, which delivers it to the addressee's own inbox room.
// The wall says "hello" to each venue's terminal; the terminal offers; the wall answers.
(function () {
  "use strict";
  var root = document.getElementById("venue-video");
  if (!root || !window.RTCPeerConnection) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var sid = root.dataset.session;
  var api = "/api/v1/evaluations/" + sid;
  var ice = [];
  try { ice = JSON.parse(root.dataset.ice || "[]"); } catch (e) { ice = []; }
  var d = root.dataset;
  var msgBox = root.querySelector('[data-role="video-message"]');
  var peers = {}; // the other end's user id -> RTCPeerConnection
  var state = { role: d.role, peers: peers, recordings: [], ready: false };
  window.__venueVideo = state;

  function say(text) { if (msgBox) { msgBox.hidden = !text; msgBox.textContent = text || ""; } }

  function call(url, method, body, raw) {
    var headers = { "X-CSRFToken": csrf, "Accept": "application/json" };
    if (!raw) { headers["Content-Type"] = "application/json"; }
    var init = { method: method, credentials: "same-origin", headers: headers };
    if (method !== "GET") { init.body = raw ? body : JSON.stringify(body || {}); }
    return fetch(url, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, status: r.status, body: j }; });
    });
  }

  // Signals leave one at a time, in order (an answer never overtakes its offer).
  var outbox = Promise.resolve();
  function signal(to, kind, data) {
    outbox = outbox.then(function () {
      return call(api + "/video/signals", "POST", { to: to, kind: kind, data: data || {} }).then(function (r) {
        if (!r.ok && r.body && r.body.message) { say(r.body.message); }
        return r;
      }, function () { return { ok: false }; });
    });
    return outbox;
  }

  function newPeer(other) {
    if (peers[other]) { peers[other].close(); }
    var pc = new RTCPeerConnection({ iceServers: ice });
    peers[other] = pc;
    return pc;
  }

  // The description is sent once its candidates are gathered (or after 3 s, with those
  // found by then): one signal each way instead of one per candidate.
  function gathered(pc) {
    return new Promise(function (done) {
      if (pc.iceGatheringState === "complete") { done(); return; }
      var timer = setTimeout(done, 3000);
      pc.addEventListener("icegatheringstatechange", function () {
        if (pc.iceGatheringState === "complete") { clearTimeout(timer); done(); }
      });
    });
  }

  function tileState(tile, text, live) {
    var badge = tile && tile.querySelector('[data-role="tile-state"]');
    if (!badge) { return; }
    badge.textContent = text;
    badge.className = "badge " + (live ? "badge-green" : "badge-amber");
  }

  // ---------------------------------------------------------------- the wall
  function wall(onSignal) {
    var tiles = {};
    root.querySelectorAll("[data-video-venue]").forEach(function (t) { tiles[t.dataset.videoVenue] = t; });

    function hello(tile) {
      var user = parseInt(tile.dataset.user || "0", 10);
      if (!user) { return; }
      tileState(tile, d.msgWaiting, false);
      signal(user, "hello", {});
    }

    // force: the centre whose terminal (re)started, whose old connection is stale anyway.
    function refresh(force) {
      call(api + "/video", "GET").then(function (r) {
        if (!r.ok) { return; }
        r.body.venues.forEach(function (v) {
          var tile = tiles[v.centre_id];
          if (!tile || !v.user_id) { return; }
          var before = tile.dataset.user;
          var pc = peers[v.user_id];
          var healthy = pc && (pc.connectionState === "connected" || pc.connectionState === "connecting" || pc.connectionState === "new");
          tile.dataset.user = v.user_id;
          if (String(before) !== String(v.user_id) || !healthy || String(force) === String(v.centre_id)) { hello(tile); }
        });
      });
    }

    onSignal(function (ev) {
      var p = ev.payload, from = p.from, tile = tiles[p.centre_id];
      if (!tile) { return; }
      if (p.kind === "offer") {
        tile.dataset.user = from;
        var pc = newPeer(from);
        pc.ontrack = function (e) {
          var video = tile.querySelector("video");
          if (video.srcObject !== e.streams[0]) { video.srcObject = e.streams[0]; video.play().catch(function () {}); }
        };
        pc.onconnectionstatechange = function () {
          if (peers[from] !== pc) { return; }
          if (pc.connectionState === "connected") { tileState(tile, d.msgLive, true); }
          if (pc.connectionState === "failed" || pc.connectionState === "disconnected") {
            tileState(tile, d.msgLost, false);
            setTimeout(function () {
              if (peers[from] === pc && pc.connectionState !== "connected") { hello(tile); }
            }, 3000);
          }
        };
        pc.setRemoteDescription(p.data).then(function () { return pc.createAnswer(); })
          .then(function (answer) { return pc.setLocalDescription(answer); })
          .then(function () { return gathered(pc); })
          .then(function () { signal(from, "answer", { type: "answer", sdp: pc.localDescription.sdp }); })
          .catch(function () { tileState(tile, d.msgLost, false); });
      } else if (p.kind === "ice" && peers[from]) {
        peers[from].addIceCandidate(p.data).catch(function () {});
      } else if (p.kind === "bye" && peers[from]) {
        peers[from].close(); delete peers[from]; tileState(tile, d.msgWaiting, false);
      }
    });
    document.addEventListener("tenderhall:eval-event", function (e) {
      var kind = e.detail && e.detail.kind;
      if (kind === "venue.video_online") { refresh(e.detail.payload.centre_id); }
      if (kind === "venue.reconnected") { refresh(); }
    });
    Object.keys(tiles).forEach(function (k) { hello(tiles[k]); });
    window.addEventListener("pagehide", function () {
      Object.keys(peers).forEach(function (u) { signal(parseInt(u, 10), "bye", {}); });
    });
  }

  // ---------------------------------------------------------------- the terminal
  function terminal(onSignal) {
    var tile = root.querySelector("[data-video-venue]");
    var video = tile.querySelector("video");
    var stream = null;
    var waiting = []; // hellos that came before the camera was on
    var buttons = {
      camera: root.querySelector('[data-action="camera"]'),
      save: root.querySelector('[data-action="save"]'),
      record: root.querySelector('[data-action="record"]')
    };
    var status = root.querySelector('[data-role="rec-status"]');

    function offer(viewer) {
      if (!stream) { waiting.push(viewer); return; }
      var pc = newPeer(viewer);
      stream.getTracks().forEach(function (t) { pc.addTrack(t, stream); });
      pc.onconnectionstatechange = function () {
        if (pc.connectionState === "failed" && peers[viewer] === pc) { pc.close(); delete peers[viewer]; }
      };
      pc.createOffer().then(function (o) { return pc.setLocalDescription(o); })
        .then(function () { return gathered(pc); })
        .then(function () { if (peers[viewer] === pc) { signal(viewer, "offer", { type: "offer", sdp: pc.localDescription.sdp }); } });
    }

    onSignal(function (ev) {
      var p = ev.payload, from = p.from;
      if (p.kind === "hello") { offer(from); }
      else if (p.kind === "answer" && peers[from]) { peers[from].setRemoteDescription(p.data).catch(function () {}); }
      else if (p.kind === "ice" && peers[from]) { peers[from].addIceCandidate(p.data).catch(function () {}); }
      else if (p.kind === "bye" && peers[from]) { peers[from].close(); delete peers[from]; }
    });

    // ---- recording: chunks hashed and sent in order, resumable at the server's offset
    var rec = null;
    function hex(buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    }
    function sha256(blob) {
      return blob.arrayBuffer().then(function (b) { return crypto.subtle.digest("SHA-256", b); }).then(hex);
    }
    function size(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : (n / 1024).toFixed(1) + " KB"; }
    function pump() {
      if (!rec || rec.busy || !rec.id || rec.closed) { return; }
      var whole = new Blob(rec.parts);
      if (rec.offset >= whole.size) { if (rec.finishing) { finish(); } return; }
      rec.busy = true;
      var piece = whole.slice(rec.offset, Math.min(whole.size, rec.offset + 4 * 1048576));
      sha256(piece).then(function (h) {
        return call("/api/v1/recordings/" + rec.id + "/chunks?offset=" + rec.offset + "&sha256=" + h, "PUT", piece, true);
      }).then(function (r) {
        rec.busy = false;
        if (r.ok) { rec.offset = r.body.received; status.textContent = d.msgRecording.replace("{n}", size(rec.offset)); pump(); return; }
        if (r.status === 409 && r.body.details && r.body.details.expected_offset !== undefined) {
          rec.offset = parseInt(r.body.details.expected_offset, 10); pump(); return; // resume there
        }
        // Closed by the platform (silent past the idle time, what arrived kept as
        // interrupted): say so rather than retry for ever.
        if (r.status === 409) {
          var gone = rec; rec = null; gone.closed = true;
          if (gone.recorder.state !== "inactive") { gone.recorder.stop(); }
          buttons.save.hidden = true; buttons.record.hidden = false;
          status.textContent = (r.body && r.body.message) || d.msgUploadFailed; return;
        }
        status.textContent = d.msgUploadFailed; setTimeout(pump, 3000);
      }, function () { rec.busy = false; status.textContent = d.msgUploadFailed; setTimeout(pump, 3000); });
    }
    function finish() {
      var r = rec;
      if (r.done) { return; }
      r.done = true;
      status.textContent = d.msgSaving;
      sha256(new Blob(r.parts)).then(function (h) {
        return call("/api/v1/recordings/" + r.id + "/finish", "POST", { sha256: h });
      }).then(function (res) {
        if (!res.ok) { say(res.body.message || ""); r.done = false; return; }
        state.recordings.push(res.body);
        status.textContent = d.msgSaved.replace("{h}", res.body.sha256);
        rec = null;
        buttons.record.hidden = false;
      });
    }
    function record() {
      if (!stream || !window.MediaRecorder) { return; }
      var type = MediaRecorder.isTypeSupported("video/webm;codecs=vp8,opus") ? "video/webm;codecs=vp8,opus" : "video/webm";
      var r = { parts: [], offset: 0, id: null, busy: false, finishing: false, done: false };
      r.recorder = new MediaRecorder(stream, { mimeType: type });
      r.recorder.ondataavailable = function (e) { if (e.data && e.data.size) { r.parts.push(e.data); pump(); } };
      r.recorder.onstop = function () { r.finishing = true; pump(); };
      rec = r;
      buttons.record.hidden = true;
      call(api + "/recordings", "POST", { mime: "video/webm" }).then(function (res) {
        if (!res.ok) { say(res.body.message || ""); return; }
        r.id = res.body.id; buttons.save.hidden = false; pump();
      });
      r.recorder.start(2000);
    }
    buttons.save.addEventListener("click", function () {
      if (rec && rec.recorder.state !== "inactive") { buttons.save.hidden = true; rec.recorder.stop(); }
    });
    buttons.record.addEventListener("click", record);

    // Announce the terminal; a race with the page's first heartbeat (both creating the
    // venue's row) is answered 409 and simply tried again.
    function announce(tries) {
      return call(api + "/video/terminal", "POST", {}).then(function (r) {
        if (r.status === 409 && tries > 0) {
          return new Promise(function (ok) { setTimeout(ok, 700); }).then(function () { return announce(tries - 1); });
        }
        return r;
      });
    }
    function camera() {
      buttons.camera.hidden = true;
      navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.play().catch(function () {});
        tileState(tile, d.msgLive, true);
        return announce(3);
      }, function (e) { say(d.msgNoCamera); buttons.camera.hidden = false; throw e; }).then(function (r) {
        if (!r.ok) { say(r.body.message || ""); return; }
        say("");
        state.ready = true;
        record();
        waiting.splice(0).forEach(offer);
      }).catch(function () { /* said above */ });
    }
    buttons.camera.addEventListener("click", camera);
    camera();
  }

  // ---------------------------------------------------------------- the inbox
  var handlers = [];
  function onSignal(fn) { handlers.push(fn); }
  window.TenderHallRoom.connect({
    room: d.inbox, csrf: csrf, after: parseInt(d.seq || "0", 10),
    onEvent: function (ev) { handlers.forEach(function (h) { h(ev); }); },
    onReady: function (ok) { state.inboxReady = ok; }
  });
  if (d.role === "viewer") { wall(onSignal); } else if (d.role === "terminal") { terminal(onSignal); }
})();
