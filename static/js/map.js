// The memorial maps (the catalogue's and a trail's): markers on a plain background, read
// from the GeoJSON file the page names in data-geojson; OpenStreetMap tiles only on request.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || !element.dataset.geojson || typeof L === "undefined") {
    return;
  }
  var map = L.map(element, { scrollWheelZoom: false });
  map.attributionControl.setPrefix(false);
  // Between Strehla and Torgau, where the armies met; replaced once the markers are in.
  map.setView([51.46, 13.12], 9);
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
  // data-region="south,west,north,east": only the sites inside are drawn (the page lists
  // the far ones), so the first view is not of the whole world.
  var region = element.dataset.region ? element.dataset.region.split(",").map(Number) : null;
  var list = element.dataset.list ? document.getElementById(element.dataset.list) : null;

  function inRegion(lat, lon) {
    return !region || (lat >= region[0] && lat <= region[2] && lon >= region[1] && lon <= region[3]);
  }

  function marker(feature) {
    var lon = feature.geometry.coordinates[0];
    var lat = feature.geometry.coordinates[1];
    var site = feature.properties;
    var name = site.stop ? site.stop + ". " + site.name : site.name;
    var result = L.marker([lat, lon], { icon: icon, title: name, alt: name });
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = site.url;
    link.textContent = name;
    popup.appendChild(link);
    var details = document.createElement("div");
    details.textContent = site.kind_label + " · " + site.town +
      (site.approximate ? " (" + element.dataset.approximate + ")" : "");
    popup.appendChild(details);
    result.bindPopup(popup);
    return result.addTo(map);
  }

  function row(feature) {
    var site = feature.properties;
    var tr = document.createElement("tr");
    var name = document.createElement("td");
    var link = document.createElement("a");
    link.href = site.url;
    link.textContent = site.name;
    name.appendChild(link);
    var town = document.createElement("td");
    town.textContent = site.town;
    var coordinates = document.createElement("td");
    coordinates.textContent = feature.geometry.coordinates[1] + ", " + feature.geometry.coordinates[0] +
      (site.approximate ? " (" + list.dataset.approximate + ")" : "");
    tr.append(name, town, coordinates);
    return tr;
  }

  function show(collection) {
    var shown = collection.features.filter(function (feature) {
      return inRegion(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    });
    var markers = shown.map(marker);
    if (list) {
      list.replaceChildren.apply(list, shown.map(row));
    }
    if (markers.length) {
      map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2), { maxZoom: 12 });
    }
  }

  fetch(element.dataset.geojson, { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status + " " + response.statusText);
      }
      return response.json();
    })
    .then(show);

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
