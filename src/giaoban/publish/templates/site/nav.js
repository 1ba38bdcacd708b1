/* giaoban: the navbar's menu button on narrow screens. Without JavaScript the menu is always open. */
(function () {
  "use strict";
  var button = document.querySelector(".gb-menu");
  var nav = document.querySelector(".gb-navbar");
  if (!button || !nav) { return; }
  nav.classList.add("gb-collapsible");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("gb-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
