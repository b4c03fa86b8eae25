/* Small enhancements; every page works without them. */
(function () {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");

  // "Print" buttons: plain links to the page without JavaScript.
  document.querySelectorAll("[data-ipps-print]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });
})();
