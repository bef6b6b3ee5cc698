// translit's page: German in, English out, every sentence to check shown with its German.
// Plain JavaScript, no library. Everything a user types or the server returns is put into the
// page as text (textContent), never as markup.
"use strict";

const $ = (id) => document.getElementById(id);
const LONG_TEXT = 5000; // characters: a text this long is translated as a job, with progress
const REASONS = {
  length_ratio: "the English is much shorter or longer than the German (something may be missing)",
  sentence_count: "the English has fewer sentences than the German",
  numbers: "a number of the German is missing from the English",
  degenerate: "the model repeated itself",
  length_limit: "the sentence was too long for the model",
  markup: "formatting could not be placed on the words",
  split: "translated in two halves",
  replaced_bytes: "the German had bytes that were not text",
  glossary: "a glossary term is not in the English",
};

const state = { settings: {}, details: null, brief: null, job: null, controller: null, busy: false, format: "text" };

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function showNotice(message) {
  const box = $("notice");
  box.textContent = message || "";
  box.hidden = !message;
}

function glossaryEntries() {
  const pairs = [];
  const keep = [];
  for (const raw of $("glossary").value.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const at = line.indexOf("=");
    if (at < 0) keep.push(line);
    else pairs.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return { pairs, keep };
}

function common() {
  const body = {};
  const key = $("api-key").value.trim();
  if (key) body.api_key = key;
  const { pairs, keep } = glossaryEntries();
  if (pairs.length) body.glossary = pairs;
  if (keep.length) body.keep = keep;
  return body;
}

async function call(path, body, signal) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    throw new Error(`the service answered ${response.status} without a message`);
  }
  if (!response.ok) throw new Error(data && data.error ? data.error : `the service answered ${response.status}`);
  return data;
}

function setBusy(busy) {
  state.busy = busy;
  $("translate").disabled = busy;
  $("cancel").hidden = !busy;
  $("source").setAttribute("aria-busy", String(busy));
  if (!busy) $("progress").hidden = true;
}

function updateCounter() {
  const length = $("source").value.length;
  const limit = state.settings.charLimit;
  const counter = $("counter");
  counter.textContent = limit && limit > 0 ? `${length} / ${limit}` : `${length}`;
  counter.classList.toggle("over", Boolean(limit && limit > 0 && length > limit));
}

// --- rendering --------------------------------------------------------------------------------

function unitsByParagraph(details) {
  const groups = new Map();
  details.units.forEach((unit, index) => {
    if (!groups.has(unit.paragraph)) groups.set(unit.paragraph, []);
    groups.get(unit.paragraph).push([index, unit]);
  });
  return groups;
}

function explain(unit) {
  const lines = [`German: ${unit.source}`];
  if (unit.score !== null && unit.score !== undefined) lines.push(`confidence (mean log-probability): ${unit.score}`);
  if (unit.low_confidence) lines.push("the model was unsure of this sentence");
  for (const flag of unit.flags || []) lines.push(REASONS[flag] || flag);
  for (const term of unit.terms || []) lines.push(`glossary: ${term.form} → ${term.target}${term.honoured ? "" : " (not honoured)"}`);
  if (unit.by === "memory" && unit.memory) {
    lines.push(`from the translation memory (${[unit.memory.origin, unit.memory.who, unit.memory.created].filter(Boolean).join(", ")})`);
  }
  if (unit.held) lines.push("your correction is waiting for an editor's review");
  if (unit.near) lines.push(`near match in the memory (${unit.near.similarity} %): ${unit.near.source} → ${unit.near.target}`);
  if (state.settings.suggestions) lines.push("click (or press Enter) to correct this sentence");
  return lines.join("\n");
}

function highlight(index, on) {
  for (const node of document.querySelectorAll(`[data-unit="${index}"]`)) node.classList.toggle("linked", on);
}

const tooltip = document.createElement("div");
tooltip.id = "tooltip";
tooltip.setAttribute("role", "tooltip");
tooltip.hidden = true;

function showTooltip(target, text) {
  tooltip.textContent = text;
  tooltip.hidden = false;
  const box = target.getBoundingClientRect();
  tooltip.style.left = `${Math.max(8, Math.min(window.innerWidth - 340, box.left + window.scrollX))}px`;
  tooltip.style.top = `${box.bottom + window.scrollY + 6}px`;
  target.setAttribute("aria-describedby", "tooltip");
}

function hideTooltip(target) {
  tooltip.hidden = true;
  target.removeAttribute("aria-describedby");
}

