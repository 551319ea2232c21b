// The memorial map: markers on a plain background; OpenStreetMap tiles only on request.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var dataElement = document.getElementById("map-data");
  if (!element || !dataElement || typeof L === "undefined") {
    return;
  }
  var sites = JSON.parse(dataElement.textContent);
  var map = L.map(element, { scrollWheelZoom: false });
  map.attributionControl.setPrefix(false);
  // The project's own marker, its URL given by the page: Leaflet's default icon guesses
  // its image folder from leaflet.css, which fails once static names carry a hash (it
  // then asks for marker-icon.png next to the page). The image is 44 by 44 pixels, the
  // smallest target a finger can hit reliably; the pin's tip marks the site.
  var icon = L.icon({
    iconUrl: element.dataset.markerIcon,
    iconSize: [44, 44],
    iconAnchor: [22, 43],
    popupAnchor: [0, -36],
  });
  var markers = sites.map(function (site) {
    var marker = L.marker([site.lat, site.lon], { icon: icon, title: site.name, alt: site.name });
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = site.url;
    link.textContent = site.name;
    popup.appendChild(link);
    var details = document.createElement("div");
    details.textContent = site.kind + " · " + site.town +
      (site.approximate ? " (" + element.dataset.approximate + ")" : "");
    popup.appendChild(details);
    marker.bindPopup(popup);
    return marker.addTo(map);
  });
  if (markers.length) {
    map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2), { maxZoom: 12 });
  } else {
    // Between Strehla and Torgau, where the armies met.
    map.setView([51.46, 13.12], 9);
  }
  var button = document.getElementById("load-tiles");
  if (button) {
    button.addEventListener("click", function () {
      L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19,
        attribution: element.dataset.attribution,
      }).addTo(map);
      button.disabled = true;
    });
  }
})();
