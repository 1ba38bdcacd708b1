/* giaoban: the home page's search box.
   Over http(s) it is Pagefind's UI (full text, diacritics optional). Opened from files (file://)
   the browser forbids Pagefind's fetches, so it searches page titles from assets/search-index.js.
   Results are written with textContent: no text from the index is read as HTML. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) { return; }
  var root = box.getAttribute("data-root") || "";
  var lang = box.getAttribute("data-lang") || "vi";
  // the navbar's search form of every page sends its words here as ?q=
  var asked = new URLSearchParams(location.search).get("q") || "";

  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d")
      .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  function offline() {
    var pages = (window.GIAOBAN_SEARCH || []).filter(function (p) { return p.l === lang; });
    box.className = "search-offline";
    var note = document.createElement("p");
    note.className = "search-note";
    note.textContent = box.getAttribute("data-offline");
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = box.getAttribute("data-placeholder");
    input.setAttribute("aria-label", box.getAttribute("data-placeholder"));
    var list = document.createElement("ul");
    list.className = "search-results";
    function run() {
      var words = fold(input.value).split(" ").filter(Boolean);
      list.textContent = "";
      if (!words.length) { return; }
      var hits = pages.filter(function (p) {
        return words.every(function (w) { return p.k.indexOf(w) !== -1; });
      }).slice(0, 20);
      if (!hits.length) {
        var none = document.createElement("li");
        none.textContent = box.getAttribute("data-none");
        list.appendChild(none);
      }
      hits.forEach(function (p) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + p.u;
        a.textContent = p.t;
        li.appendChild(a);
        list.appendChild(li);
      });
    }
    input.addEventListener("input", run);
    box.appendChild(note);
    box.appendChild(input);
    box.appendChild(list);
    if (asked) { input.value = asked; run(); }
  }

  if (location.protocol === "file:" || typeof window.PagefindUI !== "function") {
    offline();
    return;
  }
  var base = new URL(root || "./", location.href).pathname;
  try {
    var ui = new window.PagefindUI({
      element: "#search", baseUrl: base, bundlePath: base + "pagefind/",
      showSubResults: false, showImages: false, resetStyles: false,
      translations: { placeholder: box.getAttribute("data-placeholder") }
    });
    // Pagefind's input has only a title: give it a name (WCAG 4.1.2, axe `label-title-only`)
    var named = function () {
      var field = box.querySelector("input");
      if (field && !field.getAttribute("aria-label")) { field.setAttribute("aria-label", box.getAttribute("data-placeholder")); }
      return !!field;
    };
    if (!named()) { new MutationObserver(function (_, obs) { if (named()) { obs.disconnect(); } }).observe(box, { childList: true, subtree: true }); }
    if (asked) { ui.triggerSearch(asked); }
  } catch (e) {
    offline();
  }
})();