function renderTranslation(details) {
  const out = $("translation");
  const german = $("source-view");
  out.replaceChildren();
  german.replaceChildren();
  const groups = unitsByParagraph(details);
  details.translations.forEach((text, paragraph) => {
    const p = document.createElement("p");
    const g = document.createElement("p");
    const members = groups.get(paragraph) || [];
    if (!members.length) p.textContent = text;
    members.forEach(([index, unit], k) => {
      if (k) {
        p.append(" ");
        g.append(" ");
      }
      const span = document.createElement(unit.check ? "mark" : "span");
      span.className = unit.check ? "unit check" : "unit";
      span.dataset.unit = String(index);
      span.textContent = unit.translation;
      span.tabIndex = 0;
      if (unit.check) {
        const sign = document.createElement("span");
        sign.className = "sign";
        sign.textContent = " [?]";
        span.append(sign);
        span.setAttribute("aria-label", `${unit.translation} — to check: ${(unit.flags || []).map((f) => REASONS[f] || f).join("; ") || "low confidence"}`);
      }
      if (unit.by === "memory") span.classList.add("memory");
      if (unit.held) span.classList.add("held");
      if (state.settings.suggestions) {
        span.classList.add("editable");
        span.addEventListener("click", () => startEdit(index, span));
        span.addEventListener("keydown", (event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            startEdit(index, span);
          }
        });
      }
      const text = explain(unit);
      span.addEventListener("mouseenter", () => { highlight(index, true); showTooltip(span, text); });
      span.addEventListener("mouseleave", () => { highlight(index, false); hideTooltip(span); });
      span.addEventListener("focus", () => { highlight(index, true); showTooltip(span, text); });
      span.addEventListener("blur", () => { highlight(index, false); hideTooltip(span); });
      p.append(span);
      if (unit.near) {
        const near = document.createElement("span");
        near.className = "near";
        near.textContent = " ≈";
        near.tabIndex = 0;
        const said = `near match in the memory (${unit.near.similarity} %): ${unit.near.source} → ${unit.near.target}`;
        near.setAttribute("aria-label", said);
        near.addEventListener("mouseenter", () => showTooltip(near, said));
        near.addEventListener("mouseleave", () => hideTooltip(near));
        near.addEventListener("focus", () => showTooltip(near, said));
        near.addEventListener("blur", () => hideTooltip(near));
        p.append(near);
      }
      const source = document.createElement("span");
      source.className = "unit";
      source.dataset.unit = String(index);
      source.textContent = unit.source;
      source.addEventListener("mouseenter", () => highlight(index, true));
      source.addEventListener("mouseleave", () => highlight(index, false));
      g.append(source);
    });
    out.append(p);
    german.append(g);
  });
  $("source").hidden = true;
  german.hidden = false;
  $("edit").hidden = false;
  $("output-actions").hidden = false;
  const terms = details.units.flatMap((u) => u.terms || []);
  $("terms").textContent = terms.length
    ? "Glossary terms found: " + [...new Set(terms.map((t) => `${t.form} → ${t.target}${t.honoured ? "" : " (not honoured)"}`))].join(", ")
    : "";
  const checks = details.check_units.length;
  $("detail").textContent = `${details.units.length} sentence(s), ${checks} to check.`;
}

// --- corrections (the translation memory) ------------------------------------------------------

function startEdit(index, span) {
  const unit = state.details.units[index];
  hideTooltip(span);
  const editor = document.createElement("span");
  editor.className = "editor";
  const box = document.createElement("textarea");
  box.className = "edit-unit";
  box.rows = 2;
  box.value = unit.translation;
  box.setAttribute("aria-label", `Correct the English of: ${unit.source}`);
  const save = document.createElement("button");
  save.type = "button";
  save.className = "save-unit";
  save.textContent = "Save";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.textContent = "Cancel";
  editor.append(box, save, cancel);
  span.replaceWith(editor);
  box.focus();
  const close = () => renderTranslation(state.details);
  cancel.addEventListener("click", close);
  save.addEventListener("click", () => saveCorrection(index, box.value));
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      saveCorrection(index, box.value);
    } else if (event.key === "Escape") {
      event.stopPropagation();
      close();
    }
  });
}

