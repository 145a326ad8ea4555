// The evaluation report's signing page: a member's ECDSA P-256 key pair is made here, the
// private key leaves the browser only wrapped under the member's passphrase
// (PBKDF2-SHA-256, 600 000 rounds, then AES-256-GCM), and signing unwraps it here again.
// The signed bytes are "tenderhall.eval-report.v1:" + the report's SHA-256 in hex
// (docs/evaluation-report.md). Before signing, the page checks that the report text it
// fetched hashes to that SHA-256 and that the report lists this member's own public key.
(function () {
  "use strict";
  // The report page's print button (inline handlers are not allowed by the page policy).
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  var root = document.getElementById("eval-sign");
  if (!root) return;
  var subtle = window.crypto && window.crypto.subtle;
  var sid = root.dataset.session;
  var api = "/api/v1/evaluations/" + sid;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var ITERATIONS = 600000;
  var ALG = "PBKDF2-SHA256/AES-256-GCM";
  var PREFIX = "tenderhall.eval-report.v1:";
  var errorBox = root.querySelector("[data-error]");
  var okBox = root.querySelector("[data-ok]");

  function say(box, text) {
    errorBox.hidden = true;
    okBox.hidden = true;
    if (!text) return;
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function b64(buf) {
    var bytes = new Uint8Array(buf);
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }

  function unb64(text) {
    var s = atob(text);
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  function hex(buf) {
    return Array.prototype.map
      .call(new Uint8Array(buf), function (b) { return ("0" + b.toString(16)).slice(-2); })
      .join("");
  }

  function call(method, path, body) {
    return fetch(api + path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) {
          var err = new Error(data.message || resp.statusText);
          err.shown = true;
          throw err;
        }
        return data;
      });
    });
  }

  function kek(passphrase, salt, usage) {
    var enc = new TextEncoder();
    return subtle
      .importKey("raw", enc.encode(passphrase), "PBKDF2", false, ["deriveKey"])
      .then(function (base) {
        return subtle.deriveKey(
          { name: "PBKDF2", salt: salt, iterations: ITERATIONS, hash: "SHA-256" },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          [usage]
        );
      });
  }

  // A rough strength hint: length and variety of characters (never sent anywhere).
  function strength(p) {
    if (p.length < 10) return 0;
    var kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (r) { return r.test(p); }).length;
    var score = 1 + (p.length >= 14 ? 1 : 0) + (p.length >= 20 ? 1 : 0) + (kinds >= 3 ? 1 : 0);
    return Math.min(score, 4);
  }

  var busy = false;
  function guard(form, work) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (busy) return;
      if (!subtle) { say(errorBox, root.dataset.msgNocrypto); return; }
      busy = true;
      var button = form.querySelector("button[type=submit]");
      var label = button.textContent;
      button.disabled = true;
      button.textContent = root.dataset.msgWorking;
      work(form)
        .catch(function (err) {
          say(errorBox, err && err.shown ? err.message : root.dataset.msgNocrypto);
        })
        .then(function () {
          busy = false;
          button.disabled = false;
          button.textContent = label;
        });
    });
  }

  function fail(text) {
    var err = new Error(text);
    err.shown = true;
    return Promise.reject(err);
  }

  function done(text) {
    say(okBox, text);
    setTimeout(function () { window.location.reload(); }, 900);
  }

  // ------------------------------------------------------------ create a key
  var create = root.querySelector("[data-create-key]");
  if (create) {
    var labels = JSON.parse(root.dataset.strength);
    var bar = create.querySelector("[data-strength-bar]");
    var hint = create.querySelector("[data-strength-text]");
    var colours = ["#b3261e", "#d93025", "#f29900", "#1e8e3e", "#137333"];
    create.passphrase.addEventListener("input", function () {
      var s = strength(create.passphrase.value);
      bar.style.width = (s + 1) * 20 + "%";
      bar.style.background = colours[s];
      hint.textContent = labels[s];
    });
    guard(create, function (form) {
      var pass = form.passphrase.value;
      if (pass.length < 10) return fail(root.dataset.msgShort);
      if (pass !== form.passphrase2.value) return fail(root.dataset.msgMismatch);
      var salt = crypto.getRandomValues(new Uint8Array(16));
      var iv = crypto.getRandomValues(new Uint8Array(12));
      var pair;
      var spki;
      return subtle
        .generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])
        .then(function (p) { pair = p; return subtle.exportKey("spki", p.publicKey); })
        .then(function (s) { spki = s; return subtle.exportKey("pkcs8", pair.privateKey); })
        .then(function (pkcs8) {
          return kek(pass, salt, "encrypt").then(function (k) {
            return subtle.encrypt({ name: "AES-GCM", iv: iv }, k, pkcs8);
          });
        })
        .then(function (ct) {
          return call("POST", "/signing-key", {
            public_key: b64(spki),
            wrapped_key: { v: 1, alg: ALG, iterations: ITERATIONS, salt: b64(salt), iv: b64(iv), ciphertext: b64(ct) },
          });
        })
        .then(function () {
          form.reset();
          done(root.dataset.msgKeysaved);
        });
    });
  }

  // ------------------------------------------------------------ sign
  function publicXY(spkiB64) {
    return subtle
      .importKey("spki", unb64(spkiB64), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"])
      .then(function (k) { return subtle.exportKey("jwk", k); })
      .then(function (j) { return j.x + "." + j.y; });
  }

  var sign = root.querySelector("[data-sign]");
  if (sign) {
    guard(sign, function (form) {
      var pass = form.passphrase.value;
      var sha = root.dataset.sha;
      var wrapped;
      var privateKey;
      return Promise.all([call("GET", "/signing-key"), call("GET", "/report")])
        .then(function (got) {
          wrapped = got[0].wrapped_key;
          var rep = got[1];
          if (!wrapped || !rep.current || rep.sha256 !== sha) return fail(root.dataset.msgHash);
          return subtle.digest("SHA-256", new TextEncoder().encode(rep.canonical));
        })
        .then(function (digest) {
          if (hex(digest) !== sha) return fail(root.dataset.msgHash);
          return kek(pass, unb64(wrapped.salt), "decrypt");
        })
        .then(function (k) {
          return subtle.decrypt({ name: "AES-GCM", iv: unb64(wrapped.iv) }, k, unb64(wrapped.ciphertext))
            .catch(function () { return fail(root.dataset.msgWrong); });
        })
        .then(function (pkcs8) {
          return subtle.importKey("pkcs8", pkcs8, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
        })
        .then(function (k) {
          privateKey = k;
          return Promise.all([subtle.exportKey("jwk", k), publicXY(root.dataset.listedKey)]);
        })
        .then(function (both) {
          if (both[0].x + "." + both[0].y !== both[1]) return fail(root.dataset.msgKeymismatch);
          var message = new TextEncoder().encode(PREFIX + sha);
          return subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, message);
        })
        .then(function (sig) {
          return call("POST", "/report/signatures", { sha256: sha, signature: b64(sig) });
        })
        .then(function () {
          form.reset();
          done(root.dataset.msgSigned);
        });
    });
  }

  // ------------------------------------------------------------ refuse
  var refuse = root.querySelector("[data-refuse]");
  if (refuse) {
    guard(refuse, function (form) {
      return call("POST", "/report/refusal", { text: form.text.value }).then(function () {
        done(root.dataset.msgRefused);
      });
    });
  }
})();
