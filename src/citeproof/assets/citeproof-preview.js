/* citeproof: a preview of the cited reference beside its citation, in any theme.

   Each citation link is described (aria-describedby) by its entry's text in the list, so
   keyboard and screen-reader users get the same text without this script; the preview
   shows that text (as textContent: never parsed as HTML). WCAG 1.4.13:
   - dismissible: Escape closes it;
   - hoverable: the pointer may move onto it; it closes when the pointer or focus leaves;
   - persistent: it stays until then. A back-link (the list's arrow) that returns focus to
     a citation does not open it there; keyboard focus and hover do, on any citation, at
     once (the next citation reached by Tab after a back-link shows its preview).
   On touch, a first tap shows the preview and a second tap follows the link.
   It is placed below the cited line (above when there is no room), never over it.
   Nothing is fetched. */
(function () {
  "use strict";
  var tip = null;
  var owner = null;
  var timer = 0;
  var quiet = null; // the citation a followed back-link returns focus to: that focus opens nothing
  var touchOwner = null; // the link a first tap previewed

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

  function referenceText(link) {
    var target = document.getElementById(link.getAttribute("aria-describedby"));
    return target ? target.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function show(link) {
    clearTimeout(timer);
    var text = referenceText(link);
    if (!text) return;
    var box = tooltip();
    box.textContent = text;
    box.style.fontSize = getComputedStyle(link.parentElement).fontSize;
    box.hidden = false;
    owner = link;
    place(box, link);
  }

  function place(box, link) {
    var at = link.getBoundingClientRect();
    var line = parseFloat(getComputedStyle(link.parentElement).lineHeight) || at.height;
    var width = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(at.left, width - box.offsetWidth - 8));
    // below the cited line's box (half a line under the link's own box), or above it
    var below = at.bottom + Math.max(0, (line - at.height) / 2) + 4;
    var top = below + box.offsetHeight > window.innerHeight && at.top - box.offsetHeight - 8 > 0
      ? at.top - Math.max(0, (line - at.height) / 2) - box.offsetHeight - 4
      : below;
    box.style.left = left + window.scrollX + "px";
    box.style.top = top + window.scrollY + "px";
  }

  function hide() {
    clearTimeout(timer);
    if (tip) tip.hidden = true;
    owner = null;
  }

  // The citation link a back-link's href ("#cite-5") leads to: the link itself, or the
  // first link of the citation group that carries the id.
  function returnedTo(href) {
    var target = href && href.charAt(0) === "#" ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
    if (!target) return null;
    return target.matches("a.cp-ref") ? target : target.querySelector("a.cp-ref");
  }

  function hideSoon() {
    clearTimeout(timer);
    timer = setTimeout(hide, 300);
  }

  function init() {
    var links = document.querySelectorAll("a.cp-ref[aria-describedby]");
    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("mouseleave", hideSoon);
      link.addEventListener("focus", function () {
        if (quiet === link) { quiet = null; return; } // the back-link's return: no preview
        quiet = null;
        show(link);
      });
      link.addEventListener("blur", hide);
      link.addEventListener("pointerdown", function (event) {
        if (event.pointerType !== "touch") touchOwner = null;
      });
      link.addEventListener("click", function (event) {
        var touch = event.pointerType === "touch" || (event.sourceCapabilities &&
          event.sourceCapabilities.firesTouchEvents);
        if (!touch) return;
        if (touchOwner !== link) { // first tap: show, do not follow
          event.preventDefault();
          touchOwner = link;
          show(link);
        } else {
          touchOwner = null;
          hide();
        }
      });
    });
    document.addEventListener("click", function (event) {
      var back = event.target.closest && event.target.closest("a.cp-backref");
      if (back) {
        quiet = returnedTo(back.getAttribute("href"));
        hide();
      } else if (owner && !owner.contains(event.target) && !(tip && tip.contains(event.target))) {
        touchOwner = null;
        hide();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && owner) {
        hide();
      } else {
        quiet = null; // the reader moves on (Tab): every citation previews again
      }
    });
    document.addEventListener("pointerdown", function () { quiet = null; }, true);
    window.addEventListener("hashchange", function () {
      if (/^#cite-/.test(location.hash)) hide();
    });
    window.addEventListener("resize", hide);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
