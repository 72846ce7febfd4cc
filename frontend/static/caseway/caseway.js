/* Small behaviours shared by every page. No inline scripts anywhere: the
   Content-Security-Policy allows scripts from this origin only. */
(function () {
  "use strict";

  // Selects marked data-autosubmit submit their form when changed (language switch).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });

  // Buttons marked data-confirm ask before submitting a destructive action.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Buttons marked data-insert-into put data-insert-text at the cursor of that text
  // field (a knowledge-base link into the reply box).
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-insert-into]") : null;
    if (!button) { return; }
    var field = document.querySelector(button.getAttribute("data-insert-into"));
    if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement)) { return; }
    event.preventDefault();
    var text = button.getAttribute("data-insert-text") || "";
    var start = field.selectionStart === null ? field.value.length : field.selectionStart;
    var end = field.selectionEnd === null ? start : field.selectionEnd;
    var before = field.value.slice(0, start);
    var spacer = before && !/\s$/.test(before) ? "\n" : "";
    field.value = before + spacer + text + field.value.slice(end);
    var caret = (before + spacer + text).length;
    field.focus();
    field.setSelectionRange(caret, caret);
  });

  // Keyboard shortcuts: elements with data-shortcut="g t" style keys are reachable from
  // the keyboard when focus is not in a text field.
  var pending = "";
  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) { return; }
    pending = (pending + " " + event.key).trim().split(" ").slice(-2).join(" ");
    var candidates = [pending, event.key];
    for (var i = 0; i < candidates.length; i++) {
      var element = document.querySelector('[data-shortcut="' + candidates[i].replace(/"/g, "") + '"]');
      if (element) {
        event.preventDefault();
        pending = "";
        if (element.matches("input, textarea, select")) { element.focus(); } else { element.click(); }
        return;
      }
    }
  });
})();
