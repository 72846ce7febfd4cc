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
