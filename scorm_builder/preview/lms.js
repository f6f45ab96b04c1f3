// The LMS side of SCORM 1.2 for `scorm-builder preview`: a strict implementation of the
// run-time API and data model, with the format and range checks Moodle applies, so that
// authors see every mistake a SCO makes before a real LMS silently drops it.
//
// createLmsApi(options) -> API object (window.API); options:
//   scoId, masteryScore (string or ""), storage (a Storage, e.g. localStorage),
//   storageKey, onCall(entry), onChange(state)
"use strict";

const ERRORS = {
  0: "No error",
  101: "General exception",
  201: "Invalid argument error",
  202: "Element cannot have children",
  203: "Element not an array - cannot have count",
  301: "Not initialized",
  401: "Not implemented error",
  402: "Invalid set value, element is a keyword",
  403: "Element is read only",
  404: "Element is write only",
  405: "Incorrect data type",
};

const STATUS = ["passed", "completed", "failed", "incomplete", "browsed", "not attempted"];
const WRITABLE_STATUS = ["passed", "completed", "failed", "incomplete", "browsed"];
const EXIT = ["time-out", "suspend", "logout", ""];
const INTERACTION_TYPES = ["true-false", "choice", "fill-in", "matching", "performance",
  "sequencing", "likert", "numeric"];
const RESULTS = ["correct", "wrong", "unanticipated", "neutral"];

// Moodle's patterns (mod/scorm/datamodels/scorm_12.js): two to four hour digits.
const TIMESPAN = /^\d{2,4}:\d\d:\d\d(\.\d{1,2})?$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const SCORE = /^\d{1,3}(\.\d{1,2})?$/; // Moodle's CMIDecimal: at most two decimals
const IDENTIFIER = /^[\u0021-\u007E]{1,255}$/;

const checks = {
  string255: (v) => v.length <= 255 || "at most 255 characters",
  string4096: (v) => v.length <= 4096 || "at most 4,096 characters (SCORM 1.2 and Moodle)",
  status: (v) => WRITABLE_STATUS.includes(v) ||
    `one of ${WRITABLE_STATUS.join(", ")} ("not attempted" is the LMS's own)`,
  exit: (v) => EXIT.includes(v) || 'one of "time-out", "suspend", "logout" or ""',
  score: (v) => v === "" || (SCORE.test(v) && +v <= 100) ||
    "a number from 0 to 100 with at most two decimals (or empty)",
  timespan: (v) => TIMESPAN.test(v) ||
    "HHHH:MM:SS.SS with at least two hour digits, e.g. 00:05:00",
  time: (v) => TIME.test(v) || "HH:MM:SS(.SS), e.g. 09:30:00",
  identifier: (v) => IDENTIFIER.test(v) || "printable ASCII without spaces, at most 255",
  interactionType: (v) => INTERACTION_TYPES.includes(v) || `one of ${INTERACTION_TYPES.join(", ")}`,
  result: (v) => RESULTS.includes(v) || DECIMAL.test(v) ||
    'correct, wrong, unanticipated, neutral or a number ("incorrect" is SCORM 2004)',
  weighting: (v) => (DECIMAL.test(v) && +v >= -100 && +v <= 100) || "a number from -100 to 100",
  audio: (v) => (/^-?\d+$/.test(v) && +v >= -1 && +v <= 100) || "a whole number from -1 to 100",
  speed: (v) => (/^-?\d+$/.test(v) && +v >= -100 && +v <= 100) ||
    "a whole number from -100 to 100",
  text: (v) => (/^-?\d+$/.test(v) && +v >= -1 && +v <= 1) || "-1, 0 or 1",
};