async function saveCorrection(index, text) {
  const details = state.details;
  const unit = details.units[index];
  const english = text.split(/\s+/).join(" ").trim();
  if (!english || english === unit.translation) {
    renderTranslation(details);
    return;
  }
  const body = { q: unit.source, s: english, source: "de", target: "en", origin: "page" };
  const key = $("api-key").value.trim();
  if (key) body.api_key = key;
  try {
    await call("/suggest", body);
  } catch (error) {
    showError(`The correction was not saved: ${error.message}`);
    return;
  }
  showError("");
  details.translations[unit.paragraph] = details.translations[unit.paragraph].replace(unit.translation, english);
  unit.translation = english;
  if (state.settings.keyRequired) {
    // With keys the service uses a correction at once: from now on this is the memory's sentence.
    Object.assign(unit, { by: "memory", memory: { origin: "page", who: "you", created: new Date().toISOString().slice(0, 19) + "Z" } });
    Object.assign(unit, { check: false, flags: [], low_confidence: false, score: null, near: null });
    details.check_units = details.check_units.filter((i) => i !== index);
    showNotice("Saved to the translation memory: this sentence is translated so from now on.");
  } else {
    unit.held = true;
    showNotice("Saved for review: the service uses it once an editor accepts it (translit memory review).");
  }
  state.brief = null;
  renderTranslation(details);
}

function renderBrief(brief) {
  const out = $("brief");
  out.replaceChildren();
  if (brief.headline) {
    const h = document.createElement("h3");
    h.textContent = brief.headline;
    out.append(h);
  }
  const list = document.createElement("ul");
  brief.brief.forEach((sentence, i) => {
    const item = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = sentence;
    item.append(text);
    const units = (brief.sources[i] || {}).units || [];
    if (units.length) {
      const link = document.createElement("button");
      link.type = "button";
      link.className = "source-link";
      link.textContent = "German";
      link.setAttribute("aria-label", `Show the German of: ${sentence}`);
      link.addEventListener("click", () => {
        showTab("translation");
        document.querySelectorAll(".linked").forEach((n) => n.classList.remove("linked"));
        units.forEach((u) => highlight(u, true));
        const first = document.querySelector(`#translation [data-unit="${units[0]}"]`);
        if (first) first.focus();
      });
      item.append(" ", link);
      const german = document.createElement("div");
      german.className = "brief-source";
      german.textContent = brief.sources[i].source;
      item.append(german);
    }
    list.append(item);
  });
  out.append(list);
}

function showTab(name) {
  for (const tab of ["translation", "brief"]) {
    const button = $(`tab-${tab}`);
    const selected = tab === name;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(tab).hidden = !selected;
  }
}

// --- exports ------------------------------------------------------------------------------------

function exported(kind) {
  const details = state.details;
  if (!details) return "";
  const marked = details.translations.map((text, paragraph) => {
    const members = details.units.filter((u) => u.paragraph === paragraph);
    return members.length ? members.map((u) => u.translation + (u.check ? " [?]" : "")).join(" ") : text;
  });
  if (kind === "bilingual") return details.source_paragraphs.map((g, i) => `${g}\n${marked[i]}`).join("\n\n") + "\n";
  if (kind === "markdown" && details.document) return details.document; // Markdown in: its own structure
  if (kind === "markdown") {
    const [first, ...rest] = marked;
    const headline = details.source_paragraphs.length > 1 && !/[.!?:]$/.test(details.source_paragraphs[0]);
    return (headline ? [`# ${first}`, ...rest] : marked).join("\n\n") + "\n";
  }
  return marked.join("\n\n") + "\n";
}

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// --- translating --------------------------------------------------------------------------------

async function runJob(file) {
  const form = new FormData();
  form.append("file", file);
  const body = common();
  if (body.api_key) form.append("api_key", body.api_key);
  const response = await fetch("/jobs", { method: "POST", body: form });
  const started = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(started.error || `the service answered ${response.status}`);
  state.job = `/jobs/${encodeURIComponent(started.job)}`;  // this page's own origin, whatever the Host said
  const progress = $("progress");
  progress.hidden = false;
  progress.textContent = "Starting…";
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (!state.job) throw new Error("cancelled");
    const answer = await fetch(state.job);
    const job = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(job.error || `the service answered ${answer.status}`);
    if (job.units) progress.textContent = `${job.units_done} of ${job.units} sentences translated`;
    if (job.status === "done") return job;
    if (job.status === "failed") throw new Error(job.error || "the translation failed");
    if (job.status === "cancelled") throw new Error("cancelled");
  }
}

async function translate() {
  if (state.busy) return;
  showError("");
  showNotice("");
  const text = $("source").value;
  if (!text.trim()) {
    showError("Nothing to translate: paste or type a German text first.");
    return;
  }
  setBusy(true);
  state.controller = new AbortController();
  try {
    if (text.length > LONG_TEXT) {
      await runJob(new File([text], "article.txt", { type: "text/plain" }));
    }
    const data = await call("/translate", { q: text, source: "auto", target: "en", format: state.format, details: true, ...common() }, state.controller.signal);
    const language = data.detectedLanguage;
    if (language && language.language !== "de") {
      showNotice(`This looks ${language.language} (${language.confidence} %), not German; translated anyway.`);
    }
    state.details = data.translit;
    state.brief = null;
    renderTranslation(state.details);
    showTab("translation");
    $("brief").replaceChildren();
  } catch (error) {
    showError(error.name === "AbortError" || error.message === "cancelled" ? "Cancelled." : error.message);
  } finally {
    state.job = null;
    setBusy(false);
  }
}

