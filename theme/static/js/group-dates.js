/* Group pages list the next meeting days, computed when the site was built. Read weeks later,
 * some of them have passed: this hides those, and if none is left, shows a note instead.
 * Without JavaScript the list stays as built and says on which day it was computed.
 * Loaded with `defer` from our own host, so it works under the site's CSP (no inline code).
 */
(function () {
  "use strict";

  function pad(number) {
    return number < 10 ? "0" + number : String(number);
  }

  var now = new Date();
  var today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());

  Array.prototype.forEach.call(document.querySelectorAll("ol[data-computed]"), function (list) {
    var items = list.querySelectorAll("li[data-day]");
    var past = 0;
    Array.prototype.forEach.call(items, function (item) {
      // ISO dates (YYYY-MM-DD) compare correctly as text.
      if (item.getAttribute("data-day") < today) {
        item.hidden = true;
        past += 1;
      }
    });
    if (items.length && past === items.length) {
      list.hidden = true;
      var note = list.parentNode.querySelector(".group-dates-past");
      if (note) {
        note.hidden = false;
      }
    }
  });
}());