// element -> [access, check]; access: "r" read-only, "w" write-only, "rw".
const ELEMENTS = {
  "cmi.core._children": ["r"],
  "cmi.core.student_id": ["r"],
  "cmi.core.student_name": ["r"],
  "cmi.core.lesson_location": ["rw", checks.string255],
  "cmi.core.credit": ["r"],
  "cmi.core.lesson_status": ["rw", checks.status],
  "cmi.core.entry": ["r"],
  "cmi.core.score._children": ["r"],
  "cmi.core.score.raw": ["rw", checks.score],
  "cmi.core.score.min": ["rw", checks.score],
  "cmi.core.score.max": ["rw", checks.score],
  "cmi.core.total_time": ["r"],
  "cmi.core.lesson_mode": ["r"],
  "cmi.core.exit": ["w", checks.exit],
  "cmi.core.session_time": ["w", checks.timespan],
  "cmi.suspend_data": ["rw", checks.string4096],
  "cmi.launch_data": ["r"],
  "cmi.comments": ["rw", checks.string4096],
  "cmi.comments_from_lms": ["r"],
  "cmi.student_data._children": ["r"],
  "cmi.student_data.mastery_score": ["r"],
  "cmi.student_data.max_time_allowed": ["r"],
  "cmi.student_data.time_limit_action": ["r"],
  "cmi.student_preference._children": ["r"],
  "cmi.student_preference.audio": ["rw", checks.audio],
  "cmi.student_preference.language": ["rw", checks.string255],
  "cmi.student_preference.speed": ["rw", checks.speed],
  "cmi.student_preference.text": ["rw", checks.text],
  "cmi.interactions._children": ["r"],
  "cmi.interactions._count": ["r"],
  "cmi.objectives._children": ["r"],
  "cmi.objectives._count": ["r"],
};
const INTERACTION_FIELDS = {
  id: checks.identifier, time: checks.time, type: checks.interactionType,
  weighting: checks.weighting, student_response: checks.string255, result: checks.result,
  latency: checks.timespan,
};
const CHILDREN = {
  "cmi.core._children": "student_id,student_name,lesson_location,credit,lesson_status,entry," +
    "score,total_time,lesson_mode,exit,session_time",
  "cmi.core.score._children": "raw,min,max",
  "cmi.student_data._children": "mastery_score,max_time_allowed,time_limit_action",
  "cmi.student_preference._children": "audio,language,speed,text",
  "cmi.interactions._children":
    "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
  "cmi.objectives._children": "id,score,status",
};

function emptyState(masteryScore) {
  return {
    values: {
      "cmi.core.student_id": "preview",
      "cmi.core.student_name": "Preview, Author",
      "cmi.core.lesson_location": "",
      "cmi.core.credit": "credit",
      "cmi.core.lesson_status": "not attempted",
      "cmi.core.entry": "ab-initio",
      "cmi.core.score.raw": "",
      "cmi.core.score.min": "",
      "cmi.core.score.max": "",
      "cmi.core.total_time": "0000:00:00.00",
      "cmi.core.lesson_mode": "normal",
      "cmi.suspend_data": "",
      "cmi.launch_data": "",
      "cmi.comments": "",
      "cmi.comments_from_lms": "",
      "cmi.student_data.mastery_score": masteryScore || "",
      "cmi.student_data.max_time_allowed": "",
      "cmi.student_data.time_limit_action": "continue,no message",
      "cmi.student_preference.audio": "0",
      "cmi.student_preference.language": "",
      "cmi.student_preference.speed": "0",
      "cmi.student_preference.text": "0",
    },
    exit: "",
    sessionTime: "",
    interactions: [],
    objectives: [],
    launches: 0,
  };
}

function toCentiseconds(timespan) {
  const [h, m, s] = timespan.split(":");
  return Math.round(((+h * 60 + +m) * 60 + +s) * 100);
}

function fromCentiseconds(total) {
  const pad = (n, width) => String(n).padStart(width, "0");
  const cs = total % 100;
  const seconds = Math.floor(total / 100);
  return `${pad(Math.floor(seconds / 3600), 4)}:${pad(Math.floor(seconds / 60) % 60, 2)}:` +
    `${pad(seconds % 60, 2)}.${pad(cs, 2)}`;
}

