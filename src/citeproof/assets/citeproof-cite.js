/* citeproof: each entry's "Cite" actions, added here to every entry of a list that has
   the downloads (data-cp-bundle). Copy puts the formatted reference on the clipboard;
   BibTeX, RIS and CSL-JSON download that entry as a file, made from the bundle of every
   entry in every format (written at build time beside the bib, keyed by the entry's id,
   fetched from this site on the first click only). Without this script there are no
   buttons, and the whole list's download links under the list still work.
   It also dates "Cite this article": the day the reader reads the page, as Citing Medicine
   writes it ("[cited 2026 Dec 7]"), goes into its empty data-cp-cited span; without this
   script that reference has no "[cited …]" part, never a placeholder. */
(function () {
  "use strict";
  var FILES = {bibtex: [".bib", "application/x-bibtex"],
               ris: [".ris", "application/x-research-info-systems"],
               "csl-json": [".json", "application/vnd.citationstyles.csl+json"]};
  var bundle = null;

  function say(button, words) {
    var old = button.getAttribute("data-cp-label") || button.textContent;
    button.setAttribute("data-cp-label", old);
    button.textContent = words;
    setTimeout(function () { button.textContent = old; }, 2000);
  }

  function copy(button, id) {
    var entry = document.getElementById(id + "-text");
    var text = entry ? entry.textContent.replace(/\s+/g, " ").trim() : "";
    var done = function () { say(button, "Copied"); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { say(button, "Copy failed"); });
    } else {
      say(button, "Copy failed");
    }
  }

  function load(section) {
    if (!bundle) {
      bundle = fetch(section.getAttribute("data-cp-bundle")).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      });
    }
    return bundle;
  }

  function download(button, id, format) {
    var section = button.closest("[data-cp-bundle]");
    load(section).then(function (data) {
      var text = data[id] && data[id][format];
      if (!text) throw new Error("no " + format + " for " + id);
      var url = URL.createObjectURL(new Blob([text], {type: FILES[format][1]}));
      var a = document.createElement("a");
      a.href = url;
      a.download = data[id].key.replace(/[^A-Za-z0-9_.-]/g, "-") + FILES[format][0];
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }).catch(function () { bundle = null; say(button, "Download failed"); });
  }

  var LABELS = [["copy", "Copy"], ["bibtex", "BibTeX"], ["ris", "RIS"], ["csl-json", "CSL-JSON"]];

  function actions(entry) {
    var box = document.createElement("span");
    box.className = "cp-cite-actions";
    box.appendChild(document.createTextNode(" Cite: "));
    LABELS.forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "cp-action";
      button.setAttribute("data-cp-format", pair[0]);
      button.textContent = pair[1];
      box.appendChild(button);
    });
    box.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-cp-format]");
      if (!button) return;
      var format = button.getAttribute("data-cp-format");
      if (format === "copy") copy(button, entry.id); else download(button, entry.id, format);
    });
    entry.insertBefore(box, entry.querySelector(".cp-backref"));
  }

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function cited() {
    var now = new Date();
    var today = now.getFullYear() + " " + MONTHS[now.getMonth()] + " " + now.getDate();
    Array.prototype.forEach.call(document.querySelectorAll("span[data-cp-cited]"), function (span) {
      span.textContent = span.getAttribute("data-cp-cited").replace("{date}", today);
      span.hidden = false;
    });
  }

  function init() {
    var entries = document.querySelectorAll("[data-cp-bundle] li.cp-entry[id]");
    Array.prototype.forEach.call(entries, actions);
    cited();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
