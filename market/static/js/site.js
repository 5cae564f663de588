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
  });
})();
