/* pricemon: a little progressive enhancement. Every page works without it. */
(function () {
  "use strict";
  var root = document.documentElement;

  // Theme: follows the system (prefers-color-scheme) until the toggle picks one.
  var saved = null;
  try { saved = localStorage.getItem("pricemon-theme"); } catch (e) { /* private mode */ }
  if (saved === "light" || saved === "dark") { root.setAttribute("data-theme", saved); }

  function currentTheme() {
    var set = root.getAttribute("data-theme");
    if (set) { return set; }
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector("[data-theme-toggle]");
    if (toggle) {
      toggle.setAttribute("aria-pressed", currentTheme() === "dark" ? "true" : "false");
      toggle.addEventListener("click", function () {
        var next = currentTheme() === "dark" ? "light" : "dark";
        root.setAttribute("data-theme", next);
        toggle.setAttribute("aria-pressed", next === "dark" ? "true" : "false");
        try { localStorage.setItem("pricemon-theme", next); } catch (e) { /* ignore */ }
      });
    }

    // Weekly-only fields are disabled for daily digests.
    var frequency = document.getElementById("s-frequency");
    var day = document.getElementById("s-day");
    if (frequency && day) {
      var sync = function () { day.disabled = frequency.value !== "weekly"; };
      frequency.addEventListener("change", sync);
      sync();
      day.form.addEventListener("submit", function () { day.disabled = false; });
    }

    // Wait for a queued check: poll the product until its last check time moves, then reload.
    var waiting = document.querySelector("[data-poll]");
    if (waiting) {
      var url = waiting.getAttribute("data-poll");
      var since = waiting.getAttribute("data-since") || "";
      var deadline = Date.now() + 5 * 60 * 1000;
      var poll = function () {
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (product) {
            var checked = product && product.last_checked_at ? product.last_checked_at : "";
            if (checked && (!since || Date.parse(checked) !== Date.parse(since))) {
              window.location.replace(window.location.pathname);
            } else if (Date.now() < deadline) {
              window.setTimeout(poll, 1500);
            } else {
              waiting.textContent = "No result yet: is a worker running (pricemon work)? Reload to try again.";
            }
          })
          .catch(function () { if (Date.now() < deadline) { window.setTimeout(poll, 3000); } });
      };
      window.setTimeout(poll, 1000);
    }
  });
})();
