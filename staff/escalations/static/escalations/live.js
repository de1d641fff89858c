// The console in real time (see staff/escalations/live.py for why polling with ETags).
// Every page: urgent escalations still new raise an alert (title count, banner, optional sound,
// browser notification after opt-in). The queue and an escalation's page refresh their live
// regions ([data-live-region]) when the server's version changes. Drafts survive reloads.
(function () {
  "use strict";
  var POLL_MS = 2000;
  var SEEN_KEY = "console-urgent-seen";
  var CRISIS_KEY = "console-crisis-counts";
  var SOUND_KEY = "console-sound";
  var baseTitle = document.title;
  var audio = null;

  function poll(url, onChange) {
    var etag = null;
    var tick = function () {
      var headers = etag ? { "If-None-Match": etag } : {};
      fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 200) {
            etag = response.headers.get("ETag");
            return response.json().then(onChange);
          }
          return null;
        })
        .catch(function () { /* a missed poll is retried at the next tick */ })
        .then(function () { setTimeout(tick, POLL_MS); });
    };
    tick();
  }

  // Re-reads this page and swaps in each live region, unless the staff member is working in it.
  var first = {};
  function refreshRegions(key) {
    if (!first[key]) { first[key] = true; return; } // the page was rendered with this version
    fetch(window.location.href, { headers: { "X-Live-Refresh": "1" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        Array.prototype.forEach.call(document.querySelectorAll("[data-live-region][id]"), function (region) {
          var replacement = fresh.getElementById(region.id);
          // Not while the staff member works in it (focus, or rows ticked for a bulk action).
          if (!replacement || region.contains(document.activeElement) || region.querySelector("input:checked")) return;
          region.replaceWith(document.importNode(replacement, true));
        });
      })
      .catch(function () { /* refreshed at the next change */ });
  }

  function seenUrgent() {
    try { return JSON.parse(window.sessionStorage.getItem(SEEN_KEY) || "null"); } catch (e) { return null; }
  }

  function beep() {
    if (window.localStorage.getItem(SOUND_KEY) !== "1" || !window.AudioContext) return;
    audio = audio || new window.AudioContext();
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.value = 0.2;
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.4);
  }

  function alertUrgent(state) {
    var urgent = state.urgent_new || [];
    document.title = (urgent.length ? "(" + urgent.length + " urgent) " : "") + baseTitle;
    var seen = seenUrgent();
    var fresh = urgent.filter(function (item) { return seen !== null && seen.indexOf(item.id) < 0; });
    window.sessionStorage.setItem(SEEN_KEY, JSON.stringify(urgent.map(function (item) { return item.id; })
      .concat((seen || []).filter(function (id) { return urgent.every(function (item) { return item.id !== id; }); }))));
    if (fresh.length) {
      raise(fresh.length === 1 ? "New urgent escalation. " : fresh.length + " new urgent escalations. ",
        fresh[fresh.length - 1].url, "Urgent escalation", "A new urgent escalation is waiting in the console.");
    }
    // A new crisis message merged into an open urgent escalation (for example during staff mode).
    var counts = state.crisis_messages || {};
    var before = null;
    try { before = JSON.parse(window.sessionStorage.getItem(CRISIS_KEY) || "null"); } catch (e) { before = null; }
    window.sessionStorage.setItem(CRISIS_KEY, JSON.stringify(counts));
    if (!before) return;
    Object.keys(counts).forEach(function (id) {
      if (before[id] && counts[id].count > before[id].count) {
        raise("New crisis message in an open urgent escalation. ", counts[id].url, "Crisis message",
          "A visitor in an open urgent escalation wrote another crisis message.");
      }
    });
  }

  function raise(text, url, title, body) {
    var banner = document.getElementById("urgent-alert");
    if (banner) {
      banner.textContent = "";
      banner.appendChild(document.createTextNode(text));
      var link = document.createElement("a");
      link.href = url;
      link.textContent = "Open it";
      banner.appendChild(link);
      banner.hidden = false;
    }
    beep();
    if (window.Notification && window.Notification.permission === "granted") {
      var note = new window.Notification(title, { body: body, tag: url });
      note.onclick = function () { window.focus(); window.location.href = url; };
    }
  }

  function setUpOptIns() {
    var notify = document.getElementById("notify-opt-in");
    if (notify && window.Notification && window.Notification.permission !== "granted") {
      notify.hidden = false;
      notify.addEventListener("click", function () {
        window.Notification.requestPermission().then(function (permission) { notify.hidden = permission === "granted"; });
      });
    }
    var sound = document.getElementById("sound-opt-in");
    if (sound) {
      sound.checked = window.localStorage.getItem(SOUND_KEY) === "1";
      sound.addEventListener("change", function () {
        window.localStorage.setItem(SOUND_KEY, sound.checked ? "1" : "0");
        if (sound.checked && window.AudioContext) audio = audio || new window.AudioContext(); // unlocked by this click
      });
    }
  }

  // A draft is kept per page and field until the page shows it was sent without an error.
  function keepDrafts() {
    var sentOk = document.querySelector(".messages") && !document.querySelector(".messages .error");
    Array.prototype.forEach.call(document.querySelectorAll("textarea[id]"), function (field) {
      var key = "draft:" + window.location.pathname + ":" + field.id;
      var sentKey = "sent:" + key;
      if (sentOk && window.sessionStorage.getItem(sentKey) !== null) {
        window.sessionStorage.removeItem(key);
      } else if (!field.value && window.sessionStorage.getItem(key)) {
        field.value = window.sessionStorage.getItem(key);
      }
      window.sessionStorage.removeItem(sentKey);
      field.addEventListener("input", function () { window.sessionStorage.setItem(key, field.value); });
      if (field.form) field.form.addEventListener("submit", function () { window.sessionStorage.setItem(sentKey, "1"); });
    });
  }

  function start() {
    setUpOptIns();
    keepDrafts();
    var alerts = document.getElementById("live-alerts");
    var onQueue = document.getElementById("queue-rows");
    if (alerts) {
      poll(alerts.getAttribute("data-queue-url"), function (state) {
        alertUrgent(state);
        if (onQueue) refreshRegions("queue");
      });
    }
    var detail = document.querySelector("[data-live-url]");
    if (detail) poll(detail.getAttribute("data-live-url"), function () { refreshRegions("detail"); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
