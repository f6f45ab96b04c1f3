// The preview page: a course menu, the SCO in an iframe as an LMS shows it, and a live view of
// what the LMS holds. The LMS itself is lms.js; the server rebuilds the course on every change.
"use strict";

const $ = (selector) => document.querySelector(selector);
const frame = $("[data-frame]");
const storage = window.localStorage;
let course = null;
let current = null; // { sco, api }
let calls = [];
// The words this script writes, in the command's language (the server puts them in the page).
const words = JSON.parse(document.getElementById("preview-text")?.textContent || "{}");
const say = (text, values = {}) =>
  (words[text] || text).replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);

function storageKey(scoId) {
  return `scorm-preview:${course.identifier}:${scoId}`;
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.textContent = text;
  return node;
}

function showState(state) {
  const v = state.values;
  const suspend = v["cmi.suspend_data"];
  const rows = [
    ["SCO", current.sco.title],
    [say("launch phase"), state.phase],
    ["lesson_status", v["cmi.core.lesson_status"]],
    ["score.raw", v["cmi.core.score.raw"]],
    ["score.min / max", `${v["cmi.core.score.min"]} / ${v["cmi.core.score.max"]}`],
    ["mastery_score", v["cmi.student_data.mastery_score"]],
    ["lesson_location", v["cmi.core.lesson_location"]],
    ["entry", v["cmi.core.entry"]],
    ["exit", state.exit],
    ["session_time", state.sessionTime],
    ["total_time", v["cmi.core.total_time"]],
    ["suspend_data", say("{count} / {limit} characters", { count: suspend.length, limit: 4096 })],
    ["", suspend],
  ];
  const list = $("[data-values]");
  list.replaceChildren(...rows.flatMap(([name, value]) => {
    const dd = element("dd", { "data-value": name }, value);
    if (name === "suspend_data" && suspend.length > 4096) dd.className = "too-long";
    return [element("dt", {}, name), dd];
  }));
  $("[data-objectives]").replaceChildren(...state.objectives.map((item, index) => {
    const row = element("tr");
    for (const cell of [index, item.id, item["score.raw"], item["score.min"], item["score.max"],
      item.status]) {
      row.append(element("td", {}, cell ?? ""));
    }
    return row;
  }));
  $("[data-interactions]").replaceChildren(...state.interactions.map((item, index) => {
    const row = element("tr");
    const correct = Object.values(item.correct_responses || {}).join(" | ");
    for (const cell of [index, item.id, item.type, item.student_response, correct, item.result,
      item.weighting, item.latency]) {
      row.append(element("td", {}, cell ?? ""));
    }
    return row;
  }));
}

function logCall(entry) {
  calls.push(entry);
  const args = entry.args.map((a) => JSON.stringify(a)).join(", ");
  const item = element("li", { class: entry.violation ? "violation" : "" },
    `${entry.method}(${args}) → ${JSON.stringify(entry.result)} [error ${entry.error}]`);
  if (entry.violation) item.append(element("span", { class: "rule" }, `✗ ${entry.violation}`));
  $("[data-log]").append(item);
  $("[data-call-count]").textContent = `(${calls.length})`;
  const log = $("[data-log]");
  log.scrollTop = log.scrollHeight; // the newest call stays in view inside the log box
}

async function closeFrame() {
  // Unload the SCO first so its pagehide handler finishes with the API it started with.
  if (!frame.src || frame.src === "about:blank") return;
  await new Promise((resolve) => {
    frame.addEventListener("load", resolve, { once: true });
    frame.src = "about:blank";
  });
  if (current) current.api.endLaunch();
}

async function launch(sco) {
  await closeFrame();
  current = { sco };
  current.api = createLmsApi({
    scoId: sco.id,
    masteryScore: sco.masteryScore,
    storage,
    storageKey: storageKey(sco.id),
    onCall: logCall,
    onChange: showState,
  });
  window.API = current.api;
  showState(current.api.state());
  for (const button of document.querySelectorAll("[data-menu] button")) {
    button.setAttribute("aria-current", String(button.dataset.sco === sco.id));
  }
  frame.src = `/package/${sco.href}`;
}

function showMenu() {
  $("[data-course-title]").textContent = course.title;
  $("[data-menu]").replaceChildren(...course.scos.map((sco) => {
    const button = element("button", { type: "button", "data-sco": sco.id }, sco.title);
    button.addEventListener("click", () => launch(sco));
    const item = element("li");
    item.append(button);
    return item;
  }));
}

async function refresh(firstTime) {
  const response = await fetch("/api/course", { cache: "no-store" });
  const latest = await response.json();
  if (!firstTime && latest.version === course.version) return;
  const errorBox = $("[data-build-error]");
  if (latest.error) {
    course = { ...(course || latest), version: latest.version };
    $("[data-build-error-text]").textContent = latest.error;
    errorBox.hidden = false;
    await closeFrame();
    return;
  }
  errorBox.hidden = true;
  course = latest;
  showMenu();
  const again = current && course.scos.find((sco) => sco.id === current.sco.id);
  await launch(again || course.scos[0]);
}

$("[data-relaunch]").addEventListener("click", () => current && launch(current.sco));
$("[data-reset]").addEventListener("click", async () => {
  await closeFrame(); // first, or the closing SCO would save its state again
  for (const sco of course.scos) storage.removeItem(storageKey(sco.id));
  calls = [];
  $("[data-log]").replaceChildren();
  if (current) await launch(current.sco);
});

refresh(true).then(() => setInterval(() => refresh(false).catch(() => {}), 700));
