// Time on page for first-party usage analytics (loaded only with analytics consent).
(function () {
  var script = document.currentScript;
  var url = script && script.getAttribute("data-beacon-url");
  var started = Date.now();
  var sent = false;
  function send() {
    if (sent || !url || !navigator.sendBeacon) { return; }
    sent = true;
    var token = document.querySelector("meta[name=csrf-token]");
    var data = new FormData();
    data.append("path", window.location.pathname);
    data.append("ms", String(Date.now() - started));
    if (token) { data.append("csrfmiddlewaretoken", token.content); }
    navigator.sendBeacon(url, data);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { send(); }
  });
  window.addEventListener("pagehide", send);
})();
