/* Every page: a table wider than its box scrolls sideways inside it (.table-wrap), and a keyboard can only
   scroll what it can focus. So a wrap that overflows at the current width becomes a named, focusable region
   (axe: scrollable-region-focusable); one that fits stays out of the tab order. */
(function () {
  "use strict";
  function mark() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", wrap.getAttribute("data-scroll-label"));
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
})();
