// Keyboard shortcuts for the queue and the canned-reply picker. A static file: the console's
// CSP allows no inline script. Every action here also works without JavaScript.
(function () {
  "use strict";

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName);
  }

  function queueShortcuts() {
    // Looked up at each use: live.js replaces the queue's rows when the queue changes.
    var links = [];
    function rowLinks() { return Array.prototype.slice.call(document.querySelectorAll("table.queue a.row-link")); }
    if (!rowLinks().length) return;
    var current = -1;
    function select(index) {
      if (index < 0 || index >= links.length) return;
      Array.prototype.forEach.call(document.querySelectorAll("table.queue tr.selected"), function (row) { row.classList.remove("selected"); });
      current = index;
      var row = links[current].closest("tr");
      row.classList.add("selected");
      links[current].focus();
    }
    document.addEventListener("focusin", function (event) {
      links = rowLinks();
      var index = links.indexOf(event.target);
      if (index >= 0 && current !== index) select(index);
    });
    document.addEventListener("keydown", function (event) {
      links = rowLinks();
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      if (event.key === "j") { event.preventDefault(); select(Math.min(current + 1, links.length - 1)); }
      else if (event.key === "k") { event.preventDefault(); select(Math.max(current - 1, 0)); }
      else if (event.key === "a" && current >= 0) {
        var form = document.getElementById("bulk-form");
        var box = links[current].closest("tr").querySelector("input[name=ids]");
        if (!form || !box) return;
        event.preventDefault();
        form.querySelectorAll("input[name=ids]").forEach(function (other) { other.checked = other === box; });
        form.querySelector("select[name=action]").value = "assign";
        form.querySelector("select[name=assignee]").value = form.dataset.me;
        form.submit();
      }
    });
  }

  function detailShortcuts() {
    var assign = document.querySelector("form[action$='/assign/'] button");
    if (!assign) return;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "a" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      event.preventDefault();
      assign.closest("form").submit();
    });
  }

  function cannedReplies() {
    var form = document.getElementById("canned-form");
    var text = document.getElementById("reply-text");
    if (!form || !text) return;
    form.addEventListener("submit", function (event) {
      var option = form.querySelector("select").selectedOptions[0];
      if (!option || !option.dataset.text) return;
      event.preventDefault();
      text.value = option.dataset.text;
      text.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    queueShortcuts();
    detailShortcuts();
    cannedReplies();
  });
})();
