// Keeps the check-in page's "N of M guests are in" current without reloading the page.
(function () {
  "use strict";
  var list = document.getElementById("live-counts");
  if (!list || !window.fetch) {
    return;
  }
  function refresh() {
    fetch(list.dataset.countsUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        list.querySelectorAll("[data-ceremony]").forEach(function (element) {
          var numbers = data[element.dataset.ceremony];
          if (numbers) {
            var text = element.dataset.template
              .replace("ARRIVED", numbers.arrived)
              .replace("EXPECTED", numbers.expected);
            if (element.textContent !== text) {
              element.textContent = text;
            }
          }
        });
      })
      .catch(function () {});
  }
  window.setInterval(refresh, 15000);
})();
