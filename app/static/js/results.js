// Recording results: save each row of the results form without reloading the page.
// The page works without this script (the whole form is posted at once); with it, a row is
// saved when focus leaves it after a change, when Enter is pressed in it, or with its button.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-results]");
  if (!form) return;
  const token = form.querySelector("input[name=csrf_token]");
  const progress = document.querySelector("[data-results-progress]");
  const fields = (row) => Array.from(row.querySelectorAll("input[name], select[name], textarea[name]"));
  const snapshot = (row) => fields(row).filter((input) => input.type !== "hidden")
    .map((input) => input.value).join("\u0000");

  const showErrors = (row, errors) => {
    row.querySelectorAll("p.error[data-generated]").forEach((p) => p.remove());
    row.querySelectorAll("td.has-error").forEach((cell) => cell.classList.remove("has-error"));
    row.querySelectorAll("p.error[data-error]").forEach((p) => p.remove());
    fields(row).forEach((input) => input.setAttribute("aria-invalid", "false"));
    row.classList.toggle("has-error", Object.keys(errors).length > 0);
    Object.entries(errors).forEach(([name, message]) => {
      const input = row.querySelector(`[name$="-${name}"]`) || row.querySelector("select");
      const cell = input.closest("td");
      const note = document.createElement("p");
      note.className = "error";
      note.setAttribute("role", "alert");
      note.dataset.generated = "";
      note.textContent = message;
      cell.classList.add("has-error");
      cell.appendChild(note);
      input.setAttribute("aria-invalid", "true");
    });
  };

  const save = async (row) => {
    if (row.dataset.saving) return;
    const status = row.querySelector("[data-row-status]");
    const body = new FormData();
    body.append("csrf_token", token.value);
    fields(row).forEach((input) => body.append(input.name, input.value));
    const sent = snapshot(row);
    row.dataset.saving = "1";
    status.textContent = form.dataset.msgSaving;
    try {
      const response = await fetch(row.dataset.url, {
        method: "POST", body, credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const answer = await response.json();
      status.textContent = answer.message;
      if (answer.ok) {
        row.querySelector("input[name$='-version']").value = answer.item.version;
        row.className = `result-${answer.item.result}`;
        row.dataset.saved = sent;
        row.classList.toggle("dirty", snapshot(row) !== sent);
        showErrors(row, {});
        if (progress && answer.counts) {
          progress.textContent = form.dataset.msgProgress
            .replace("%(recorded)s", answer.counts.recorded)
            .replace("%(sampled)s", answer.counts.sampled)
            .replace("%(deviations)s", answer.counts.deviations);
        }
      } else {
        showErrors(row, answer.errors || {});
      }
    } catch (error) {
      status.textContent = form.dataset.msgFailed;
    } finally {
      delete row.dataset.saving;
    }
  };

  form.querySelectorAll("tr[data-item]").forEach((row) => {
    row.dataset.saved = snapshot(row);
    const button = row.querySelector("button.row-save");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", () => save(row));
    }
    row.addEventListener("input", () => {
      const dirty = snapshot(row) !== row.dataset.saved;
      row.classList.toggle("dirty", dirty);
      row.querySelector("[data-row-status]").textContent = dirty ? form.dataset.msgUnsaved : "";
    });
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.matches("input, select")) {
        event.preventDefault();
        save(row);
      }
    });
    row.addEventListener("focusout", (event) => {
      const next = event.relatedTarget;
      if (next && row.contains(next)) return;
      // Moving to "save all": the form post saves this row; saving it here too would race it.
      if (next && next.type === "submit" && next.form === form) return;
      if (snapshot(row) !== row.dataset.saved) save(row);
    });
  });
});
