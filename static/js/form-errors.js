// A form sent back with errors: move the focus to the error summary, so a screen reader reads
// it first and the keyboard starts from there. (A role="alert" present when the page loads is
// not reliably announced.)
(function () {
  "use strict";
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }
})();
