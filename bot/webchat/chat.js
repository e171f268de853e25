// Målbot web chat: a little progressive enhancement. Without it the page works the same (plain forms).
// Every 15 seconds it asks whether the bot has written something new (a reply that was delivered
// late, after a retry) and then reloads the page, but never while the person is typing.
(function () {
  "use strict";
  var list = document.querySelector("ol.chat");
  var box = document.getElementById("text");
  if (!list || !window.fetch) { return; }
  var shown = Number(list.getAttribute("data-last") || "0");
  function check() {
    if (document.hidden || (box && (box.value || document.activeElement === box))) { return; }
    fetch("/chat/updates", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.last > shown && !(box && box.value)) { window.location.reload(); }
      })
      .catch(function () {});
  }
  window.setInterval(check, 15000);
}());
