// The visit act on a phone: htmx saves the draft on every change; this script keeps a
// copy on the phone so a dropped connection (a school basement) loses nothing, and
// sends it again when the network returns. The page works without it.
(function () {
  "use strict";

  var locked = document.getElementById("act-locked-marker");
  if (locked) {
    // The act is filed: the phone's copy is no longer needed.
    try { window.localStorage.removeItem("vpr-act-" + locked.dataset.assignment); } catch (e) { /* private mode */ }
    return;
  }
  var form = document.getElementById("act-form");
  if (!form || !window.htmx) { return; }
  var key = "vpr-act-" + form.dataset.assignment;
  var status = document.getElementById("autosave-status");
  var none = document.getElementById("id_no_violations");
  var boxes = form.querySelectorAll("input[data-violation]");

  function read() {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(dirty) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      (data[name] = data[name] || []).push(value);
    });
    try {
      window.localStorage.setItem(key, JSON.stringify({ revision: form.dataset.revision, dirty: dirty, data: data }));
    } catch (e) { /* storage full or disabled: the server copy still works */ }
  }
  function restore(data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") { return; }
      var values = data[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1 || (el.value === "on" && values.length > 0);
      } else {
        el.value = values.length ? values[0] : "";
      }
    });
  }
  function say(html) { status.innerHTML = html; }

  // A copy left unsent last time, made on top of the version the server still has: resend it.
  var saved = read();
  if (saved && saved.dirty && String(saved.revision) === String(form.dataset.revision)) {
    restore(saved.data);
    say('<span class="text-warning">Восстановлен черновик, сохранённый на телефоне. Отправляем…</span>');
    window.setTimeout(function () { window.htmx.trigger(form, "act-retry"); }, 100);
  }

  form.addEventListener("change", function () { write(true); });
  form.addEventListener("input", function () { write(true); });
  // Before a full submit, too: if the page fails to load offline, the copy is there on return.
  form.addEventListener("submit", function () { write(true); });

  // «No violations» and the checklist exclude each other.
  if (none) {
    none.addEventListener("change", function () {
      if (none.checked) { boxes.forEach(function (box) { box.checked = false; }); }
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () { if (box.checked) { none.checked = false; } });
    });
  }

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    // Refusals (409 locked, 422 invalid) carry a message for the status line.
    var status = event.detail.xhr.status;
    if ((status === 409 || status === 422) && event.detail.elt.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form || !event.detail.successful) { return; }
    var revision = event.detail.xhr.getResponseHeader("X-Act-Revision");
    if (revision) { form.dataset.revision = revision; }
    write(false);
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt !== form) { return; }
    say('<span class="text-warning" data-autosave="offline">Нет связи. Черновик сохранён на телефоне и будет отправлен, когда связь появится.</span>');
  });
  window.addEventListener("online", function () {
    var copy = read();
    if (copy && copy.dirty) { window.htmx.trigger(form, "act-retry"); }
  });
})();
