// Kontrol's small progressive enhancements. Pages work without it; no inline script anywhere.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Buttons with data-confirm ask before submitting their form.
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
  // Selects with data-autosubmit submit their form on change (filter bars).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  // Token and code blocks with data-copy copy themselves on click.
  document.querySelectorAll("code.token").forEach((code) => {
    code.title = "Click to copy";
    code.addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText(code.textContent.trim()));
  });
});
