/* Every page: a form that is being sent cannot be sent twice (a second tap on a slow phone connection would
   record the inspection twice). The buttons are disabled just after the browser has taken the form's data,
   and enabled again when the page is shown from the back-forward cache. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
    window.setTimeout(function () {
      Array.prototype.forEach.call(buttons, function (button) {
        button.disabled = true;
        button.setAttribute("data-sending", "");
      });
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-sending]"), function (button) {
      button.disabled = false;
      button.removeAttribute("data-sending");
    });
  });
})();
