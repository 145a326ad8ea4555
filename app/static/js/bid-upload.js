// Resumable chunked upload of a sealed bid container; the server's offset always wins.
(function () {
  "use strict";
  var form = document.getElementById("bid-upload");
  if (!form) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var statusBox = form.querySelector('[data-role="status"]');
  var bar = form.querySelector("progress");

  function say(text) { statusBox.hidden = false; statusBox.textContent = text; }

  function fingerprint() {
    // A coarse device fingerprint for collusion screening: canvas rendering + UA traits.
    var parts = [navigator.userAgent, navigator.language, screen.width + "x" + screen.height,
      new Date().getTimezoneOffset(), navigator.hardwareConcurrency || 0];
    try {
      var c = document.createElement("canvas");
      var g = c.getContext("2d");
      g.textBaseline = "top"; g.font = "14px sans-serif"; g.fillText("Tender Hall 投标", 2, 2);
      parts.push(c.toDataURL());
    } catch (e) { parts.push("nocanvas"); }
    var data = new TextEncoder().encode(parts.join("|"));
    return crypto.subtle.digest("SHA-256", data).then(function (buf) {
      return Array.from(new Uint8Array(buf)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    });
  }

  function call(method, url, body, type) {
    var headers = { "X-CSRFToken": csrf, "Accept": "application/json" };
    if (type) { headers["Content-Type"] = type; }
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); });
  }

  function sendFrom(file, token, offset, chunkMax) {
    if (offset >= file.size) {
      return call("POST", "/api/v1/uploads/" + token + "/finish");
    }
    var end = Math.min(offset + chunkMax, file.size);
    return call("PUT", "/api/v1/uploads/" + token + "?offset=" + offset, file.slice(offset, end), "application/octet-stream")
      .then(function (res) {
        if (res.ok) {
          bar.value = Math.floor(100 * res.body.received / file.size);
          return sendFrom(file, token, res.body.received, chunkMax);
        }
        if (res.status === 409 && res.body.details && res.body.details.expected_offset) {
          return sendFrom(file, token, parseInt(res.body.details.expected_offset, 10), chunkMax);
        }
        return res;
      }, function () {
        // Network dropped: ask the server where it stands, then continue from there.
        say("网络中断，正在续传……");
        return new Promise(function (ok) { setTimeout(ok, 2000); })
          .then(function () { return call("GET", "/api/v1/uploads/" + token); })
          .then(function (s) { return sendFrom(file, token, s.body.received, chunkMax); });
      });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = form.querySelector('input[type="file"]').files[0];
    if (!file) { return; }
    bar.hidden = false; bar.value = 0;
    var key = "th-upload-" + form.dataset.lot + "-" + file.name + "-" + file.size;
    fingerprint().then(function (fp) {
      var saved = sessionStorage.getItem(key);
      var start = saved ? call("GET", "/api/v1/uploads/" + saved) : Promise.resolve({ ok: false });
      return start.then(function (s) {
        if (s.ok && s.body.status === "open") { return s; }
        return call("POST", "/api/v1/lots/" + form.dataset.lot + "/uploads",
          JSON.stringify({ size: file.size, fingerprint: fp }), "application/json");
      });
    }).then(function (s) {
      if (!s.ok) { throw s; }
      sessionStorage.setItem(key, s.body.token);
      return sendFrom(file, s.body.token, s.body.received, s.body.chunk_max);
    }).then(function (res) {
      if (!res.ok) { throw res; }
      sessionStorage.removeItem(key);
      bar.value = 100;
      say("已接收：第 " + res.body.receipt.bid.version + " 版，SHA-256 " + res.body.receipt.ciphertext_sha256);
      setTimeout(function () { window.location.href = "/bids/receipts/" + res.body.receipt.bid.id; }, 800);
    }).catch(function (res) {
      say((res && res.body && res.body.message) || "上传失败，请重试。");
    });
  });
})();
