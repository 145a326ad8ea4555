// A venue's terminal tells the platform it is online while the room is open (every 20 s),
// so a venue whose connection drops is marked for everyone, and marked back when it returns.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  function beat() {
    var panel = document.querySelector("[data-heartbeat]");
    if (!panel || !panel.dataset.heartbeatOn || !csrf) { return; }
    fetch(panel.dataset.heartbeat, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf.content, "Accept": "application/json" },
      body: "{}"
    }).catch(function () { /* offline: the next beat tries again */ });
  }
  beat();
  window.setInterval(beat, 20000);
})();
