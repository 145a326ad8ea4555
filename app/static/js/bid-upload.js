// Supplier's bid page: seal in the browser (seal.js), then a resumable chunked upload of the
// sealed container; the server's offset always wins. Also uploads a container sealed offline.
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var PRICE = /^(0|[1-9]\d{0,14})(\.\d{1,2})?$/;
  var ALLOWED = /\.(pdf|ofd|zip|rar|7z|docx?|xlsx?|wps|et)$/i;
  var MAX_RETRIES = 30;

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
      .then(function (r) {
        return r.json().catch(function () { return {}; })
          .then(function (j) { return { ok: r.ok, status: r.status, body: j }; });
      });
  }

  function wait(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }

  // One page widget: status line and progress bar inside a form.
  function Ui(form) {
    var box = form.querySelector('[data-role="status"]');
    var wrap = form.querySelector('[data-role="progress"]');
    var bar = wrap.querySelector("progress");
    var pct = wrap.querySelector('[data-role="percent"]');
    this.say = function (text, kind) {
      box.hidden = !text;
      box.className = "alert alert-" + (kind || "info");
      box.textContent = text || "";
    };
    this.progress = function (fraction) {
      wrap.hidden = false;
      var v = Math.max(0, Math.min(100, Math.floor(100 * fraction)));
      bar.value = v;
      pct.textContent = v + "%";
    };
  }

  // Send `blob` from the server's offset to the end, then finish; resumes after network drops.
  function upload(lot, blob, ui, msg, onFraction, resumeKey) {
    var retries = 0;
    function sendFrom(token, offset, chunkMax) {
      if (offset >= blob.size) {
        ui.say(msg.finishing);
        return call("POST", "/api/v1/uploads/" + token + "/finish");
      }
      var end = Math.min(offset + chunkMax, blob.size);
      return call("PUT", "/api/v1/uploads/" + token + "?offset=" + offset, blob.slice(offset, end), "application/octet-stream")
        .then(function (res) {
          if (res.ok) {
            retries = 0;
            onFraction(res.body.received / blob.size);
            return sendFrom(token, res.body.received, chunkMax);
          }
          if (res.status === 409 && res.body.details && res.body.details.expected_offset !== undefined) {
            return sendFrom(token, parseInt(res.body.details.expected_offset, 10), chunkMax);
          }
          if (res.status >= 500 || res.status === 0) { throw new Error("server"); }
          return res;
        })
        .catch(function (err) {
          if (err && err.ok === false) { throw err; }
          retries += 1;
          if (retries > MAX_RETRIES) { throw { body: { message: msg.failed } }; }
          ui.say(msg.resume, "warning");
          // Ask the server where it stands, then continue from there.
          return wait(Math.min(1000 * retries, 5000))
            .then(function () { return call("GET", "/api/v1/uploads/" + token); })
            .then(function (s) {
              if (!s.ok) { return s; }
              ui.say(msg.uploading);
              return sendFrom(token, s.body.received, chunkMax);
            });
        });
    }
    return fingerprint().then(function (fp) {
      var saved = resumeKey ? sessionStorage.getItem(resumeKey) : null;
      var start = saved ? call("GET", "/api/v1/uploads/" + saved) : Promise.resolve({ ok: false });
      return start.then(function (s) {
        if (s.ok && s.body.status === "open" && s.body.declared_size === blob.size) { return s; }
        return call("POST", "/api/v1/lots/" + lot + "/uploads",
          JSON.stringify({ size: blob.size, fingerprint: fp }), "application/json");
      });
    }).then(function (s) {
      if (!s.ok) { throw s; }
      if (resumeKey) { sessionStorage.setItem(resumeKey, s.body.token); }
      ui.say(msg.uploading);
      return sendFrom(s.body.token, s.body.received, s.body.chunk_max);
    }).then(function (res) {
      if (!res.ok) { throw res; }
      if (resumeKey) { sessionStorage.removeItem(resumeKey); }
      return res.body;
    });
  }

  function done(form, ui, msg, doc) {
    var r = doc.receipt;
    ui.progress(1);
    ui.say(msg.done.replace("{v}", r.bid.version).replace("{h}", r.ciphertext_sha256), "success");
    var url = (form.dataset.receiptUrl || "/bids/receipts/0").replace(/0$/, String(r.bid.id));
    setTimeout(function () { window.location.href = url; }, 600);
  }

  function fail(ui, msg, res) {
    var text = (res && res.body && res.body.message) || (res && res.message) || msg.failed;
    ui.say(text, "error");
  }

  // ------------------------------------------------------------ seal in the browser

  var sealForm = document.getElementById("bid-seal");
  if (sealForm) {
    var msg = JSON.parse(sealForm.dataset.messages || "{}");
    var ui = new Ui(sealForm);
    var button = sealForm.querySelector('button[type="submit"]');

    // The price box: checked as typed (commas allowed), read back formatted, and a price
    // above the lot's ceiling or below its floor needs an explicit confirmation before
    // sealing (the server still accepts it: the committee judges it, not the form).
    var priceBox = sealForm.elements.total_price;
    var reads = sealForm.querySelector('[data-role="price-reads"]');
    var over = sealForm.querySelector('[data-role="over-ceiling"]');
    var overText = sealForm.querySelector('[data-role="over-ceiling-text"]');
    var confirmOver = sealForm.elements.confirm_over_ceiling;
    var ceiling = sealForm.dataset.ceiling ? Number(sealForm.dataset.ceiling) : null;
    var under = sealForm.querySelector('[data-role="under-floor"]');
    var underText = sealForm.querySelector('[data-role="under-floor-text"]');
    var confirmUnder = sealForm.elements.confirm_under_floor;
    var floor = sealForm.dataset.floor ? Number(sealForm.dataset.floor) : null;
    var grouped = function (plain) {
      var parts = plain.split(".");
      var cents = ((parts[1] || "") + "00").slice(0, 2);
      return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + cents;
    };
    var cleanPrice = function () { return (priceBox.value || "").trim().replace(/[,，\s]/g, ""); };
    var aboveCeiling = function (plain) { return ceiling !== null && PRICE.test(plain) && Number(plain) > ceiling; };
    var belowFloor = function (plain) { return floor !== null && PRICE.test(plain) && Number(plain) < floor; };
    var checkPrice = function (final) {
      var plain = cleanPrice();
      var ok = plain === "" || PRICE.test(plain);
      priceBox.classList.toggle("invalid", !ok);
      if (reads) { reads.textContent = plain && ok ? msg.price_reads.replace("{v}", grouped(plain)) : (ok ? "" : msg.price); }
      if (final && plain && ok) { priceBox.value = grouped(plain); }
      var high = aboveCeiling(plain);
      if (over) {
        over.hidden = !high;
        if (high) { overText.textContent = msg.over_ceiling.replace("{v}", grouped(plain)).replace("{c}", grouped(String(ceiling))); }
        else if (confirmOver) { confirmOver.checked = false; }
      }
      var low = belowFloor(plain);
      if (under) {
        under.hidden = !low;
        if (low) { underText.textContent = msg.under_floor.replace("{v}", grouped(plain)).replace("{f}", grouped(String(floor))); }
        else if (confirmUnder) { confirmUnder.checked = false; }
      }
    };
    if (priceBox) {
      priceBox.addEventListener("input", function () { checkPrice(false); });
      priceBox.addEventListener("blur", function () { checkPrice(true); });
    }

    var readPriceForm = function () {
      var get = function (name) { return (sealForm.elements[name].value || "").trim(); };
      var price = get("total_price").replace(/[,，\s]/g, "");
      if (!PRICE.test(price)) { throw new Error(msg.price); }
      if (aboveCeiling(price) && !(confirmOver && confirmOver.checked)) {
        checkPrice(false);
        throw new Error(msg.confirm_over);
      }
      if (belowFloor(price) && !(confirmUnder && confirmUnder.checked)) {
        checkPrice(false);
        throw new Error(msg.confirm_under);
      }
      var days = get("duration_days");
      if (!/^\d{1,6}$/.test(days)) { throw new Error(msg.duration); }
      var quality = get("quality");
      if (!quality) { throw new Error(msg.quality); }
      var form = { total_price: price, duration_days: parseInt(days, 10), quality: quality };
      sealForm.querySelectorAll("input[data-key]").forEach(function (input) {
        form[input.dataset.key] = input.value.trim();
      });
      return form;
    };

    sealForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var priceForm, files;
      try {
        if (!window.TenderHallSeal || !window.crypto || !window.crypto.subtle) { throw new Error(msg.crypto); }
        priceForm = readPriceForm();
        files = Array.from(sealForm.elements.files.files || []);
        if (!files.length) { throw new Error(msg.files); }
        files.forEach(function (f) {
          if (!ALLOWED.test(f.name)) { throw new Error(msg.type.replace("{name}", f.name)); }
        });
      } catch (e) { ui.say(e.message, "error"); return; }
      button.disabled = true;
      ui.say(msg.sealing);
      ui.progress(0);
      var lot = sealForm.dataset.lot;
      call("GET", "/api/v1/lots/" + lot + "/opening-key").then(function (res) {
        if (!res.ok) { throw res.body && res.body.message ? res : new Error(msg.nokey); }
        if (sealForm.dataset.fingerprint && res.body.key_sha256 !== sealForm.dataset.fingerprint) {
          throw new Error(msg.key);
        }
        var header = {
          lot_id: parseInt(lot, 10),
          lot_code: sealForm.dataset.lotCode,
          bidder_org_id: parseInt(sealForm.dataset.org, 10),
          bidder_credit_code: sealForm.dataset.credit,
          chunk_size: parseInt(sealForm.dataset.chunk, 10) || undefined
        };
        // Sealing is the first half of the bar, the upload the second.
        return window.TenderHallSeal.sealBid(res.body.public_key_pem, header, { price_form: priceForm }, files,
          function (doneBytes, total) { ui.progress(total ? 0.5 * doneBytes / total : 0); });
      }).then(function (blob) {
        ui.progress(0.5);
        return upload(lot, blob, ui, msg, function (f) { ui.progress(0.5 + 0.5 * f); }, null);
      }).then(function (doc) {
        done(sealForm, ui, msg, doc);
      }).catch(function (res) {
        button.disabled = false;
        fail(ui, msg, res);
      });
    });
  }

  // ------------------------------------------------------------ container sealed offline

  var fileForm = document.getElementById("bid-upload");
  if (fileForm) {
    var fmsg = sealForm ? JSON.parse(sealForm.dataset.messages || "{}") : {};
    var fui = new Ui(fileForm);
    fileForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = fileForm.querySelector('input[type="file"]').files[0];
      if (!file) { return; }
      fui.progress(0);
      var key = "th-upload-" + fileForm.dataset.lot + "-" + file.name + "-" + file.size;
      upload(fileForm.dataset.lot, file, fui, fmsg, function (f) { fui.progress(f); }, key)
        .then(function (doc) { done(sealForm || fileForm, fui, fmsg, doc); })
        .catch(function (res) { fail(fui, fmsg, res); });
    });
  }
})();
