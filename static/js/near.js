// Near me: the "Use my location" button asks the browser for the visitor's position only
// when pressed, and sends it to this site alone, in the body of a POST so that it is in no
// address (server logs, browser history, Referer). Without this script, or without a
// browser that can tell its position, the button stays hidden and a place is typed in.
(function () {
  "use strict";
  var form = document.getElementById("near-form");
  var button = document.getElementById("use-location");
  var status = document.getElementById("near-status");
  if (!form || !button || !status || !("geolocation" in navigator)) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.latitude.disabled = false;
        form.elements.longitude.disabled = false;
        form.elements.latitude.value = position.coords.latitude.toFixed(5);
        form.elements.longitude.value = position.coords.longitude.toFixed(5);
        form.elements.place.value = "";
        form.method = "post";
        form.submit();
      },
      function (error) {
        button.disabled = false;
        status.textContent =
          error.code === error.PERMISSION_DENIED ? button.dataset.denied : button.dataset.failed;
      },
      { enableHighAccuracy: false, timeout: 20000, maximumAge: 60000 }
    );
  });
  // A place typed in goes by GET, with no empty position fields in its address.
  form.addEventListener("submit", function () {
    form.elements.latitude.disabled = true;
    form.elements.longitude.disabled = true;
    form.method = "get";
  });
  // Back to this page from the browser's history: the fields as the page came.
  window.addEventListener("pageshow", function () {
    form.elements.latitude.disabled = false;
    form.elements.longitude.disabled = false;
    button.disabled = false;
  });
})();
