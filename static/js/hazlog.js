// Small behaviours htmx does not cover, kept out of the HTML because the CSP allows no inline script.
// Everything here is an enhancement: every page works without it.
(function () {
  "use strict";

  function messageList() {
    return document.getElementById("messages");
  }

  function showMessage(text, level) {
    var list = messageList();
    if (!list) {
      return;
    }
    var item = document.createElement("li");
    item.className = "message " + (level || "error");
    item.setAttribute("role", "alert");
    item.textContent = text;
    list.appendChild(item);
  }

  function isEditing(region) {
    return region.querySelector("form[data-editing], form[data-dirty]") !== null;
  }

  // Once the person saves or cancels, a refresh that waited for them happens.
  document.addEventListener("htmx:afterSettle", function () {
    var waiting = document.querySelectorAll("[data-refresh-pending]");
    for (var i = 0; i < waiting.length; i++) {
      if (!isEditing(waiting[i]) && window.htmx) {
        waiting[i].removeAttribute("data-refresh-pending");
        window.htmx.trigger(waiting[i], "refresh-requested");
      }
    }
  });

  // A region that refreshes itself when others change data (data-pause-while-editing) waits while
  // the person has a form open inside it, so a remote change never wipes their unsaved input.
  // The save of that form refreshes the region anyway.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail.elt;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-pause-while-editing")) {
      return;
    }
    if (isEditing(region)) {
      event.preventDefault();
      region.setAttribute("data-refresh-pending", "");
      var note = region.querySelector("[data-paused-note]");
      if (note) {
        note.hidden = false;
      }
    }
  });

  // htmx does not swap error responses; say what happened instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text =
      status === 403
        ? "You do not have permission to do that."
        : status === 404
          ? "That no longer exists, or you cannot see it."
          : status === 409
            ? "That is not possible in the assessment's current state; reload the page."
            : "Something went wrong (" + status + "). Nothing was saved; please try again.";
    showMessage(text, "error");
  });

  // Plain (non-htmx) forms that destroy something ask first; htmx forms use hx-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // Forms whose input should not be wiped by a region refresh say so once the person types in them.
  document.addEventListener("input", function (event) {
    var form = event.target && event.target.form;
    if (form && form.hasAttribute("data-track-dirty")) {
      form.setAttribute("data-dirty", "");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    showMessage("The server could not be reached. Check your connection; nothing was saved.", "error");
  });
})();
