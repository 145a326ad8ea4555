/*
 * Sealed quotes of the services market: the price and the proposal are sealed in this
 * browser (seal.js, the same container as bids) to the need's opening key, and only the
 * ciphertext is posted to the page, which answers with the receipt.
 */
(function () {
  "use strict";
  var form = document.getElementById("quote-seal");
  if (!form) return;
  var msg = JSON.parse(form.dataset.messages);
  var status = form.querySelector("[data-role=status]");
  var say = function (text, kind) {
    status.hidden = false;
    status.textContent = text;
    status.className = "alert " + (kind === "error" ? "alert-error" : "alert-info");
  };
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var price = (form.elements.total_price.value || "").trim().replace(/[,，\s]/g, "");
    if (!/^(0|[1-9]\d{0,14})(\.\d{1,2})?$/.test(price) || Number(price) <= 0) {
      say(msg.price, "error");
      return;
    }
    var files = Array.prototype.slice.call(form.elements.files.files);
    if (!files.length) { say(msg.files, "error"); return; }
    if (!window.TenderHallSeal || !window.crypto || !window.crypto.subtle) { say(msg.crypto, "error"); return; }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(msg.sealing);
    var header = {
      lot_id: parseInt(form.dataset.need, 10),
      lot_code: form.dataset.lotCode,
      bidder_org_id: parseInt(form.dataset.org, 10),
      bidder_credit_code: form.dataset.credit
    };
    var pem = document.getElementById("quote-key").textContent;
    window.TenderHallSeal.sealBid(pem, header, { price_form: { total_price: price } }, files)
      .then(function (blob) {
        say(msg.uploading);
        var body = new FormData();
        body.append("csrf_token", form.elements.csrf_token.value);
        body.append("file", blob, "quote.thsb");
        return fetch(form.action, { method: "POST", body: body, credentials: "same-origin" });
      })
      .then(function (res) { window.location.href = res.url || form.action; })
      .catch(function (err) {
        button.disabled = false;
        say((err && err.message) || msg.failed, "error");
      });
  });
})();
