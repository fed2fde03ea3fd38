/* The inspection forms: the phone's position is recorded when the phone gives it (never required), and
   ticking a problem clears "no problem found". */
(function () {
  "use strict";
  var box = document.querySelector("[data-geolocate]");
  if (box && navigator.geolocation) {
    var latitude = box.querySelector("[name=latitude]");
    var longitude = box.querySelector("[name=longitude]");
    var status = box.querySelector("[data-geo-status]");
    var retry = box.querySelector("[data-geo-retry]");
    var locate = function () {
      status.textContent = box.dataset.msgLocating;
      navigator.geolocation.getCurrentPosition(function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        var accuracy = String(Math.round(position.coords.accuracy));
        status.textContent = box.dataset.msgLocated.replace("{n}", accuracy);
        retry.hidden = false;
      }, function () {
        status.textContent = box.dataset.msgFailed;
        retry.hidden = false;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    };
    retry.addEventListener("click", locate);
    if (latitude.value) { retry.hidden = false; } else { locate(); }
  }

  var nothingFound = document.getElementById("no-findings");
  if (nothingFound) {
    document.addEventListener("change", function (event) {
      if (event.target.name === "hazard" && event.target.checked) { nothingFound.checked = false; }
    });
  }
})();
