/*
 * Clinic chat widget. Embed with one script tag and an optional config object:
 *
 *   <script>window.ClinicChatConfig = { serverUrl: "https://assistant.example.org", primaryColor: "#1b4f8a" };</script>
 *   <script src="https://assistant.example.org/widget/widget.js" async></script>
 *
 * The clinic's name, the assistant's name, its greeting, the suggested questions and the clinic's
 * numbers come from the server (content/clinics.yml, sent as "widget_config"); any of them set in
 * ClinicChatConfig (clinicName, assistantName, intro, suggestions, phone, sms, email) wins.
 * It loads the socket.io client from beside itself (vendor/socket.io.min.js), never a CDN.
 * Every message is built node by node: nothing a message contains is ever parsed as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script ? script.src.replace(/[^/]*$/, "") : "/widget/";
  var pageConfig = window.ClinicChatConfig || {};
  var config = Object.assign(
    {
      serverUrl: window.location.protocol + "//" + window.location.hostname + ":5005",
      clinicName: "Clinic assistant",
      assistantName: "",
      intro: "",
      disclaimer: "",
      suggestions: [],
      primaryColor: "#1b4f8a",
      language: "en",
      storageKey: "clinic-chat-session",
    },
    pageConfig
  );
  // Labels of the widget itself; a site may translate them through ClinicChatConfig.strings.
  var strings = Object.assign(
    {
      launcher: "Chat with us",
      close: "Close",
      closeLabel: "Close chat",
      options: "Options",
      startOver: "Start over",
      download: "Download transcript",
      endChat: "End chat",
      ended: "Chat ended. This conversation was removed from this device.",
      inputLabel: "Type your question",
      placeholder: "Type your question…",
      send: "Send",
      typing: "The assistant is typing…",
      you: "You",
      assistant: "Assistant",
      staff: "Clinic staff",
      youSaid: "You said: ",
      assistantSaid: "Assistant: ",
      staffSaid: "Clinic staff: ",
      // A staff member's message: "Maria, nurse" in the bubble; screen readers hear "Maria, nurse (clinic staff) said: ".
      staffNamed: "{name}, {role}",
      staffNamedSaid: "{name}, {role} (clinic staff) said: ",
      noticeSaid: "Notice: ",
      unread: "{count} new messages",
      greeting: "Hi! I'm ",
      suggestionsLabel: "Suggested questions",
      repliesLabel: "Suggested replies",
      crisis: "Thinking about suicide? Call 988 or text 988, any time.",
      contact: "Prefer a person? Call {phone}, text {sms} or e-mail {email}.",
      offline: "Can't reach the assistant right now. Trying again… In an emergency call 911. Thinking about suicide? Call 988 or text 988.",
      sources: "Sources",
      helpful: "Was this helpful?",
      yes: "Yes",
      no: "No",
      why: "What went wrong? (optional)",
      reasons: { wrong_topic: "Wrong topic", not_clear: "Not clear", want_person: "I want a person" },
      thanks: "Thanks for your feedback.",
      ratingFailed: "Sorry, your feedback didn't go through.",
      talkToPerson: "I want to talk to a person",
      sending: "Sending…",
      notSent: "Not sent yet. Retrying…",
      transcriptTitle: "Conversation with ",
    },
    pageConfig.strings || {}
  );
  var TYPING_TIMEOUT_MS = 30000;
  // engine.io refuses a long-poll payload of more than 16 packets ("Too many packets in payload"):
  // at most this many messages are unconfirmed at once, each confirmed before the next goes.
  var MAX_IN_FLIGHT = 3;
  var ACK_TIMEOUT_MS = 20000;
  var RETRY_DELAY_MS = 2000;

  // Inline Markdown and the things a visitor can tap: **bold**, [label](https://…), web addresses,
  // e-mail addresses, US phone numbers (1-800-222-1222, (949) 555-0100) and 911/988.
  var INLINE = new RegExp(
    [
      "\\*\\*([^*\\n]{1,200})\\*\\*",
      "\\[([^\\]\\n]{1,80})\\]\\((https?:\\/\\/[^\\s)]+)\\)",
      "(https?:\\/\\/[^\\s<>\"']+[^\\s<>\"'.,;:!?)])",
      "([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24})",
      "((?:\\b1[ .-])?(?:\\(\\d{3}\\) ?|\\b\\d{3}[ .-])\\d{3}[ .-]\\d{4}\\b)",
      // No lookbehind: Safari before 16.4 cannot parse one, and the whole widget would fail.
      "(^|[^\\d-])(911|988)(?![\\d-])",
    ].join("|"),
    "g"
  );
  var LIST_ITEM = /^\s*(?:[-*•]|(\d{1,2})[.)])\s+(.*)$/;

  var css =
    ".ccw-root{--ccw-primary:" + config.primaryColor + ";font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a}" +
    ".ccw-launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;background:var(--ccw-primary);color:#fff;border:0;border-radius:28px;padding:14px 20px;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}" +
    ".ccw-launcher:focus-visible,.ccw-root button:focus-visible,.ccw-root textarea:focus-visible,.ccw-root a:focus-visible,.ccw-root summary:focus-visible{outline:3px solid #b45309;outline-offset:2px}" +
    ".ccw-panel{position:fixed;right:16px;bottom:84px;z-index:2147483000;width:min(400px,calc(100vw - 32px));height:min(600px,calc(100vh - 104px));display:flex;flex-direction:column;background:#fff;border:1px solid #767676;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.25);overflow:hidden}" +
    ".ccw-panel[hidden],.ccw-tools[hidden],.ccw-status[hidden],.ccw-typing[hidden]{display:none}" +
    ".ccw-header{display:flex;align-items:center;gap:6px;background:var(--ccw-primary);color:#fff;padding:8px 10px}" +
    ".ccw-header h2{font-size:1.05em;margin:0;flex:1;min-width:0;overflow-wrap:anywhere}" +
    ".ccw-head-button{background:transparent;color:#fff;border:2px solid #fff;border-radius:6px;font:inherit;font-size:.9em;padding:2px 8px;cursor:pointer;min-height:32px}" +
    ".ccw-tools{display:flex;flex-wrap:wrap;gap:6px;padding:8px 10px;border-bottom:1px solid #ccc;background:#f4f6f9}" +
    ".ccw-tool{background:#fff;color:#0b3d73;border:1px solid #0b3d73;border-radius:6px;font:inherit;font-size:.9em;padding:4px 10px;cursor:pointer;min-height:32px}" +
    ".ccw-status{margin:0;padding:6px 12px;background:#fde8e8;color:#7a1010;font-size:.9em}" +
    ".ccw-status a{color:#7a1010}" +
    ".ccw-log{flex:1;overflow-y:auto;padding:12px;margin:0;position:relative}" +
    ".ccw-card{background:#f4f6f9;border:1px solid #c8d1dc;border-radius:12px;padding:12px;margin:0 0 12px}" +
    ".ccw-card h3{font-size:1.05em;margin:0 0 6px}.ccw-card p{margin:0 0 8px}.ccw-card .ccw-replies{margin:0 0 8px}" +
    ".ccw-card .ccw-reply{text-align:left;font-size:.9em;padding:3px 10px}" +
    ".ccw-card .ccw-contact{margin:0;font-size:.9em}" +
    ".ccw-card .ccw-disclaimer{font-size:.9em;color:#3d3d3d}" +
    ".ccw-card a,.ccw-bot a{color:#0b4a8f}" +
    ".ccw-msg{width:fit-content;max-width:85%;margin:0 0 4px;padding:8px 12px;border-radius:12px;overflow-wrap:anywhere;scroll-margin-top:8px}" +
    ".ccw-msg p{margin:0 0 8px}.ccw-msg p:last-child,.ccw-msg ul:last-child,.ccw-msg ol:last-child{margin-bottom:0}" +
    ".ccw-msg ul,.ccw-msg ol{margin:0 0 8px;padding-left:1.4em}" +
    ".ccw-part+.ccw-part{margin-top:8px;padding-top:8px;border-top:1px solid #d5dce5}" +
    ".ccw-user p{white-space:pre-wrap;margin:0}" +
    ".ccw-bot{background:#eef2f7;color:#1a1a1a;border-bottom-left-radius:2px}" +
    ".ccw-staff{background:#fff8e6;border:1px solid #d9c48a;border-left:4px solid #8a6d1d}" +
    ".ccw-staff-name{display:block;font-weight:700;font-size:.9em;color:#5c4500;margin-bottom:4px}" +
    ".ccw-notice{width:auto;max-width:100%;margin:4px auto 10px;background:#f3f0fa;border:1px dashed #6b5a99;font-size:.95em;text-align:center}" +
    ".ccw-badge{display:inline-block;min-width:1.5em;margin-left:8px;padding:0 6px;border-radius:12px;background:#b3261e;color:#fff;font-size:.85em;line-height:1.5em;text-align:center}.ccw-badge[hidden]{display:none}" +
    ".ccw-user{background:var(--ccw-primary);color:#fff;margin-left:auto;border-bottom-right-radius:2px}" +
    ".ccw-meta{display:block;font-size:.8em;color:#4a4a4a;margin:0 4px 10px}" +
    ".ccw-meta-user{text-align:right}" +
    ".ccw-pending{color:#7a1010}" +
    ".ccw-sources{margin-top:8px;font-size:.9em}" +
    ".ccw-sources summary{cursor:pointer;color:#0b4a8f;font-weight:600}" +
    ".ccw-sources ol{margin:6px 0 0;padding-left:1.4em}" +
    ".ccw-rating{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:8px;font-size:.9em}" +
    ".ccw-rating p{margin:0}" +
    ".ccw-replies{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 10px}" +
    ".ccw-reply,.ccw-rate{background:#fff;color:#0b3d73;border:2px solid #0b3d73;border-radius:16px;padding:4px 12px;font:inherit;font-size:.95em;cursor:pointer;min-height:32px}" +
    ".ccw-rate{display:inline-flex;align-items:center;gap:4px}" +
    ".ccw-reply:disabled{color:#5e5e5e;border-color:#b0b0b0;background:#f2f2f2;cursor:default}" +
    ".ccw-reply.ccw-chosen:disabled{color:#fff;background:#3f5f80;border-color:#3f5f80}" +
    ".ccw-typing{color:#444;font-style:italic;padding:0 12px 6px;margin:0}" +
    ".ccw-form{display:flex;gap:8px;padding:8px;border-top:1px solid #ccc}" +
    ".ccw-form textarea{flex:1;min-width:0;resize:none;font:inherit;padding:8px;border:1px solid #767676;border-radius:8px;box-sizing:border-box;height:44px}" +
    ".ccw-send{background:var(--ccw-primary);color:#fff;border:0;border-radius:8px;padding:0 14px;font:inherit;font-weight:600;cursor:pointer;min-height:44px}" +
    ".ccw-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    // Small or zoomed windows: the panel takes the whole window, the title one line.
    "@media (max-width:480px),(max-height:480px){.ccw-panel{right:0;bottom:0;width:100vw;height:100%;border-radius:0}.ccw-open .ccw-launcher{display:none}" +
    ".ccw-header h2{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.ccw-log{padding:8px}.ccw-card{padding:10px}}" +
    // Short windows (a phone held sideways, or 400% zoom): smaller chrome leaves room to read.
    "@media (max-height:420px){.ccw-header{padding:2px 8px}.ccw-head-button{min-height:28px;padding:0 6px}.ccw-form{padding:4px}.ccw-form textarea{height:36px;padding:4px 8px}.ccw-send{min-height:36px}.ccw-log{padding:6px 10px}}";

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function link(href, label) {
    var attributes = { href: href };
    if (/^https?:/.test(href)) {
      attributes.target = "_blank";
      attributes.rel = "noopener noreferrer";
    }
    return el("a", attributes, label);
  }

  function digits(text) {
    var only = text.replace(/\D/g, "");
    return only.length === 10 ? "+1" + only : only.length === 11 ? "+" + only : only;
  }

  // One line of text with **bold**, links and tappable numbers, appended node by node.
  // A number right after "text" opens the messaging app; any other, the phone.
  function renderInline(container, text) {
    var last = 0;
    text.replace(INLINE, function (match, bold, label, url, bare, email, phone, before, emergency, offset) {
      if (before) offset += before.length; // the character before 911/988 stays text
      if (offset > last) container.appendChild(document.createTextNode(text.slice(last, offset)));
      var scheme = /\btext\s+$/i.test(text.slice(Math.max(0, offset - 8), offset)) ? "sms:" : "tel:";
      if (bold) renderInline(container.appendChild(el("strong")), bold);
      else if (label) container.appendChild(link(url, label));
      else if (bare) container.appendChild(link(bare, bare));
      else if (email) container.appendChild(link("mailto:" + email, email));
      else if (phone) container.appendChild(link(scheme + digits(phone), phone));
      else if (emergency) container.appendChild(link(scheme + emergency, emergency));
      last = offset + match.length - (before ? before.length : 0);
      return match;
    });
    if (last < text.length) container.appendChild(document.createTextNode(text.slice(last)));
  }

  // A small, safe Markdown subset: paragraphs, "-" and "1." lists, **bold**, links.
  function renderMarkdown(container, text) {
    String(text || "").split(/\n\s*\n/).forEach(function (block) {
      var paragraph = null;
      var list = null;
      block.split("\n").forEach(function (line) {
        if (!line.trim()) return;
        var item = LIST_ITEM.exec(line);
        if (item) {
          var kind = item[1] ? "ol" : "ul";
          if (!list || list.tagName.toLowerCase() !== kind) list = container.appendChild(el(kind));
          paragraph = null;
          renderInline(list.appendChild(el("li")), item[2]);
          return;
        }
        list = null;
        if (paragraph) paragraph.appendChild(el("br"));
        else paragraph = container.appendChild(el("p"));
        renderInline(paragraph, line.trim());
      });
    });
  }

  // Thumb icons drawn as SVG: an emoji needs a font that not every system has.
  var THUMB = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 " +
    "7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";

  function thumb(down) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = svg.appendChild(document.createElementNS(ns, "path"));
    path.setAttribute("d", THUMB);
    path.setAttribute("fill", "currentColor");
    if (down) path.setAttribute("transform", "rotate(180 12 12)");
    return svg;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) { return values[key] || ""; });
  }

  function clock(seconds) {
    var date = seconds ? new Date(seconds * 1000) : new Date();
    return { iso: date.toISOString(), shown: date.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }) };
  }

  // Markdown markers off, for the plain-text transcript.
  function plain(text) {
    return String(text || "").replace(/\*\*([^*\n]+)\*\*/g, "$1").replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, "$1 ($2)");
  }

  function ChatWidget() {
    this.socket = null;
    this.ready = false; // connected and holding a confirmed session
    this.outbox = []; // the visitor's messages not yet confirmed by the server, oldest first
    this.inFlight = 0;
    this.nextId = 0;
    this.sessionToken = window.localStorage.getItem(config.storageKey);
    this.typingTimer = null;
    this.answer = null; // the bot bubble of the current turn, which later parts join
    this.transcript = []; // what the visitor sees, for "Download transcript"
    this.unread = 0; // messages that arrived while the panel was closed
    this.pageTitle = document.title;
    this.lastAt = 0; // the newest message time shown, to add what arrived while disconnected
    this.build();
    this.loadSocketClient();
  }

  ChatWidget.prototype.build = function () {
    var self = this;
    var style = el("style");
    style.textContent = css;
    document.head.appendChild(style);

    var root = el("div", { class: "ccw-root", lang: config.language });
    this.root = root;
    this.launcher = el("button", {
      class: "ccw-launcher", type: "button", "aria-expanded": "false", "aria-controls": "ccw-panel",
    });
    // The label has its own node: the conversation's language renames it, and the badge must stay.
    this.launcherLabel = this.launcher.appendChild(document.createTextNode(strings.launcher));
    this.badge = this.launcher.appendChild(el("span", { class: "ccw-badge", hidden: "" }));
    this.panel = el("section", {
      id: "ccw-panel", class: "ccw-panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "ccw-title", hidden: "",
    });
    var header = el("div", { class: "ccw-header" });
    this.title = header.appendChild(el("h2", { id: "ccw-title" }, config.clinicName));
    this.optionsButton = header.appendChild(el("button", {
      class: "ccw-head-button ccw-options", type: "button", "aria-expanded": "false", "aria-controls": "ccw-tools",
    }, strings.options));
    this.closeButton = header.appendChild(el("button", {
      class: "ccw-head-button ccw-close", type: "button", "aria-label": strings.closeLabel,
    }, strings.close));
    this.panel.appendChild(header);
    this.tools = el("div", { id: "ccw-tools", class: "ccw-tools", role: "group", "aria-label": strings.options, hidden: "" });
    [["ccw-start-over", strings.startOver, "startOver"], ["ccw-download", strings.download, "download"],
      ["ccw-end", strings.endChat, "endChat"]].forEach(function (tool) {
      var button = self.tools.appendChild(el("button", { class: "ccw-tool " + tool[0], type: "button" }, tool[1]));
      button.addEventListener("click", function () { self[tool[2]](); });
    });
    this.panel.appendChild(this.tools);
    this.status = el("p", { class: "ccw-status", role: "status", hidden: "" });
    this.panel.appendChild(this.status);
    this.log = el("div", { class: "ccw-log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    this.panel.appendChild(this.log);
    this.typing = el("p", { class: "ccw-typing", hidden: "" }, strings.typing);
    this.panel.appendChild(this.typing);
    this.form = el("form", { class: "ccw-form" });
    var label = el("label", { for: "ccw-input", class: "ccw-sr" }, strings.inputLabel);
    this.input = el("textarea", { id: "ccw-input", rows: "1", maxlength: "2000", placeholder: strings.placeholder });
    this.sendButton = el("button", { class: "ccw-send", type: "submit" }, strings.send);
    this.form.appendChild(label);
    this.form.appendChild(this.input);
    this.form.appendChild(this.sendButton);
    this.panel.appendChild(this.form);
    root.appendChild(this.panel);
    root.appendChild(this.launcher);
    document.body.appendChild(root);

    this.launcher.addEventListener("click", function () { self.toggle(); });
    document.addEventListener("visibilitychange", function () { if (self.isOpen()) self.setUnread(0); });
    this.closeButton.addEventListener("click", function () { self.close(); });
    this.optionsButton.addEventListener("click", function () { self.toggleTools(); });
    this.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") self.close();
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.sendTyped();
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        self.sendTyped();
      }
    });
  };

  ChatWidget.prototype.toggle = function () {
    if (this.panel.hasAttribute("hidden")) this.open(); else this.close();
  };

  ChatWidget.prototype.isOpen = function () {
    return !this.panel.hasAttribute("hidden") && document.visibilityState !== "hidden";
  };

  // The launcher's badge and the page title count what arrived while the panel was closed.
  ChatWidget.prototype.setUnread = function (count) {
    this.unread = count;
    if (count) {
      this.badge.textContent = String(count);
      this.badge.setAttribute("aria-label", fill(strings.unread, { count: count }));
      this.badge.removeAttribute("hidden");
      document.title = "(" + count + ") " + this.pageTitle;
    } else {
      this.badge.setAttribute("hidden", "");
      document.title = this.pageTitle;
    }
  };

  ChatWidget.prototype.open = function () {
    this.setUnread(0);
    this.panel.removeAttribute("hidden");
    this.root.classList.add("ccw-open");
    this.launcher.setAttribute("aria-expanded", "true");
    if (this.ended) {
      // After "End chat": a new conversation starts when the visitor comes back.
      this.ended = false;
      this.clearLog();
      if (this.socket) this.socket.connect();
    }
    this.input.focus();
  };

  ChatWidget.prototype.close = function () {
    this.panel.setAttribute("hidden", "");
    this.root.classList.remove("ccw-open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  };

  ChatWidget.prototype.toggleTools = function (show) {
    var open = show === undefined ? this.tools.hasAttribute("hidden") : show;
    if (open) this.tools.removeAttribute("hidden"); else this.tools.setAttribute("hidden", "");
    this.optionsButton.setAttribute("aria-expanded", String(open));
  };

  ChatWidget.prototype.loadSocketClient = function () {
    var self = this;
    if (window.io) return this.connect();
    var loader = el("script", { src: base + "vendor/socket.io.min.js" });
    loader.onload = function () { self.connect(); };
    loader.onerror = function () { self.showOffline(); };
    document.head.appendChild(loader);
  };

  ChatWidget.prototype.connect = function () {
    var self = this;
    this.socket = window.io(config.serverUrl, {
      // Long-polling: the Sanic version Rasa 3.6 pins cannot serve engine.io websocket frames.
      transports: ["polling"], reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
    });
    this.socket.on("connect", function () {
      self.hideOffline();
      self.socket.emit("session_request", { session_id: self.sessionToken, language: config.language });
    });
    this.socket.on("widget_config", function (settings) { self.configure(settings || {}); });
    // The interface follows the conversation's language (content/widget_strings.yml).
    this.socket.on("language", function (data) { self.applyStrings(data || {}); });
    this.socket.on("session_confirm", function (token) {
      self.sessionToken = token;
      window.localStorage.setItem(config.storageKey, token);
      self.ready = true;
      self.flush();
    });
    this.socket.on("history", function (turns) { self.showHistory(turns || []); });
    // The acknowledgement tells staff the truth: shown in an open panel, or waiting behind the badge.
    this.socket.on("bot_uttered", function (message, ack) {
      var shown = self.isOpen();
      self.receive(message);
      if (typeof ack === "function") ack({ panel_open: shown });
    });
    this.socket.on("presence", function (data, ack) {
      if (typeof ack === "function") ack({ panel_open: self.isOpen() });
    });
    this.socket.on("user_echo", function (message) { self.addUser(message.text); });
    this.socket.on("disconnect", function (reason) {
      if (reason === "io client disconnect") self.ready = false; // "End chat": not an outage
      else self.offline();
    });
    this.socket.on("connect_error", function () { self.offline(); });
  };

  // Settings from the server fill what the page's ClinicChatConfig left unset.
  ChatWidget.prototype.configure = function (settings) {
    Object.keys(settings).forEach(function (key) {
      if (!(key in pageConfig)) config[key] = settings[key];
    });
    this.title.textContent = config.clinicName;
  };

  ChatWidget.prototype.offline = function () {
    this.ready = false;
    var self = this;
    this.outbox.forEach(function (item) { if (item.state === "sending") self.markUnsent(item); });
    this.inFlight = 0;
    this.showOffline();
  };

  // The server's words for the conversation's language; a page's own ClinicChatConfig.strings win.
  ChatWidget.prototype.applyStrings = function (data) {
    if (!data.strings) return;
    Object.keys(data.strings).forEach(function (key) {
      if (!(pageConfig.strings && key in pageConfig.strings)) strings[key] = data.strings[key];
    });
    this.root.setAttribute("lang", data.language);
    this.launcherLabel.textContent = strings.launcher;
    this.optionsButton.textContent = strings.options;
    this.closeButton.textContent = strings.close;
    this.closeButton.setAttribute("aria-label", strings.closeLabel);
    this.typing.textContent = strings.typing;
    this.form.querySelector("label").textContent = strings.inputLabel;
    this.input.setAttribute("placeholder", strings.placeholder);
    this.sendButton.textContent = strings.send;
  };

  ChatWidget.prototype.showOffline = function () {
    this.status.textContent = "";
    renderInline(this.status, strings.offline);
    this.status.removeAttribute("hidden");
    this.setTyping(false);
  };

  ChatWidget.prototype.hideOffline = function () {
    this.status.setAttribute("hidden", "");
    this.status.textContent = "";
  };

  ChatWidget.prototype.setTyping = function (on) {
    var self = this;
    clearTimeout(this.typingTimer);
    if (on) {
      this.typing.removeAttribute("hidden");
      this.typingTimer = setTimeout(function () { self.setTyping(false); }, TYPING_TIMEOUT_MS);
    } else {
      this.typing.setAttribute("hidden", "");
    }
  };

  ChatWidget.prototype.clearLog = function () {
    this.log.textContent = "";
    this.answer = null;
    this.transcript = [];
  };

  // The greeting card of a new conversation: who answers, what about, the note, suggestions.
  ChatWidget.prototype.showGreeting = function () {
    var self = this;
    var card = el("div", { class: "ccw-card" });
    card.appendChild(el("h3", {}, strings.greeting + (config.assistantName || config.clinicName) + "."));
    var note = card.appendChild(el("p", { class: "ccw-disclaimer" }));
    renderInline(note, [config.disclaimer, strings.crisis].filter(Boolean).join(" "));
    if (config.intro) renderMarkdown(card, config.intro);
    var questions = (config.suggestions || []).slice(0, 4);
    if (questions.length) {
      this.addReplies(card, questions.map(function (q) { return { title: q, payload: q }; }), strings.suggestionsLabel, true);
    }
    if (config.phone && config.email) {
      var contact = card.appendChild(el("p", { class: "ccw-contact" }));
      renderInline(contact, fill(strings.contact, { phone: config.phone, sms: config.sms || config.phone, email: config.email }));
    }
    this.log.appendChild(card);
    this.transcript.push({ who: config.assistantName || config.clinicName, text: [config.intro, config.disclaimer].join("\n") });
  };

  ChatWidget.prototype.showHistory = function (turns) {
    var self = this;
    if (this.log.childNodes.length) {
      // This tab already shows the conversation: add only what was said while it was disconnected.
      turns.forEach(function (turn) {
        if (turn.role !== "user" && turn.at && turn.at > self.lastAt) self.receive(turn);
      });
      return;
    }
    if (!turns.length) return this.showGreeting();
    var lastUser = -1;
    turns.forEach(function (turn, index) { if (turn.role === "user") lastUser = index; });
    turns.forEach(function (turn, index) {
      if (turn.role === "user") self.addUser(turn.text, turn.at, true);
      else self.addBot(turn, index > lastUser, true);
    });
    if (this.answer) this.scrollToStart(this.answer.bubble);
  };

  ChatWidget.prototype.meta = function (container, who, at, extraClass) {
    var time = clock(at);
    var meta = el("span", { class: "ccw-meta " + (extraClass || "") });
    meta.appendChild(el("span", { class: "ccw-sr" }, who + ", "));
    meta.appendChild(el("time", { datetime: time.iso }, time.shown));
    container.appendChild(meta);
    return { meta: meta, shown: time.shown };
  };

  ChatWidget.prototype.addUser = function (text, at, fromHistory) {
    this.closeTurn();
    if (at && at > this.lastAt) this.lastAt = at;
    var item = el("div", { class: "ccw-msg ccw-user" });
    item.appendChild(el("span", { class: "ccw-sr" }, strings.youSaid));
    item.appendChild(el("p", {}, text));
    this.log.appendChild(item);
    var stamp = this.meta(this.log, strings.you, at, "ccw-meta-user");
    this.transcript.push({ who: strings.you, at: stamp.shown, text: text });
    if (!fromHistory) this.log.scrollTop = this.log.scrollHeight;
    return { bubble: item, meta: stamp.meta };
  };

  // The visitor spoke (here or in another tab): earlier replies and suggestions are no longer current.
  ChatWidget.prototype.closeTurn = function () {
    this.answer = null;
    Array.prototype.forEach.call(this.log.querySelectorAll(".ccw-reply:not(:disabled)"), function (button) {
      button.disabled = true;
    });
  };

  // One bot message: it joins the bubble of the current answer, or starts one.
  ChatWidget.prototype.addBot = function (message, current, fromHistory) {
    var person = message.staff_name ? { name: message.staff_name, role: message.staff_role || strings.staff } : null;
    var who = person ? fill(strings.staffNamed, person) : message.staff ? strings.staff : strings.assistant;
    var separate = message.staff || message.notice;
    var starts = !this.answer || this.answer.separate || this.answer.staff !== Boolean(message.staff) || separate;
    if (message.at && message.at > this.lastAt) this.lastAt = message.at;
    if (starts) {
      var kind = message.notice ? " ccw-notice" : message.staff ? " ccw-staff" : "";
      var bubble = el("div", { class: "ccw-msg ccw-bot" + kind });
      var said = message.notice ? strings.noticeSaid : person ? fill(strings.staffNamedSaid, person) :
        message.staff ? strings.staffSaid : strings.assistantSaid;
      bubble.appendChild(el("span", { class: "ccw-sr" }, said));
      if (person) bubble.appendChild(el("span", { class: "ccw-staff-name", "aria-hidden": "true" }, who));
      this.log.appendChild(bubble);
      var stamp = this.meta(this.log, who, message.at);
      this.answer = { bubble: bubble, meta: stamp.meta, staff: Boolean(message.staff), separate: Boolean(separate), replies: null };
    }
    var part = this.answer.bubble.appendChild(el("div", { class: "ccw-part" }));
    renderMarkdown(part, message.text);
    var sources = message.sources || [];
    if (sources.length) this.addSources(part, sources);
    if (sources.length && message.response && message.at) this.addRating(part, message);
    this.transcript.push({ who: who, at: clock(message.at).shown, text: message.text, sources: sources });
    var choices = message.quick_replies || message.buttons || [];
    if (choices.length) {
      var group = this.addReplies(null, choices, strings.repliesLabel, current);
      this.log.insertBefore(group, this.answer.meta.nextSibling);
    }
    if (starts && !fromHistory) this.scrollToStart(this.answer.bubble);
  };

  ChatWidget.prototype.addSources = function (part, sources) {
    var details = part.appendChild(el("details", { class: "ccw-sources" }));
    details.appendChild(el("summary", {}, strings.sources + " (" + sources.length + ")"));
    var list = details.appendChild(el("ol"));
    sources.forEach(function (source) {
      var item = list.appendChild(el("li"));
      if (source.url) item.appendChild(link(source.url, source.title));
      else item.appendChild(document.createTextNode(source.title));
      var detail = [source.publisher, source.year].filter(Boolean).join(", ");
      if (detail) item.appendChild(document.createTextNode(" — " + detail));
    });
  };

  ChatWidget.prototype.addRating = function (part, message) {
    var self = this;
    var box = part.appendChild(el("div", { class: "ccw-rating", role: "group", "aria-label": strings.helpful }));
    if (message.rated) {
      box.appendChild(el("p", { class: "ccw-thanks" }, strings.thanks));
      return;
    }
    var ask = function (question, options) {
      box.textContent = "";
      box.appendChild(el("p", {}, question));
      options.forEach(function (option) {
        var button = box.appendChild(el("button", { class: "ccw-rate " + option.className, type: "button" }));
        if (option.icon) button.appendChild(option.icon);
        button.appendChild(document.createTextNode(option.label));
        button.addEventListener("click", option.chosen);
      });
    };
    var rate = function (value, reason, then) {
      var data = { response: message.response, at: message.at, value: value };
      if (reason) data.reason = reason;
      self.socket.timeout(ACK_TIMEOUT_MS).emit("rate", data, function (error, reply) {
        if (error || !reply || !reply.ok) {
          box.appendChild(el("p", { class: "ccw-pending", role: "alert" }, strings.ratingFailed));
          return;
        }
        then();
      });
    };
    var thank = function () {
      box.textContent = "";
      box.appendChild(el("p", { class: "ccw-thanks", tabindex: "-1" }, strings.thanks)).focus();
    };
    var followUp = function () {
      ask(strings.why, Object.keys(strings.reasons).map(function (reason) {
        return {
          label: strings.reasons[reason], className: "ccw-reason-" + reason,
          chosen: function () {
            rate("down", reason, function () {
              thank();
              if (reason === "want_person") self.send(strings.talkToPerson, strings.talkToPerson);
            });
          },
        };
      }));
      box.querySelector("button").focus();
    };
    ask(strings.helpful, [
      { label: strings.yes, icon: thumb(false), className: "ccw-rate-up", chosen: function () { rate("up", null, thank); } },
      { label: strings.no, icon: thumb(true), className: "ccw-rate-down", chosen: function () { rate("down", null, followUp); } },
    ]);
  };

  // Buttons that send a reply; disabled once one is chosen or the visitor says anything else.
  ChatWidget.prototype.addReplies = function (container, choices, label, current) {
    var self = this;
    var group = el("div", { class: "ccw-replies", role: "group", "aria-label": label });
    choices.forEach(function (choice) {
      var button = group.appendChild(el("button", { class: "ccw-reply", type: "button" }, choice.title));
      button.disabled = !current;
      button.addEventListener("click", function () {
        self.input.focus(); // the clicked button is disabled: keep keyboard focus in the chat
        self.send(choice.payload, choice.title);
        button.classList.add("ccw-chosen");
      });
    });
    if (container) container.appendChild(group);
    return group;
  };

  ChatWidget.prototype.receive = function (message) {
    this.setTyping(false);
    this.addBot(message, true, false);
    if (!this.isOpen()) this.setUnread(this.unread + 1);
  };

  // The start of an answer at the top of the conversation, so its first sentence is read first.
  ChatWidget.prototype.scrollToStart = function (node) {
    node.scrollIntoView({ block: "start" });
  };

  ChatWidget.prototype.sendTyped = function () {
    var text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.send(text, text);
  };

  ChatWidget.prototype.send = function (payload, shown) {
    var shownItem = this.addUser(shown);
    this.nextId += 1;
    var item = {
      id: Date.now().toString(36) + "-" + this.nextId, payload: payload, shown: shown, state: "queued",
      status: el("span", { class: "ccw-pending" }, " · " + (this.ready ? strings.sending : strings.notSent)),
    };
    shownItem.meta.appendChild(item.status);
    this.outbox.push(item);
    this.flush();
  };

  // Sends queued messages a few at a time; each stays "not sent" until the server confirms it.
  ChatWidget.prototype.flush = function () {
    var self = this;
    if (!this.ready) return;
    this.outbox.forEach(function (item) {
      if (item.state !== "queued" || self.inFlight >= MAX_IN_FLIGHT) return;
      item.state = "sending";
      self.inFlight += 1;
      self.setTyping(true);
      var data = { id: item.id, message: item.payload, shown: item.shown, session_id: self.sessionToken };
      self.socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered", data, function (error, reply) {
        if (item.state !== "sending") return; // the connection dropped meanwhile: already requeued
        self.inFlight -= 1;
        if (error || !reply || !reply.ok) {
          self.markUnsent(item);
          var wait = reply && reply.retry_after ? Math.max(RETRY_DELAY_MS, reply.retry_after * 1000) : RETRY_DELAY_MS;
          setTimeout(function () { self.flush(); }, wait);
          return;
        }
        item.state = "sent";
        item.status.remove();
        self.outbox.splice(self.outbox.indexOf(item), 1);
        self.flush();
      });
    });
  };

  ChatWidget.prototype.markUnsent = function (item) {
    item.state = "queued";
    item.status.textContent = " · " + strings.notSent;
  };

  ChatWidget.prototype.transcriptText = function () {
    var lines = [strings.transcriptTitle + (config.assistantName || config.clinicName), new Date().toLocaleString(), ""];
    this.transcript.forEach(function (entry) {
      lines.push((entry.at ? "[" + entry.at + "] " : "") + entry.who + ":");
      lines.push(plain(entry.text));
      (entry.sources || []).forEach(function (source) {
        lines.push("  " + strings.sources + ": " + source.title + (source.url ? " <" + source.url + ">" : ""));
      });
      lines.push("");
    });
    return lines.join("\n");
  };

  ChatWidget.prototype.download = function () {
    var blob = new Blob([this.transcriptText()], { type: "text/plain;charset=utf-8" });
    var anchor = el("a", { href: URL.createObjectURL(blob), download: "conversation-" + new Date().toISOString().slice(0, 10) + ".txt" });
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(function () { URL.revokeObjectURL(anchor.href); }, 1000);
  };

  // Forget this device's conversation: the old one stays with the clinic for its staff.
  ChatWidget.prototype.forget = function () {
    window.localStorage.removeItem(config.storageKey);
    this.sessionToken = null;
    this.outbox = [];
    this.inFlight = 0;
    this.ready = false;
    this.clearLog();
    this.setTyping(false);
    this.toggleTools(false);
  };

  ChatWidget.prototype.startOver = function () {
    this.forget();
    if (this.socket && this.socket.connected) this.socket.emit("session_request", { session_id: null });
    this.input.focus();
  };

  ChatWidget.prototype.endChat = function () {
    this.forget();
    if (this.socket) this.socket.disconnect(); // a new conversation starts only when the chat is opened again
    this.log.appendChild(el("p", { class: "ccw-ended" }, strings.ended));
    this.ended = true;
    this.close();
  };

  function start() { window.ClinicChat = new ChatWidget(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
