// A form sent back with errors: move the focus to the error summary, so a screen reader reads
// it first and the keyboard starts from there. (A role="alert" present when the page loads is
// not reliably announced.) A link in the summary moves the focus to its field and shows the
// field's label or legend too, not just the field at the top edge of the window.
(function () {
  "use strict";
  var summary = document.getElementById("form-errors");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    var label = document.querySelector("label[for='" + field.id + "']");
    var shown = field.type === "radio" && legend ? legend : label || field;
    shown.scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
