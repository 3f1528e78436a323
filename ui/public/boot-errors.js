// Shows an error that stops the app from starting instead of leaving the window blank.
// A plain script (not a module), loaded before the app, so it works even when a module fails.
window.addEventListener("error", function (e) {
  var root = document.getElementById("root");
  if (root && !root.hasChildNodes()) {
    root.textContent = "Stridewise could not start: " + (e.message || (e.error && e.error.message) || "unknown error") +
      (e.filename ? " (" + e.filename + ":" + e.lineno + ")" : "");
    root.style.cssText = "padding:24px;font:14px sans-serif;color:#b3261e;white-space:pre-wrap";
  }
});
window.addEventListener("unhandledrejection", function (e) {
  var root = document.getElementById("root");
  if (root && !root.hasChildNodes()) {
    root.textContent = "Stridewise could not start: " + (e.reason && e.reason.message ? e.reason.message : String(e.reason));
    root.style.cssText = "padding:24px;font:14px sans-serif;color:#b3261e;white-space:pre-wrap";
  }
});
