// The monitoring board: joins the supervision room and, when it says lots changed, fetches
// the board again and swaps it in (the server renders it; rows that changed flash once).
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.TenderHallRoom) { return; }
  var state = document.querySelector("[data-live-state]");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var pending = null;
  function refresh(changed) {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      fetch(board.dataset.url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          board.innerHTML = html;
          (changed || []).forEach(function (id) {
            var row = board.querySelector('[data-lot="' + id + '"]');
            if (row) { row.classList.add("flash"); }
          });
        })
        .catch(function () { /* the next event or the periodic check tries again */ });
    }, 300);
  }
  window.TenderHallRoom.connect({
    room: board.dataset.room,
    csrf: csrfMeta ? csrfMeta.content : "",
    after: parseInt(board.dataset.after || "0", 10),
    onEvent: function (ev) { refresh((ev.payload && ev.payload.lots) || []); },
    onReady: function (ok) {
      if (state) { state.textContent = ok ? board.dataset.liveOn : board.dataset.liveOff; }
      if (ok) { board.dataset.live = "1"; }
    }
  });
  // A lost event (a race between two commits) is made up for within a minute.
  setInterval(function () { refresh([]); }, 60000);
})();