function createLmsApi({ scoId, masteryScore = "", storage, storageKey, onCall, onChange }) {
  const saved = storage && storage.getItem(storageKey);
  let state = saved ? JSON.parse(saved) : emptyState(masteryScore);
  // The mastery score is the package's (it may have changed since the state was saved).
  state.values["cmi.student_data.mastery_score"] = masteryScore || "";
  state.objectives = state.objectives || [];
  let phase = "new"; // new -> running -> finished
  let lastError = 0;

  function log(method, args, result, violation) {
    if (onCall) onCall({ scoId, method, args, result, error: String(lastError), violation });
  }

  function fail(code, rule) {
    lastError = code;
    return { ok: false, rule };
  }

  function save() {
    if (storage) storage.setItem(storageKey, JSON.stringify(state));
    if (onChange) onChange(snapshot());
  }

  function snapshot() {
    return JSON.parse(JSON.stringify({ ...state, phase }));
  }

  function guard(method) {
    if (phase === "new") return fail(301, `${method} before LMSInitialize`);
    if (phase === "finished") return fail(301, `${method} after LMSFinish: an LMS ignores it`);
    return null;
  }

  function getValue(element) {
    if (element in CHILDREN) return { value: CHILDREN[element] };
    if (element === "cmi.interactions._count") return { value: String(state.interactions.length) };
    if (element === "cmi.objectives._count") return { value: String(state.objectives.length) };
    const objective = element.match(/^cmi\.objectives\.(\d+)\.(id|status|score\.(raw|min|max))$/);
    if (objective) {
      const item = state.objectives[+objective[1]];
      if (!item) return fail(201, `${element}: no objective ${objective[1]}`);
      return { value: item[objective[2]] ?? "" };
    }
    if (/\._count$/.test(element)) return fail(203, `${element}: this element is not a list`);
    const interaction = element.match(/^cmi\.interactions\.(\d+)\.(.+)$/);
    if (interaction) {
      if (interaction[2] === "correct_responses._count" || interaction[2] === "objectives._count") {
        const item = state.interactions[+interaction[1]];
        if (!item) return fail(201, `${element}: no interaction ${interaction[1]}`);
        const list = interaction[2].startsWith("c") ? item.correct_responses : item.objectives;
        return { value: String(Object.keys(list || {}).length) };
      }
      return fail(404, `${element} is write-only in SCORM 1.2`);
    }
    const spec = ELEMENTS[element];
    if (!spec) return fail(401, `${element} is not a SCORM 1.2 element`);
    if (spec[0] === "w") return fail(404, `${element} is write-only`);
    return { value: state.values[element] ?? "" };
  }

  function setInteraction(index, field, value, element) {
    const count = state.interactions.length;
    if (index > count) {
      return fail(201, `${element}: index ${index} skips ahead (write index ${count} next)`);
    }
    const pattern = field.match(/^correct_responses\.(\d+)\.pattern$/);
    const objective = field.match(/^objectives\.(\d+)\.id$/);
    const check = INTERACTION_FIELDS[field];
    if (!check && !pattern && !objective) {
      if (/_count$|_children$/.test(field)) return fail(402, `${element} is a keyword`);
      return fail(401, `${element} is not a SCORM 1.2 element`);
    }
    const verdict = check ? check(value) : pattern ? checks.string255(value) : checks.identifier(value);
    if (verdict !== true) return fail(405, `${element}: "${value}" is not ${verdict}`);
    const item = state.interactions[index] || (state.interactions[index] = {});
    if (pattern) {
      const list = item.correct_responses || (item.correct_responses = {});
      if (+pattern[1] > Object.keys(list).length) {
        return fail(201, `${element}: correct_responses index skips ahead`);
      }
      list[pattern[1]] = value;
    } else if (objective) {
      (item.objectives || (item.objectives = {}))[objective[1]] = value;
    } else {
      item[field] = value;
    }
    return { ok: true };
  }

  function setObjective(index, field, value, element) {
    if (index > state.objectives.length) {
      return fail(201, `${element}: index ${index} skips ahead (write index ${state.objectives.length} next)`);
    }
    const check = { id: checks.identifier, status: checks.status, "score.raw": checks.score,
      "score.min": checks.score, "score.max": checks.score }[field];
    if (!check) return fail(401, `${element} is not a SCORM 1.2 element`);
    const verdict = check(value);
    if (verdict !== true) return fail(405, `${element}: "${value}" is not ${verdict}`);
    (state.objectives[index] || (state.objectives[index] = {}))[field] = value;
    return { ok: true };
  }

  function setValue(element, value) {
    const interaction = element.match(/^cmi\.interactions\.(\d+)\.(.+)$/);
    if (interaction) return setInteraction(+interaction[1], interaction[2], value, element);
    const objective = element.match(/^cmi\.objectives\.(\d+)\.(.+)$/);
    if (objective) return setObjective(+objective[1], objective[2], value, element);
    if (element in CHILDREN || /\._count$/.test(element)) {
      return fail(402, `${element} is a keyword: it cannot be set`);
    }
    const spec = ELEMENTS[element];
    if (!spec) return fail(401, `${element} is not a SCORM 1.2 element`);
    if (spec[0] === "r") return fail(403, `${element} is read-only`);
    const verdict = spec[1](value);
    if (verdict !== true) return fail(405, `${element}: "${value}" is not ${verdict}`);
    if (element === "cmi.core.exit") state.exit = value;
    else if (element === "cmi.core.session_time") state.sessionTime = value;
    else state.values[element] = value;
    return { ok: true };
  }

  // What an LMS does at LMSFinish (as Moodle does in normal mode with credit, the only mode
  // here): add the session to the total time, let the mastery score decide passed/failed,
  // and turn an untouched "not attempted" into completed.
  function closeSession() {
    const values = state.values;
    if (state.sessionTime) {
      values["cmi.core.total_time"] = fromCentiseconds(
        toCentiseconds(values["cmi.core.total_time"]) + toCentiseconds(state.sessionTime));
    }
    const mastery = values["cmi.student_data.mastery_score"];
    const raw = values["cmi.core.score.raw"];
    if (mastery !== "" && raw !== "") {
      values["cmi.core.lesson_status"] = +raw >= +mastery ? "passed" : "failed";
    }
    if (values["cmi.core.lesson_status"] === "not attempted") {
      values["cmi.core.lesson_status"] = "completed";
    }
    state.sessionTime = "";
  }

  function call(method, args, body) {
    lastError = 0;
    const outcome = body();
    // A refused LMSGetValue answers "" (the spec and Moodle); the other calls "false".
    const refusal = method === "LMSGetValue" ? "" : "false";
    const result = outcome.ok === false ? refusal : outcome.value ?? "true";
    log(method, args, result, outcome.rule || outcome.warning);
    return result;
  }

  const api = {
    LMSInitialize: (param) => call("LMSInitialize", [param], () => {
      if (param !== "") return fail(201, 'LMSInitialize takes "" as its argument (Moodle refuses no argument)');
      if (phase === "running") return fail(101, "LMSInitialize called twice");
      if (phase === "finished") return fail(101, "LMSInitialize after LMSFinish in one launch");
      phase = "running";
      // As Moodle decides at launch: resume only after an exit of "suspend".
      if (state.launches > 0) {
        state.values["cmi.core.entry"] = state.exit === "suspend" ? "resume" : "";
      }
      state.launches += 1;
      save();
      return { ok: true };
    }),
    LMSFinish: (param) => call("LMSFinish", [param], () => {
      if (param !== "") return fail(201, 'LMSFinish takes "" as its argument (Moodle refuses no argument)');
      const refused = guard("LMSFinish");
      if (refused) return refused;
      closeSession();
      phase = "finished";
      save();
      return { ok: true };
    }),
    LMSGetValue: (element) => call("LMSGetValue", [element], () => {
      return guard("LMSGetValue") || getValue(String(element));
    }),
    LMSSetValue: (element, value) => call("LMSSetValue", [element, value], () => {
      const refused = guard("LMSSetValue");
      if (refused) return refused;
      if (typeof value !== "string") {
        return { ...setValue(String(element), String(value)),
          warning: `${element}: the value should be passed as a string` };
      }
      return setValue(String(element), value);
    }),
    LMSCommit: (param) => call("LMSCommit", [param], () => {
      if (param !== "") return fail(201, 'LMSCommit takes "" as its argument (Moodle refuses no argument)');
      const refused = guard("LMSCommit");
      if (refused) return refused;
      save();
      return { ok: true };
    }),
    LMSGetLastError: () => String(lastError),
    LMSGetErrorString: (code) => ERRORS[+code] || "",
    LMSGetDiagnostic: (code) => ERRORS[code === "" || code === undefined ? lastError : +code] || "",
  };

  // A launch that ends (the frame unloads) without LMSFinish loses the session on a real LMS.
  api.endLaunch = () => {
    if (phase === "running") {
      log("(frame closed)", [], "", "the SCO was closed without LMSFinish: its data is lost on " +
        "an LMS and the next SCO may fail to initialize");
    }
    phase = "finished";
  };
  api.state = snapshot;
  return api;
}

if (typeof window !== "undefined") window.createLmsApi = createLmsApi;
if (typeof module !== "undefined") module.exports = { createLmsApi, fromCentiseconds };
