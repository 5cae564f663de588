/* Small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // "Print this plan" buttons (community/plan.html): the browser's own print, styled by the print rules.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // Move focus to a form's error summary, so screen reader and keyboard users hear what went wrong first.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      // Links in the summary move focus to the field itself, not only scroll to it.
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (field) {
          event.preventDefault();
          field.focus();
          var holder = field.closest(".field") || field;
          holder.scrollIntoView({ block: "start" });
        }
      });
    }

    // A section marked data-live-update="N" (a job's progress) is fetched again every N seconds and replaced in
    // place, until the new copy no longer asks for it: no whole-page refresh taking focus and scroll away.
    var live = document.querySelector("[data-live-update]");
    if (live && live.id && window.fetch) {
      var update = function () {
        fetch(window.location.href, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (html) {
            if (!html) return;
            var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(live.id);
            if (!fresh) return;
            live.innerHTML = fresh.innerHTML;
            if (fresh.hasAttribute("data-live-update")) {
              window.setTimeout(update, 1000 * Number(fresh.getAttribute("data-live-update")));
            } else {
              live.removeAttribute("data-live-update");
            }
          });
      };
      window.setTimeout(update, 1000 * Number(live.getAttribute("data-live-update")));
    }
  });
})();
