/*
 * Clinic chat widget. Embed with one script tag and an optional config object:
 *
 *   <script>window.ClinicChatConfig = { serverUrl: "https://assistant.example.org",
 *     clinicName: "OC Fibromyalgia & Ketamine Clinics", primaryColor: "#1b4f8a", language: "en" };</script>
 *   <script src="https://assistant.example.org/widget/widget.js" async></script>
 *
 * It loads the socket.io client from beside itself (vendor/socket.io.min.js), never a CDN.
 * Every message is shown as text: nothing a message contains is ever parsed as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script ? script.src.replace(/[^/]*$/, "") : "/widget/";
  var config = Object.assign(
    {
      serverUrl: window.location.protocol + "//" + window.location.hostname + ":5005",
      clinicName: "Clinic assistant",
      primaryColor: "#1b4f8a",
      language: "en",
      storageKey: "clinic-chat-session",
    },
    window.ClinicChatConfig || {}
  );
  var TYPING_TIMEOUT_MS = 30000;
  // A markdown link [label](https://...) or a bare web address.
  var LINK_PATTERN = /\[([^\]]{1,80})\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']+)/g;

  var css =
    ".ccw-root{--ccw-primary:" + config.primaryColor + ";font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a}" +
    ".ccw-launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;background:var(--ccw-primary);color:#fff;border:0;border-radius:28px;padding:14px 20px;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}" +
    ".ccw-launcher:focus-visible,.ccw-root button:focus-visible,.ccw-root textarea:focus-visible,.ccw-root a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}" +
    ".ccw-panel{position:fixed;right:16px;bottom:84px;z-index:2147483000;width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 104px));display:flex;flex-direction:column;background:#fff;border:1px solid #767676;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.25);overflow:hidden}" +
    ".ccw-panel[hidden]{display:none}" +
    ".ccw-header{display:flex;align-items:center;justify-content:space-between;gap:8px;background:var(--ccw-primary);color:#fff;padding:10px 12px}" +
    ".ccw-header h2{font-size:1.05em;margin:0}" +
    ".ccw-close{background:transparent;color:#fff;border:2px solid #fff;border-radius:6px;font:inherit;padding:2px 10px;cursor:pointer}" +
    ".ccw-notice{margin:0;padding:6px 12px;background:#fff4e5;color:#5c3200;font-size:.9em;border-bottom:1px solid #e0c8a8}" +
    ".ccw-status{margin:0;padding:6px 12px;background:#fde8e8;color:#7a1010;font-size:.9em}" +
    ".ccw-status[hidden]{display:none}" +
    ".ccw-log{flex:1;overflow-y:auto;padding:12px;margin:0;list-style:none}" +
    ".ccw-msg{max-width:85%;margin:0 0 8px;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".ccw-bot{background:#eef2f7;color:#1a1a1a;border-bottom-left-radius:2px}" +
    ".ccw-user{background:var(--ccw-primary);color:#fff;margin-left:auto;border-bottom-right-radius:2px}" +
    ".ccw-user a{color:#fff}.ccw-bot a{color:#0b4a8f}" +
    ".ccw-replies{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 10px}" +
    ".ccw-reply{background:#fff;color:#0b3d73;border:2px solid #0b3d73;border-radius:16px;padding:6px 12px;font:inherit;font-size:.95em;cursor:pointer}" +
    ".ccw-typing{color:#444;font-style:italic;padding:0 12px 6px;margin:0}" +
    ".ccw-typing[hidden]{display:none}" +
    ".ccw-form{display:flex;gap:8px;padding:10px;border-top:1px solid #ccc}" +
    ".ccw-form textarea{flex:1;resize:none;font:inherit;padding:8px;border:1px solid #767676;border-radius:8px;min-height:44px}" +
    ".ccw-send{background:var(--ccw-primary);color:#fff;border:0;border-radius:8px;padding:0 16px;font:inherit;font-weight:600;cursor:pointer;min-height:44px}" +
    ".ccw-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    "@media (max-width:480px){.ccw-panel{right:0;bottom:0;width:100vw;height:100%;border-radius:0}.ccw-open .ccw-launcher{display:none}}";

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  // Text with web links made clickable, built node by node: never innerHTML.
  function renderText(container, text) {
    var source = String(text || "");
    var last = 0;
    source.replace(LINK_PATTERN, function (match, label, labelled, bare, offset) {
      if (offset > last) container.appendChild(document.createTextNode(source.slice(last, offset)));
      var href = labelled || bare;
      container.appendChild(el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, label || href));
      last = offset + match.length;
      return match;
    });
    if (last < source.length) container.appendChild(document.createTextNode(source.slice(last)));
  }

  function ChatWidget() {
    this.socket = null;
    this.ready = false; // connected and holding a confirmed session
    this.pending = []; // typed while not connected: sent once the session is confirmed
    this.sessionToken = window.localStorage.getItem(config.storageKey);
    this.typingTimer = null;
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
    }, "Chat with us");
    this.panel = el("section", {
      id: "ccw-panel", class: "ccw-panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "ccw-title", hidden: "",
    });
    var header = el("div", { class: "ccw-header" });
    header.appendChild(el("h2", { id: "ccw-title" }, config.clinicName));
    this.closeButton = el("button", { class: "ccw-close", type: "button", "aria-label": "Close chat" }, "Close");
    header.appendChild(this.closeButton);
    this.panel.appendChild(header);
    this.panel.appendChild(el("p", { class: "ccw-notice" },
      "General information, not medical advice. In an emergency call 911."));
    this.status = el("p", { class: "ccw-status", role: "status", hidden: "" });
    this.panel.appendChild(this.status);
    this.log = el("div", { class: "ccw-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
    this.panel.appendChild(this.log);
    this.typing = el("p", { class: "ccw-typing", hidden: "" }, "The assistant is typing…");
    this.panel.appendChild(this.typing);
    this.form = el("form", { class: "ccw-form" });
    var label = el("label", { for: "ccw-input", class: "ccw-sr" }, "Type your question");
    this.input = el("textarea", { id: "ccw-input", rows: "1", maxlength: "2000", placeholder: "Type your question…" });
    this.sendButton = el("button", { class: "ccw-send", type: "submit" }, "Send");
    this.form.appendChild(label);
    this.form.appendChild(this.input);
    this.form.appendChild(this.sendButton);
    this.panel.appendChild(this.form);
    root.appendChild(this.panel);
    root.appendChild(this.launcher);
    document.body.appendChild(root);

    this.launcher.addEventListener("click", function () { self.toggle(); });
    this.closeButton.addEventListener("click", function () { self.close(); });
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

  ChatWidget.prototype.open = function () {
    this.panel.removeAttribute("hidden");
    this.root.classList.add("ccw-open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.input.focus();
  };

  ChatWidget.prototype.close = function () {
    this.panel.setAttribute("hidden", "");
    this.root.classList.remove("ccw-open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
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
    // The interface follows the conversation's language (content/widget_strings.yml).
    this.socket.on("language", function (data) { self.applyStrings(data); });
    this.socket.on("session_confirm", function (token) {
      self.sessionToken = token;
      window.localStorage.setItem(config.storageKey, token);
      self.ready = true;
      self.pending.splice(0).forEach(function (payload) { self.emit(payload); });
    });
    this.socket.on("history", function (turns) {
      if (!turns || !turns.length || self.log.querySelector(".ccw-bot")) return;
      turns.forEach(function (turn) { self.addMessage(turn.role === "user" ? "user" : "bot", turn.text); });
    });
    this.socket.on("bot_uttered", function (message) { self.receive(message); });
    this.socket.on("user_echo", function (message) { self.addMessage("user", message.text); });
    this.socket.on("disconnect", function () { self.ready = false; self.showOffline(); });
    this.socket.on("connect_error", function () { self.ready = false; self.showOffline(); });
  };

  ChatWidget.prototype.applyStrings = function (data) {
    var t = (data && data.strings) || {};
    if (!t.send) return;
    this.strings = t;
    this.root.setAttribute("lang", data.language);
    this.launcher.textContent = t.launcher;
    this.closeButton.textContent = t.close;
    this.closeButton.setAttribute("aria-label", t.close_label);
    this.panel.querySelector(".ccw-notice").textContent = t.notice;
    this.log.setAttribute("aria-label", t.log_label);
    this.typing.textContent = t.typing;
    this.form.querySelector("label").textContent = t.input_label;
    this.input.setAttribute("placeholder", t.placeholder);
    this.sendButton.textContent = t.send;
  };

  ChatWidget.prototype.showOffline = function () {
    this.status.textContent = (this.strings && this.strings.offline) ||
      "Can't reach the assistant right now. Trying again… In an emergency call 911.";
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

  ChatWidget.prototype.addMessage = function (who, text) {
    var item = el("div", { class: "ccw-msg ccw-" + who });
    item.appendChild(el("span", { class: "ccw-sr" }, who === "user" ? "You said: " : "Assistant: "));
    renderText(item, text);
    this.log.appendChild(item);
    this.log.scrollTop = this.log.scrollHeight;
    return item;
  };

  ChatWidget.prototype.receive = function (message) {
    var self = this;
    this.setTyping(false);
    if (message.text) this.addMessage("bot", message.text);
    var choices = message.quick_replies || message.buttons || [];
    if (choices.length) {
      var group = el("div", { class: "ccw-replies", role: "group", "aria-label": "Suggested replies" });
      choices.forEach(function (choice) {
        var button = el("button", { class: "ccw-reply", type: "button" }, choice.title);
        button.addEventListener("click", function () {
          group.remove();
          self.input.focus(); // the clicked button is gone: keep keyboard focus in the chat
          self.send(choice.payload, choice.title);
        });
        group.appendChild(button);
      });
      this.log.appendChild(group);
    }
  };

  ChatWidget.prototype.sendTyped = function () {
    var text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.send(text, text);
  };

  ChatWidget.prototype.send = function (payload, shown) {
    this.addMessage("user", shown);
    if (this.ready) this.emit(payload);
    else this.pending.push(payload);
  };

  ChatWidget.prototype.emit = function (payload) {
    this.setTyping(true);
    this.socket.emit("user_uttered", { message: payload, session_id: this.sessionToken });
  };

  function start() { window.ClinicChat = new ChatWidget(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
