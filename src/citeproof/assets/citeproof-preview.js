/* citeproof: a preview of the reference on hover and keyboard focus, for themes without
   Material's tooltips (the plugin adds this file only for those). The preview's text is
   the link's title, set with textContent: it is never parsed as HTML. Escape closes it;
   the pointer may move onto it. Nothing is fetched. */
(function () {
  "use strict";
  var tip = null;
  var owner = null;
  var timer = 0;

  function tooltip() {
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "cp-preview";
      tip.className = "cp-preview";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      tip.addEventListener("mouseenter", function () { clearTimeout(timer); });
      tip.addEventListener("mouseleave", hideSoon);
      document.body.appendChild(tip);
    }
    return tip;
  }

  function show(link) {
    clearTimeout(timer);
    var box = tooltip();
    box.textContent = link.getAttribute("data-cp-preview");
    box.hidden = false;
    if (owner && owner !== link) owner.removeAttribute("aria-describedby");
    owner = link;
    link.setAttribute("aria-describedby", box.id);
    var at = link.getBoundingClientRect();
    var left = Math.min(at.left, document.documentElement.clientWidth - box.offsetWidth - 8);
    box.style.left = Math.max(8, left) + window.scrollX + "px";
    box.style.top = at.bottom + window.scrollY + 6 + "px";
  }

  function hide() {
    clearTimeout(timer);
    if (tip) tip.hidden = true;
    if (owner) owner.removeAttribute("aria-describedby");
    owner = null;
  }

  function hideSoon() {
    clearTimeout(timer);
    timer = setTimeout(hide, 200);
  }

  function init() {
    var links = document.querySelectorAll("a.cp-ref[title]");
    Array.prototype.forEach.call(links, function (link) {
      // the preview replaces the browser's own title tooltip
      link.setAttribute("data-cp-preview", link.getAttribute("title"));
      link.removeAttribute("title");
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("mouseleave", hideSoon);
      link.addEventListener("focus", function () { show(link); });
      link.addEventListener("blur", hide);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") hide();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