async function cancel() {
  if (state.controller) state.controller.abort();
  if (state.job) {
    const job = state.job;
    state.job = null;
    await fetch(job, { method: "DELETE" }).catch(() => {});
  }
}

async function openBrief() {
  showTab("brief");
  if (state.brief || !state.details) {
    if (!state.details) $("brief").textContent = "Translate a text first.";
    return;
  }
  try {
    const data = await call("/brief", { q: $("source").value, format: state.format, ...common() });
    state.brief = data;
    renderBrief(data);
  } catch (error) {
    showError(error.message);
  }
}

async function translateFile(file) {
  showError("");
  const name = file.name.toLowerCase();
  if (/\.(txt|md|markdown)$/.test(name) && file.size < 1 << 20) {
    state.format = /\.txt$/.test(name) ? "text" : "markdown";
    $("source").value = await file.text();
    updateCounter();
    editGerman();
    return translate();
  }
  setBusy(true);
  try {
    const job = await runJob(file);
    const link = $("file-link");
    link.href = new URL(job.translatedFileUrl).pathname;  // from this page's own origin
    link.download = job.file;
    link.textContent = `Download ${job.file}`;
    link.hidden = false;
    $("output-actions").hidden = false;
    $("detail").textContent = `${job.file} is ready (${job.units} sentences).`;
  } catch (error) {
    showError(error.message === "cancelled" ? "Cancelled." : error.message);
  } finally {
    state.job = null;
    setBusy(false);
  }
}

function editGerman() {
  $("source").hidden = false;
  $("source-view").hidden = true;
  $("edit").hidden = true;
  $("source").focus();
}

// --- wiring ---------------------------------------------------------------------------------------

// Every control is wired before the settings are fetched: a file chosen or text typed while
// the fetch is under way must not be lost (until the settings come, no limit is shown).
async function start() {
  document.body.append(tooltip);
  $("glossary").value = localStorage.getItem("translit.glossary") || "";
  $("api-key").value = sessionStorage.getItem("translit.key") || "";
  wire();
  try {
    const response = await fetch("/frontend/settings");
    state.settings = await response.json();
  } catch (_) {
    state.settings = {};
  }
  $("key-box").hidden = !state.settings.keyRequired;
  updateCounter();
}

function wire() {
  $("source").addEventListener("input", () => {
    updateCounter();
    if (!$("source").value.trim()) state.format = "text"; // a cleared box starts plain again
  });
  $("source").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      translate();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      tooltip.hidden = true;
      if (state.busy) cancel();
    }
  });
  $("translate").addEventListener("click", translate);
  $("cancel").addEventListener("click", cancel);
  $("edit").addEventListener("click", editGerman);
  $("tab-translation").addEventListener("click", () => showTab("translation"));
  $("tab-brief").addEventListener("click", openBrief);
  for (const id of ["tab-translation", "tab-brief"]) {
    $(id).addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const other = id === "tab-translation" ? "tab-brief" : "tab-translation";
        $(other).focus();
        $(other).click();
      }
    });
  }
  $("glossary").addEventListener("input", () => {
    localStorage.setItem("translit.glossary", $("glossary").value);
    state.brief = null;
  });
  $("api-key").addEventListener("input", () => sessionStorage.setItem("translit.key", $("api-key").value));
  $("copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(exported("text"));
      $("detail").textContent = "Copied.";
    } catch (_) {
      showError("The browser did not allow copying; select the text instead.");
    }
  });
  $("download").addEventListener("click", () => {
    const kind = $("download-format").value;
    const suffix = kind === "markdown" ? "md" : "txt";
    download(`translation${kind === "bilingual" ? ".bilingual" : ""}.${suffix}`, new Blob([exported(kind)], { type: "text/plain" }));
  });
  $("file").addEventListener("change", () => {
    const file = $("file").files[0];
    if (file) translateFile(file);
    $("file").value = "";
  });
  const source = $("source");
  source.addEventListener("dragover", (event) => event.preventDefault());
  source.addEventListener("drop", (event) => {
    event.preventDefault();
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) translateFile(file);
  });
}

start();
