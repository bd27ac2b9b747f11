// Kontrol's small progressive enhancements. Pages work without it; no inline script anywhere.
"use strict";

// Pages know script runs (the phone menu collapses only then; without script it stays open).
document.documentElement.classList.add("js");

// The header's menu button (phones) opens and closes the navigation.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector(".menu-button");
  if (!button) return;
  const bar = button.closest(".topbar");
  button.addEventListener("click", () => {
    const open = bar.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && bar.classList.contains("open")) {
      bar.classList.remove("open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
});

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
  // A checkbox with data-select-all="<name>" ticks or unticks every checkbox of that name.
  document.querySelectorAll("input[data-select-all]").forEach((all) => {
    const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`);
    all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
  });
  // Token and code blocks with data-copy copy themselves on click.
  document.querySelectorAll("code.token").forEach((code) => {
    code.title = "Click to copy";
    code.addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText(code.textContent.trim()));
  });
});

// Progress bars for background work (population import, export bundle): poll the JSON
// endpoint until the work is done, then reload the page.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("progress[data-progress-url]").forEach((bar) => {
    const text = bar.parentElement.querySelector("[data-progress-text]");
    const poll = async () => {
      try {
        const response = await fetch(bar.dataset.progressUrl, { headers: { Accept: "application/json" } });
        const state = await response.json();
        if (!["importing", "queued", "building"].includes(state.status)) { window.location.reload(); return; }
        if (typeof state.percent === "number") bar.value = state.percent; else bar.removeAttribute("value");
        const figure = typeof state.percent === "number" ? state.percent : state.rows_read;
        if (text) text.textContent = text.textContent.replace(/[\d.,]+/, figure.toLocaleString());
      } catch (error) { /* try again on the next tick */ }
      window.setTimeout(poll, 1000);
    };
    window.setTimeout(poll, 500);
  });
});

// Server-rendered fragments that refresh themselves (breach countdowns): every element with
// data-refresh="<url>" is re-fetched every data-refresh-seconds (default 30) and its content
// replaced by the server's HTML. A redirect (signed out) or an error leaves the last content.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-refresh]").forEach((box) => {
    const seconds = Math.max(5, Number(box.dataset.refreshSeconds) || 30);
    const refresh = async () => {
      try {
        const response = await fetch(box.dataset.refresh, { headers: { Accept: "text/html" }, credentials: "same-origin" });
        if (response.ok && !response.redirected) box.innerHTML = await response.text();
      } catch (error) { /* keep what is shown; try again on the next tick */ }
    };
    window.setInterval(refresh, seconds * 1000);
  });
});
