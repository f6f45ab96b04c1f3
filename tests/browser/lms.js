/* The LMS side of the browser tests: scorm-again's Scorm12API behind a recording wrapper.
 *
 * The tests call window.lms.launch({href, saved, refuse}) and then read window.lms:
 *   calls:   every API call the SCOs made: {sco, name, args, result, error}
 *   commits: what the LMS held after each successful LMSCommit / LMSFinish: {sco, by, cmi}
 * lms.next(href) moves the frame straight on to another SCO of the package, as Moodle's
 * table of contents does: that SCO gets a fresh data model once the current one finished,
 * so a SCO that never calls LMSFinish makes the next LMSInitialize fail.
 * `saved` is a cmi snapshot from an earlier session (what a real LMS would have stored);
 * `refuse` = {setValue: n, commit: n} makes the next n calls fail (-1: always).
 * `apiDelay` (ms): window.API appears only that long after the frame has loaded.
 * `entry`: the cmi.core.entry the LMS always answers (e.g. "ab-initio", as wagtail-lms does).
 * `masteryScore`: the LMS's own pass mark, instead of the manifest's.
 * `forma`: answer as forma.lms does: String objects, a number for interactions._count, SCORM
 *   2004's error numbers, credit "no-credit" once passed.
 * lms.close() closes the player as forma.lms does: the LMS calls LMSFinish itself with what
 * the SCO last committed, ignores every later call (answering "true") and blanks the frame.
 */
"use strict";

