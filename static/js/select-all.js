/* A "select all" checkbox (data-select-all="<name>") ticks or clears every checkbox of that name in its form,
   and shows whether all, none or some of them are ticked. Without JavaScript each box is ticked by hand. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("input[data-select-all]"), function (all) {
    var boxes = all.form.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-select-all") + '"]');
    function reflect() {
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(boxes, function (box) { box.checked = all.checked; });
    });
    Array.prototype.forEach.call(boxes, function (box) { box.addEventListener("change", reflect); });
    reflect();
  });
})();
