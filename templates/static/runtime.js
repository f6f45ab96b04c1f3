/* SCO run-time for SCORM 1.2: one HTML document per SCO, one LMS session per document.
 * Pages, quiz and bookmark live here; the LMS only ever sees what the learner did.
 * No dependencies; it must also run with no LMS at all (preview, opened from disk). */
(function () {
  "use strict";

  const dataNode = document.getElementById("sco-data");
  if (!dataNode) return;
  const sco = JSON.parse(dataNode.textContent),
    S = sco.strings,
    quiz = sco.quiz,
    $ = (css, root = document) => root.querySelector(css),
    $$ = (css, root = document) => Array.from(root.querySelectorAll(css)),
    on = (target, type, handler) => target?.addEventListener(type, handler), // no target: nothing
    { max, min, round, floor } = Math;
  const format = (text, values) =>
    text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
  // Scores as people read them: 80, 85.7 (never rounded up past what was earned).
  const figure = (value) => String(floor(round(value * 1000) / 100) / 10),
    started = Date.now();

  // Strict SCORM 1.2 / Moodle limits.
  const MAX_NUMERIC = 20; // characters kept of a numeric answer, so 100 questions fit in suspend_data
  const STATUSES = ["passed", "completed", "failed", "incomplete", "browsed"]; // "not attempted": ""

  /* ---------- The notice: quiet (no LMS) or a warning (a value may not be saved) ---------- */

  const noticeNode = $("[data-notice]");
  function notice(text, kind) {
    noticeNode.textContent = text;
    noticeNode.dataset.kind = kind;
    noticeNode.hidden = false;
  }

  /* ---------- The LMS: find, call, never throw ---------- */

  // SCORM 1.2 search: this window and up to 7 parents, then the opener and its parents.
  // A cross-origin ancestor throws on access: skip it and keep climbing.
  function findApi() {
    for (let win of [window, window.opener]) {
      for (let level = 0; win && level < 8; level++) {
        try {
          if (win.API?.LMSInitialize) return win.API;
        } catch { /* cross-origin frame */ }
        win = win.parent === win ? null : win.parent;
      }
    }
    return null;
  }

  const written = {}; // element -> value the LMS accepted (dirty tracking)
  let api = null,
    active = false, // initialized and not yet finished: no call outside this window
    dirty = false, // something accepted since the last commit
    soonTimer = 0, // a commit of answers in progress is due
    lastSoon = 0; // when the last of them was committed

  // Some LMSs answer String objects or numbers: compare as strings.
  function call(name, ...args) {
    try {
      return String(api[name](...args));
    } catch {
      return "false"; // an LMS that throws is an LMS that refused
    }
  }
  // A refusal is tried once more, then the learner is told.
  const accepted = (...args) => call(...args) === "true" || call(...args) === "true";
  const refused = () => notice(S.not_saved, "error");
  // Reads are validated by their callers ("" when the LMS has nothing or fails).
  const getValue = (element) => (active ? call("LMSGetValue", element) : "");
  // Write only what changed.
  function setValue(element, value) {
    value = String(value);
    if (!active || written[element] === value) return;
    if (accepted("LMSSetValue", element, value)) {
      written[element] = value;
      dirty = true;
    } else refused();
  }
  // Several elements under one prefix, in order; "" is left unwritten.
  function write(prefix, fields) {
    for (const key in fields) if (fields[key] !== "") setValue(prefix + key, fields[key]);
  }
  // Interactions are a journal (write-only, no gaps): each entry is appended after the last.
  let entries = -1;
  function journal(fields) {
    if (entries < 0) entries = +getValue("cmi.interactions._count") || 0;
    write("cmi.interactions." + entries + ".", fields);
    entries++;
  }
  // The time so far goes with every commit: an LMS that ends the session itself (or a crash)
  // keeps the last one. Each write replaces the session's value; the LMS adds it up once.
  function commit() {
    clearTimeout(soonTimer);
    soonTimer = 0;
    if (!active || !dirty) return;
    setValue("cmi.core.session_time", timespan(Date.now() - started));
    if (accepted("LMSCommit", "")) dirty = false;
    else refused();
  }
  // Answers in progress: committed shortly after a change, at most once every 30 s.
  function commitSoon() {
    if (soonTimer) return;
    soonTimer = setTimeout(() => {
      lastSoon = Date.now();
      save(true);
    }, max(2000, lastSoon + 30000 - Date.now()));
  }

  /* ---------- Time formats ---------- */

  const pad = (n) => String(n).padStart(2, "0");
  // CMITimespan HHHH:MM:SS.SS with at least two hour digits (Moodle rejects "0:05:00").
  function timespan(ms) {
    const centis = max(0, round(ms / 10));
    return [min(9999, centis / 360000), centis / 6000 % 60, centis / 100 % 60]
      .map((n) => pad(floor(n))).join(":") + "." + pad(centis % 100);
  }
  // CMITime HH:MM:SS (time of day).
  const clock = (date) => date.toTimeString().slice(0, 8);

  /* ---------- State, and how it is kept in suspend_data ---------- */

  const pages = $$("section.page[data-page]"),
    last = pages.length - 1, // the quiz page, when there is a quiz
    questions = quiz ? quiz.questions : [],
    objectives = quiz ? quiz.objectives : [];
  const MAX_TRIES = 9999; // counted on past that with unlimited attempts: suspend_data stays bounded
  const state = {
    page: 0,
    seen: pages.map(() => false),
    answers: questions.map(() => ""), // keys joined ("ab"), "t"/"f", or the number typed
    tries: 0, // submitted tries in this LMS attempt (each has its own draw of questions)
    graded: false, // the answers on screen were submitted and are shown with feedback
    best: -1, // the best score of this LMS attempt (-1: none yet), the one the LMS holds
    seed: floor(Math.random() * 0x7fffffff), // the draw, question and choice order
    read: pages.map(() => 0), // milliseconds each page was read (the quiz's stays 0)
    attest: "", // when the learner confirmed the attestation of this content version
  };
  let touched = false; // the learner moved or answered: only then is there a bookmark to write

  // suspend_data: JSON with one-letter keys (scorm_builder/suspend_data.py computes its worst case).
  function serialize() {
    const short = {
      s: state.seen.map((seen) => (seen ? 1 : 0)).join(""),
      a: state.answers,
      t: state.tries,
      g: state.graded ? 1 : 0,
      b: state.best,
      r: state.seed,
      v: sco.version, // the content version this learner's data belongs to
      d: state.day, // the day the quiz was passed (YYYY-MM-DD), for the certificate
      w: state.read.map((ms) => min(99999, round(ms / 1000))), // seconds read per page
      e: state.attest,
    };
    return JSON.stringify(short); // at most 4,096 characters: the build proves it
  }
  // All or nothing: the bookmark is used only with the state saved beside it.
  function restore(text, location) {
    let saved;
    try { saved = JSON.parse(text); } catch { return false; }
    if (typeof saved?.s !== "string") return false;
    // A new version of the lesson may have other pages or questions: keep only what still fits.
    if (saved.s.length === pages.length) {
      state.seen = saved.s.split("").map((bit) => bit === "1");
      state.read = pages.map((p, i) => saved.w?.[i] * 1000 || 0);
    }
    // An attestation is of one version of the content: a changed lesson is confirmed again.
    if (saved.v === sco.version && typeof saved.e === "string") state.attest = saved.e;
    if (Array.isArray(saved.a) && saved.a.length === questions.length) {
      state.answers = saved.a.map((answer) => String(answer).slice(0, 26)); // 26 choice keys at most
      state.graded = saved.g === 1;
    }
    if (Number.isInteger(saved.t) && saved.t >= 0) state.tries = saved.t;
    if (typeof saved.b === "number" && saved.b <= 100) state.best = saved.b;
    if (Number.isInteger(saved.r)) state.seed = saved.r;
    if (/^[\d-]{10}$/.test(saved.d)) state.day = saved.d;
    if (pages[location]) state.page = +location; // written by us: "0", "1", ...
    return true;
  }

  function save(andCommit) {
    tally();
    if (!quiz && status !== "completed" && state.seen.every(Boolean) && opened()) {
      // Without a quiz: every page seen, read long enough, confirmed.
      setValue("cmi.core.lesson_status", (status = "completed"));
      setValue("cmi.core.exit", "");
    }
    if (touched) {
      setValue("cmi.core.lesson_location", state.page);
      setValue("cmi.suspend_data", serialize());
    }
    if (andCommit) commit();
  }

  /* ---------- Pages ---------- */

  const pager = $("nav.pager"),
    progress = $("[data-progress]"),
    previousButton = $('[data-go="previous"]'),
    nextButton = $('[data-go="next"]'),
    tocLinks = $$("[data-page-link]");
  let status = ""; // cmi.core.lesson_status as we know it
  let quizStarted = 0; // when the current try was first shown (for latency)

  function show(index, moveFocus) {
    tally(); // the time so far belongs to the page being left
    index = max(0, min(last, index));
    state.page = index;
    state.seen[index] = true;
    pages.forEach((page, i) => { page.hidden = i !== index; });
    tocLinks.forEach((link, i) => { // one per page, in order
      if (i === index) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
      if (state.seen[i]) link.dataset.seen = "";
    });
    progress.textContent = index + 1 + " / " + pages.length;
    previousButton.disabled = index === 0;
    nextButton.disabled = index === last;
    if (quiz && index === last && !quizStarted) quizStarted = Date.now();
    if (moveFocus) {
      $("h2", pages[index]).focus();
      scrollTo(0, 0);
    }
    if (gateNode) { // on the quiz page, or (without a quiz) the last page
      if (form) form.hidden = !opened();
      gateNode.hidden = opened() || index < last;
      gateNode.textContent = needs().join(" ");
    }
  }
  function go(index) {
    if (pager.hidden || index === state.page || !pages[index]) return;
    touched = true;
    show(index, true);
    save(true); // the bookmark moved: one commit per page turn
  }

  /* ---------- Reading time, and what opens the quiz ---------- */

  // Time counts on the lesson's pages while this document is visible and the learner did
  // something in the last 5 minutes: a tab left open or behind another is not reading.
  const IDLE = 3e5; // ms: 5 minutes
  let mark = started,
    lastInput = started,
    visible = !document.hidden;
  function tally() {
    const now = Date.now();
    if (visible && !(quiz && state.page === last)) state.read[state.page] += max(0, min(now, lastInput + IDLE) - mark);
    mark = now;
  }
  const readMs = () => state.read.reduce((sum, ms) => sum + ms),
    readSpan = () => timespan(round(readMs() / 1000) * 1000);
  for (const type of ["keydown", "pointermove", "pointerdown", "scroll"]) {
    addEventListener(type, () => { tally(); lastInput = mark; touched = true; }, true); // reading is progress to keep
  }

  // What the quiz (or, without one, completion) still waits for: this version's attestation,
  // and the minimum reading time, which never locks out a try once made.
  const gateNode = $("[data-gate]"),
    attestForm = $("form[data-attest]"),
    readingLeft = () => state.tries || passed ? 0 : Math.ceil((sco.minReading - readMs()) / 60000),
    attestLeft = () => attestForm && !state.attest,
    opened = () => !attestLeft() && readingLeft() <= 0;
  function needs() { // in the learner's words
    const left = readingLeft();
    return [left > 0 && format(quiz ? S.gate_reading : S.gate_complete, { minutes: sco.minReading / 60000, left }), quiz && attestLeft() && S.gate_attest].filter(Boolean);
  }

  // The total reading time joins the journal of interactions whenever it grew, so that
  // Moodle's reports show it beside the answers: "00:12:34.00" as response and latency,
  // and against the minimum (correct_responses) when there is one.
  let readWritten = "";
  function recordReading() {
    tally();
    const span = readSpan(),
      least = sco.minReading;
    if (span === readWritten) return;
    readWritten = span;
    journal({
      id: "reading",
      type: "performance",
      "correct_responses.0.pattern": least ? timespan(least) : "",
      student_response: span,
      result: !least ? "neutral" : readMs() < least ? "wrong" : "correct",
      latency: span,
      time: clock(new Date()),
    });
  }

  /* ---------- The attestation: confirmed once per content version ---------- */

  // Confirmed (now or before, on this version): the form gives way to what was recorded.
  const attested = $("[data-attested]");
  const showAttested = () => { attestForm.hidden = !(attested.hidden = !state.attest); };
  // The box is `required`: the browser itself asks for the tick, in the learner's language.
  on(attestForm, "submit", (event) => {
    event.preventDefault();
    const now = new Date();
    state.attest = now.toLocaleString("sv").slice(0, 16); // YYYY-MM-DD HH:MM, local time
    touched = true;
    journal({ id: "attest", type: "performance", student_response: state.attest + " " + sco.version, time: clock(now) });
    showAttested();
    attested.focus();
    save(true); // a record the hospital shows: committed the moment it exists
  });

  on(pager, "click", (event) => {
    const way = event.target.dataset.go;
    if (way) go(state.page + (way === "next" ? 1 : -1));
  });
  tocLinks.forEach((link, i) => on(link, "click", (event) => {
    event.preventDefault();
    go(i);
  }));
  // Arrow keys turn pages, except where they already mean something (inputs, radio groups,
  // a table or code scrolled sideways).
  on(document, "keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.defaultPrevented) return;
    if (event.target.closest?.("input, .table-scroll, pre")) return;
    if (event.key === "ArrowRight") go(state.page + 1);
    else if (event.key === "ArrowLeft") go(state.page - 1);
  });

  // The LMS may show this document in a frame taller than its window and far down its page
  // (Moodle: at least 680 px, 260-300 px down). The pager sits at the bottom of the part of the
  // frame the learner sees: the observer measures it against the top window, cross-origin too.
  {
    const probe = document.createElement("div");
    probe.className = "viewport-probe";
    document.body.append(probe);
    const steps = Array.from({ length: 201 }, (_, i) => i / 200);
    new IntersectionObserver(([entry]) => {
      const below = entry.isIntersecting ? max(0, window.innerHeight - entry.intersectionRect.bottom) : 0;
      document.documentElement.style.setProperty("--below", floor(below) + "px");
    }, { threshold: steps }).observe(probe);
    on(pager, "focusin", (event) => event.target.scrollIntoView({ block: "nearest" }));
  }

  /* ---------- The answer key: digests to grade against, the key itself encoded ---------- */

  // xorshift32: the key's stream and the shuffles (mirrored by scorm_builder/answer_key.py).
  const xorshift = (x) => { x ^= x << 13; x ^= x >>> 17; return x ^ (x << 5); };
  // FNV-1a (32 bits) over ASCII text; mirrored by scorm_builder/answer_key.py.
  function fnv(text) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x1000193) >>> 0;
    return hash;
  }
  const digest = (q, pattern) => fnv(q.salt + ":" + q.id + ":" + pattern).toString(16).padStart(8, "0");
  // The correct answer and the explanation, opened only once the learner has submitted.
  function revealed(q) {
    if (!q.open) {
      let x = fnv(q.salt + q.id) || 1;
      // One xorshift32 step per four bytes, each byte of the state in turn.
      const bytes = Uint8Array.from(atob(q.key), (c, i) => {
        if (!(i & 3)) x = xorshift(x);
        return c.charCodeAt(0) ^ (x >>> 8 * (i & 3) & 255);
      });
      q.open = JSON.parse(new TextDecoder().decode(bytes));
    }
    return q.open;
  }

  /* ---------- Quiz ---------- */

  const form = $("form[data-quiz]"),
    resultNode = $("[data-result]"),
    retryButton = $("[data-retry]"),
    submitButton = form ? $('[type="submit"]', form) : null,
    formError = $("[data-form-error]");
  let answeredAt = {}; // question index -> time of the last change in this try
  let masteryScore = quiz ? quiz.passMark : 0,
    passed = false;

  const lock = (on) => $$("input", form).forEach((input) => { input.disabled = on; }),
    questionNode = (q) => form.querySelector('[data-question="' + CSS.escape(q.id) + '"]'),
    inputs = (q) => $$("input", questionNode(q));

  // A small seeded generator, so a resumed learner sees the same order as before.
  function shuffled(items, seed) {
    let x = seed >>> 0 || 1;
    const random = () => ((x = xorshift(x)) >>> 0) / 2 ** 32,
      copy = items.slice();
    for (let i = copy.length - 1; i > 0; i--) {
      const j = floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }
  // The try on screen: the one being answered, or the one just graded.
  const tryIndex = () => (state.graded ? state.tries - 1 : state.tries);
  // Pools (quiz.pools): each objective's questions (or the whole quiz) and how many to draw.
  // Each try draws afresh, avoiding the previous try's questions while a pool has enough others.
  // Only the seed and the try count are saved: the draws are replayed from them.
  function draw(index) {
    let previous = new Set(),
      chosen = questions.map((q, i) => i);
    if (quiz.pools.every(([pool, count]) => !count || count >= pool.length)) return chosen;
    for (let k = 0; k <= index; k++) {
      chosen = quiz.pools.flatMap(([pool, count], g) => {
        const seed = state.seed + k * 7919 + g * 104729,
          fresh = shuffled(pool.filter((i) => !previous.has(i)), seed);
        return fresh.concat(shuffled(pool.filter((i) => previous.has(i)), seed + 1)).slice(0, count || pool.length);
      });
      previous = new Set(chosen);
    }
    return chosen.sort((a, b) => a - b);
  }
  let drawn = []; // the questions of the try on screen
  const asked = () => drawn.map((i) => questions[i]);

  function arrange() {
    const seed = state.seed + tryIndex() * 7919; // a new order for each try
    const list = $("ol.questions", form);
    drawn = draw(tryIndex());
    questions.forEach((q, i) => { questionNode(q).hidden = !drawn.includes(i); });
    const order = quiz.shuffleQuestions ? shuffled(asked(), seed) : asked();
    order.forEach((q, n) => {
      const node = questionNode(q);
      list.appendChild(node);
      const number = $("legend .visually-hidden", node);
      if (number) number.textContent = S.question + " " + (n + 1) + ": ";
      const choices = $("ul.choices", node);
      if (quiz.shuffleChoices && choices && q.type !== "true-false") {
        shuffled($$(":scope > li", choices), seed + n + 1).forEach((li) => choices.appendChild(li));
      }
    });
  }

  // A number as typed on a Japanese keyboard: full-width digits, "1,750", a unit or 億/万 after
  // it ("1750億", "20秒"). Returns it as a plain decimal ("1750"), or "" when it is no number.
  function parseNumber(text) {
    const ascii = text.normalize("NFKC").replace(/[ー−]/g, "-").replace(/[,、\s]/g, "")
      .replace(/^(約|およそ)/, "").replace(/[^\d.]+$/, "");
    const match = /^([+-]?)(\d*)\.?(\d*)$/.exec(ascii);
    if (!match || !(match[2] + match[3])) return "";
    const whole = match[2].replace(/^0+(?=\d)/, "") || "0",
      fraction = match[3].replace(/0+$/, ""),
      sign = match[1] === "-" && /[1-9]/.test(whole + fraction) ? "-" : "";
    return sign + whole + (fraction ? "." + fraction : "");
  }
  // |given - answer| <= tolerance, exactly: the decimals as scaled whole numbers (BigInt).
  function within(given, answer, tolerance) {
    const parts = [given, answer, tolerance].map((text) => text.split(".")),
      scale = max(...parts.map(([, fraction = ""]) => fraction.length)),
      [g, a, t] = parts.map(([whole, fraction = ""]) => BigInt(whole + fraction.padEnd(scale, "0")));
    return (g > a ? g - a : a - g) <= t;
  }
  // Kept as typed, less what JSON would escape (so suspend_data.py can bound its length).
  function readAnswer(q) {
    if (q.type === "numeric") return inputs(q)[0].value.replace(/["\\\u0000-\u001f\ud800-\udfff]/g, "").trim().slice(0, MAX_NUMERIC);
    return inputs(q).filter((input) => input.checked).map((input) => input.value).sort().join("");
  }
  function writeAnswer(q, answer) {
    inputs(q).forEach((input) => {
      if (q.type === "numeric") input.value = answer;
      else input.checked = answer.includes(input.value);
    });
  }
  // SCORM 1.2 response formats: choice "a" or "a,b"; true-false "t"/"f"; numeric a plain number.
  const response = (q, answer) => (q.type === "numeric" ? parseNumber(answer) : answer.split("").join(","));
  function isCorrect(q, answer) {
    if (q.type !== "numeric") return digest(q, response(q, answer)) === q.digest;
    const given = parseNumber(answer);
    return given !== "" && within(given, revealed(q).correct[0], revealed(q).tolerance);
  }
  // The percentage of points, of the whole try or of one objective's questions in it.
  function score(objective) {
    let total = 0,
      got = 0;
    drawn.forEach((i) => {
      const q = questions[i];
      if (objective && q.objective !== objective.id) return;
      total += q.points;
      if (isCorrect(q, state.answers[i])) got += q.points;
    });
    return total ? round((10000 * got) / total) / 100 : 0;
  }
  const objectivePassed = (o) => o.passMark === null || score(o) >= o.passMark;
  // Passing needs the overall mark and the mark of every objective that has one.
  const tryPassed = () => score() >= masteryScore && objectives.every(objectivePassed);
  const attemptsLeft = () =>
    (quiz.maxAttempts ? max(0, quiz.maxAttempts - state.tries) : Infinity);
  function choiceLabel(q, key) {
    const input = inputs(q).find((node) => node.value === key),
      label = input && input.closest("label");
    return label ? label.textContent.trim() : key;
  }
  function summary(value) {
    return format(S.result_summary, {
      score: figure(value), pass_mark: figure(masteryScore), status: passed ? S.passed : S.failed,
    });
  }

  // Show the graded answers: verdicts, explanations, the result, and what the learner may do next.
  function showGraded(focusResult) {
    drawn.forEach((i) => {
      const q = questions[i],
        node = questionNode(q),
        right = isCorrect(q, state.answers[i]),
        key = revealed(q);
      node.dataset.outcome = right ? "correct" : "wrong";
      let text = right ? S.correct : S.wrong;
      if (!right) {
        const answer = q.type === "numeric" ? key.correct : key.correct.map((k) => choiceLabel(q, k));
        text += " — " + S.correct_answer + ": " + answer.join(S.list_separator);
      }
      $("[data-verdict]", node).textContent = text;
      const explanation = $("[data-explanation]", node);
      $("span", explanation).textContent = key.explanation;
      explanation.hidden = !key.explanation;
      $("[data-feedback]", node).hidden = false;
    });
    lock(true);
    const value = score(),
      canRetry = !passed && attemptsLeft() > 0;
    let text = summary(value);
    if (state.best > value) text += " " + format(S.best_kept, { score: figure(state.best) });
    if (!canRetry && !passed) text += " " + S.no_attempts_left;
    else if (canRetry && quiz.maxAttempts) text += " " + format(S.attempts_left, { count: attemptsLeft() });
    resultNode.textContent = text;
    const element = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });
    if (objectives.length) {
      const list = element("ul");
      list.append(...objectives.map((o) => element("li", format(o.passMark === null ? S.objective_score : S.objective_result, {
        title: o.title, score: figure(score(o)), pass_mark: figure(o.passMark), status: objectivePassed(o) ? S.passed : S.failed,
      }))));
      resultNode.append(list, element("p", S.objectives_rule));
    }
    resultNode.dataset.status = passed ? "passed" : "failed";
    submitButton.hidden = true;
    retryButton.hidden = !canRetry;
    if (focusResult) resultNode.focus();
  }
  function clearGraded() {
    questions.forEach((q) => {
      const node = questionNode(q);
      delete node.dataset.outcome;
      $("[data-feedback]", node).hidden = true;
      writeAnswer(q, "");
    });
    lock(false);
    resultNode.textContent = "";
    delete resultNode.dataset.status;
    submitButton.hidden = false;
    retryButton.hidden = true;
  }

  function submit(event) {
    event.preventDefault();
    if (state.graded || passed || attemptsLeft() === 0 || !opened()) return;
    state.answers = questions.map((q, i) => (drawn.includes(i) ? readAnswer(q) : ""));
    // Unanswered, or typed but no number.
    const missing = asked().filter((q) => {
      const answer = state.answers[questions.indexOf(q)];
      return !answer || (q.type === "numeric" && parseNumber(answer) === "");
    });
    asked().forEach((q) => inputs(q).forEach((input) => input.setAttribute("aria-invalid", missing.includes(q))));
    formError.hidden = !missing.length;
    if (missing.length) {
      formError.textContent = missing.some((q) => state.answers[questions.indexOf(q)]) ? S.not_a_number : S.answer_all;
      inputs(missing[0])[0].focus();
      return;
    }
    const now = new Date();
    touched = true;
    state.tries = min(state.tries + 1, MAX_TRIES);
    state.graded = true;
    const value = score();
    passed = tryPassed();
    // A passing try, or a better score, is what the LMS keeps for the attempt.
    const better = passed || value > state.best;
    if (better) state.best = value;
    showGraded(true);
    showCertificate();
    if (!active) return;
    recordReading(); // the reading the answers were given after
    // One interaction per question.
    drawn.forEach((i) => {
      const q = questions[i],
        answer = state.answers[i],
        correct = revealed(q).correct;
      journal({
        id: q.id,
        "objectives.0.id": q.objective,
        type: q.interaction,
        "correct_responses.0.pattern": q.type === "numeric" ? correct[0] : correct.join(","),
        student_response: response(q, answer),
        result: isCorrect(q, answer) ? "correct" : "wrong",
        weighting: q.points,
        latency: timespan((answeredAt[i] || now.getTime()) - (quizStarted || now.getTime())),
        time: clock(now),
      });
    });
    // A worse try never replaces the best one of this attempt: the LMS keeps the best.
    if (better) {
      write("cmi.core.score.", { min: 0, max: 100, raw: value });
      objectives.forEach((o, index) => write("cmi.objectives." + index + ".", {
        id: o.id,
        "score.min": 0,
        "score.max": 100,
        "score.raw": score(o),
        status: o.passMark === null ? "completed" : objectivePassed(o) ? "passed" : "failed",
      }));
    }
    status = passed ? "passed" : "failed";
    setValue("cmi.core.lesson_status", status);
    setValue("cmi.core.exit", passed || attemptsLeft() === 0 ? "" : "suspend"); // over: no resume
    save(true); // the result exists: commit it now, not at exit
  }

  function retry() {
    if (passed || attemptsLeft() === 0) return;
    state.graded = false;
    state.answers = questions.map(() => "");
    answeredAt = {};
    quizStarted = Date.now();
    clearGraded();
    arrange();
    formError.hidden = true;
    $("h2", pages[last]).focus();
  }

  if (form) {
    on(form, "submit", submit);
    on(form, "change", (event) => {
      const node = event.target.closest("[data-question]");
      if (!node || state.graded) return;
      const i = questions.findIndex((q) => q.id === node.dataset.question);
      if (i < 0) return;
      state.answers[i] = readAnswer(questions[i]);
      answeredAt[i] = Date.now();
      touched = true;
      commitSoon();
    });
    on(retryButton, "click", retry);
  }

  /* ---------- The certificate (修了証), once passed ---------- */

  const certificate = $("[data-certificate]");
  function showCertificate() {
    if (!passed) return;
    state.day ||= new Date().toLocaleDateString("sv"); // YYYY-MM-DD, local time
    // Moodle sends "Family, Given"; other LMSs may send one name as it is.
    const [family, given] = getValue("cmi.core.student_name").split(/, */);
    const [n, , , d, p] = $$("dd", certificate); // name, course, lesson, day, score (, version)
    n.textContent = given ? format(S.name_order, { family, given }) : family;
    d.textContent = state.day;
    p.textContent = format(S.score, { score: figure(max(0, state.best)) });
    certificate.hidden = false;
  }
  // Once shown, printing gives the certificate alone (course.css); its button only opens printing.
  on($("[data-print]"), "click", () => print());

  /* ---------- Start and finish ---------- */

  let finished = false;

  function start() {
    active = !!api && call("LMSInitialize", "") === "true";
    if (!active) notice(api ? S.not_saved : S.no_lms, api ? "error" : "info");
    if (active) {
      status = getValue("cmi.core.lesson_status");
      if (!STATUSES.includes(status)) status = "";
      // Resume whenever the LMS hands back our state, whatever `entry` says (an LMS may always
      // answer "ab-initio"); a new attempt comes with no suspend_data and starts afresh.
      const location = getValue("cmi.core.lesson_location"),
        suspended = getValue("cmi.suspend_data");
      if (restore(suspended, location)) {
        written["cmi.suspend_data"] = suspended;
        written["cmi.core.lesson_location"] = location;
        const raw = parseFloat(getValue("cmi.core.score.raw"));
        if (raw >= 0 && raw <= 100) state.best = max(state.best, raw);
        readWritten = readSpan();
      }
      const mastery = parseFloat(getValue("cmi.student_data.mastery_score"));
      if (quiz && mastery >= 0 && mastery <= 100) masteryScore = mastery;
      written["cmi.core.lesson_status"] = status;
    }
    if (quiz) {
      $("[data-pass-mark]").textContent = figure(masteryScore);
      arrange();
      questions.forEach((q, i) => writeAnswer(q, state.answers[i]));
      // Once passed, the quiz stays passed: show it, never grade it worse.
      passed = status === "passed" || (state.graded && tryPassed());
      if (state.graded) showGraded(false);
      else if (passed || attemptsLeft() === 0) {
        // Over, but the answers are gone (a new lesson version, or dropped to fit
        // suspend_data): show the recorded result, and no new attempt past the limit.
        resultNode.textContent = summary(max(0, state.best)) + (passed ? "" : " " + S.no_attempts_left);
        resultNode.dataset.status = passed ? "passed" : "failed";
        lock(true);
        submitButton.hidden = true;
      }
      showCertificate();
    }
    if (attestForm) showAttested();
    show(state.page, false);
    pager.hidden = false;
    if (!active) return;
    if (!status) {
      status = "incomplete";
      setValue("cmi.core.lesson_status", "incomplete");
    }
    const done = passed || status === "completed" || (status === "failed" && quiz && attemptsLeft() === 0);
    setValue("cmi.core.exit", done ? "" : "suspend");
    save(true); // no bookmark yet: that waits until the learner moves
  }

  // The LMS may create its API a moment after this frame loads: look again for a few seconds,
  // backing off, before running as "not connected".
  function connect(wait) {
    api = findApi();
    if (api || wait > 1600) start();
    else setTimeout(() => connect(wait * 2), wait);
  }

  // The learner leaves: commit when hidden (the tab may never come back), finish on pagehide.
  // Never on unload: Chrome forbids it in the SCORM iframe, and sync calls there are dropped.
  on(document, "visibilitychange", () => {
    tally();
    visible = !document.hidden;
    lastInput = mark; // coming back is doing something
    if (!visible) save(true);
  });
  on(window, "pagehide", () => {
    if (!active || finished) return;
    finished = true;
    recordReading();
    save(false);
    setValue("cmi.core.session_time", timespan(Date.now() - started));
    active = false; // nothing after LMSFinish, whatever happens
    if (call("LMSFinish", "") !== "true") notice(S.not_saved, "error");
  });
  // Back from the browser's page cache after LMSFinish: start a new session, as a new launch.
  on(window, "pageshow", (event) => {
    if (event.persisted && finished) window.location.reload();
  });

  pages.forEach((page, i) => { page.hidden = i !== 0; });
  connect(50);
})();