window.lms = (() => {
  const lms = { calls: [], commits: [], finished: false, real: null, refuse: {}, sco: null,
    options: {}, closedByLms: false };
  let following = null; // the next SCO's fresh data model, taking over after LMSFinish
  const NAMES = ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit",
    "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"];
  const REFUSABLE = { LMSSetValue: "setValue", LMSCommit: "commit" };
  let forcedError = null; // the error code of a refused call, until the next call

  const copy = (value) => JSON.parse(JSON.stringify(value));

  function refuseNow(name) {
    const key = REFUSABLE[name];
    const left = key && lms.refuse[key];
    if (!left) return false;
    if (left > 0) lms.refuse[key] = left - 1;
    return true;
  }

  // forma.lms 4.0.19's answers: String objects, a number for _count, SCORM 2004's error
  // numbers, and credit turned to "no-credit" once the learner passed.
  const ERRORS_2004 = { 301: "132", 401: "401", 402: "404", 403: "404", 404: "405", 405: "406" };
  function forma(name, args, result) {
    if (name === "LMSGetLastError") return new String(ERRORS_2004[result] || result);
    if (name !== "LMSGetValue") return new String(result);
    if (args[0] === "cmi.interactions._count") return Number(result);
    if (args[0] === "cmi.core.credit" && lms.real.cmi.core.lesson_status === "passed") {
      return new String("no-credit");
    }
    return new String(result);
  }

  function wrap(real) {
    const api = {};
    for (const name of NAMES) {
      api[name] = (...args) => {
        let result;
        let error;
        if (lms.closedByLms) {
          result = "true"; // the session is over: later calls are dropped without a word
          error = "0";
        } else if (name === "LMSGetLastError" && forcedError !== null) {
          result = forcedError;
          error = forcedError;
        } else if (refuseNow(name)) {
          forcedError = "101"; // general exception, as an overloaded LMS would answer
          result = "false";
          error = "101";
        } else {
          forcedError = null;
          result = real[name](...args);
          error = String(real.lmsGetLastError());
          if (name === "LMSGetValue" && args[0] === "cmi.core.entry" && lms.options.entry !== undefined) {
            result = lms.options.entry;
          }
        }
        lms.calls.push({ sco: lms.sco, name, args: args.map(String), result: String(result), error });
        if ((name === "LMSCommit" || name === "LMSFinish") && String(result) === "true") {
          lms.commits.push({ sco: lms.sco, by: name, cmi: copy(real.cmi) });
        }
        if (name === "LMSFinish" && String(result) === "true") {
          lms.finished = true;
          if (following) {
            [real, lms.real, lms.sco] = [following.real, following.real, following.sco];
            following = null;
          }
        }
        if (lms.options.forma) return forma(name, args, result);
        return result;
      };
    }
    return api;
  }

  // cmi.student_data.mastery_score comes from the manifest's adlcp:masteryscore of the item.
  async function masteryScore(packageRoot, href) {
    const text = await (await fetch(packageRoot + "imsmanifest.xml")).text();
    const xml = new DOMParser().parseFromString(text, "application/xml");
    const resource = Array.from(xml.getElementsByTagName("resource")).find((r) => r.getAttribute("href") === href);
    if (!resource) throw new Error("no resource with href " + href);
    const item = Array.from(xml.getElementsByTagName("item"))
      .find((i) => i.getAttribute("identifierref") === resource.getAttribute("identifier"));
    const mastery = item && item.getElementsByTagName("adlcp:masteryscore")[0];
    return mastery ? mastery.textContent.trim() : "";
  }

  // What an LMS hands back on relaunch: entry from the last exit, session time added up.
  function relaunchData(saved) {
    const data = copy(saved);
    const core = data.core;
    core.entry = core.exit === "suspend" ? "resume" : "";
    core.total_time = addTimes(core.total_time || "00:00:00", core.session_time || "00:00:00");
    delete core.session_time;
    delete core.exit;
    delete core._children;
    for (const key of ["student_data", "student_preference"]) delete data[key];
    return data;
  }
  function addTimes(a, b) {
    const seconds = (t) => t.split(":").reduce((sum, part) => sum * 60 + parseFloat(part), 0);
    const total = Math.round((seconds(a) + seconds(b)) * 100) / 100;
    const pad = (n) => String(Math.floor(n)).padStart(2, "0");
    return pad(total / 3600) + ":" + pad((total % 3600) / 60) + ":" + pad(total % 60);
  }

  async function dataModel(packageRoot, href, saved) {
    const real = new window.Scorm12API({ autocommit: false, logLevel: 4 /* errors only */ });
    const data = saved ? relaunchData(saved) : { core: {} };
    data.core.student_id = data.core.student_id || "test-learner";
    data.core.student_name = data.core.student_name || "Learner, Test";
    data.core.credit = "credit"; // as Moodle: graded, so the mastery override applies
    const mastery = lms.options.masteryScore; // an LMS admin's own, over the manifest's
    data.student_data = { mastery_score: mastery ?? await masteryScore(packageRoot, href) };
    real.loadFromJSON(data);
    return real;
  }

  function load(url) {
    const frame = document.getElementById("scorm_object");
    return new Promise((resolve) => {
      frame.addEventListener("load", resolve, { once: true });
      frame.src = url;
    });
  }

  lms.launch = async ({ packageRoot, href, saved = null, refuse = {}, options = {} }) => {
    lms.options = options;
    lms.real = await dataModel(packageRoot, href, saved);
    lms.sco = href;
    lms.packageRoot = packageRoot;
    lms.refuse = { ...refuse };
    lms.launchedAt = Date.now();
    const api = wrap(lms.real);
    if (!options.apiDelay) window.API = api;
    await load(packageRoot + href);
    if (options.apiDelay) setTimeout(() => { window.API = api; }, options.apiDelay);
  };

  // forma.lms's close button: finish on the SCO's behalf with what it committed, then blank it.
  lms.close = () => {
    const committed = lms.commits.filter((c) => c.by === "LMSCommit").pop();
    lms.commits.push({ sco: lms.sco, by: "LMS", cmi: committed ? committed.cmi : null });
    lms.closedAt = Date.now();
    lms.closedByLms = true;
    return load("about:blank");
  };

  lms.next = async (href) => {
    following = { real: await dataModel(lms.packageRoot, href, null), sco: href };
    await load(lms.packageRoot + href);
  };

  // Moodle's "Exit activity": the SCO's frame is unloaded (pagehide in the SCO).
  lms.exit = () => load("about:blank");

  lms.last = () => (lms.commits.length ? lms.commits[lms.commits.length - 1].cmi : null);
  return lms;
})();
