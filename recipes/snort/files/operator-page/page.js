// The IDS operator page: recent alerts from /alerts, filtered by sid, refreshed every few
// seconds. Alert fields come from monitored traffic and are untrusted: they are only ever
// written with textContent (the server's Content-Security-Policy enforces Trusted Types,
// so an innerHTML assignment would throw). The operator token lives in sessionStorage
// (this tab only) and leaves the browser only in the Authorization header.
"use strict";
(() => {
  const TOKEN_KEY = "appliance-ids-token";
  const REFRESH_MS = 5000;
  const LIMIT = 200;
  const SID = /^[0-9]{1,10}$/;
  const SEVERITY = { 1: "high", 2: "medium", 3: "low" };
  const $ = (id) => document.getElementById(id);

  let sid = "";
  let timer = null;
  let generation = 0; // a response to an older request (filter changed since) is dropped

  // "#token=...&sid=N": the fragment never reaches the server. The token is moved to
  // sessionStorage and removed from the address bar and the history at once.
  function readFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const token = params.get("token");
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
    }
    const wanted = params.get("sid");
    sid = wanted && SID.test(wanted) ? wanted : "";
    writeFragment();
  }

  function writeFragment() {
    history.replaceState(null, "", location.pathname + (sid ? "#sid=" + sid : ""));
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function showError(message) {
    $("error").textContent = message || "";
    $("error").hidden = !message;
  }

  function showLogin(message) {
    clearTimeout(timer);
    sessionStorage.removeItem(TOKEN_KEY);
    $("alerts").tBodies[0].replaceChildren();
    $("shown").textContent = "";
    $("status").textContent = "";
    $("view").hidden = true;
    $("login").hidden = false;
    showError(message);
    $("token").focus();
  }

  async function get(path) {
    const response = await fetch(path, {
      headers: { Authorization: "Bearer " + token() },
      cache: "no-store",
      credentials: "omit",
      redirect: "error",
    });
    if (response.status === 401) {
      throw new Refused();
    }
    if (!response.ok) {
      throw new Error(path.split("?")[0] + " answered HTTP " + response.status);
    }
    return response;
  }

  class Refused extends Error {}

  function text(value) {
    return value === undefined || value === null ? "" : String(value);
  }

  function endpoint(ip, port) {
    const host = text(ip).includes(":") ? "[" + text(ip) + "]" : text(ip);
    return port === undefined || port === null ? host : host + ":" + text(port);
  }

  function request(event) {
    const http = event.http;
    if (http && typeof http === "object") {
      return [text(http.http_method), text(http.hostname) + text(http.url)].join(" ").trim();
    }
    return text(event.proto);
  }

  function row(event) {
    const alert = event.alert && typeof event.alert === "object" ? event.alert : {};
    const severity = alert.severity;
    const cells = [
      text(event.timestamp),
      text(alert.signature),
      text(alert.signature_id),
      endpoint(event.src_ip, event.src_port),
      endpoint(event.dest_ip, event.dest_port),
      SEVERITY[severity] ? severity + " (" + SEVERITY[severity] + ")" : text(severity),
      request(event),
    ];
    const tr = document.createElement("tr");
    if (SEVERITY[severity]) {
      tr.className = "severity-" + severity;
    }
    for (const value of cells) {
      const td = document.createElement("td");
      td.textContent = value;
      tr.append(td);
    }
    return tr;
  }

  function render(alerts) {
    const rows = (Array.isArray(alerts) ? alerts : []).slice().reverse().map(row); // newest first
    $("alerts").tBodies[0].replaceChildren(...rows);
    $("shown").textContent =
      rows.length + (rows.length === 1 ? " alert" : " alerts") +
      (sid ? " with sid " + sid : "") + ", newest first";
  }

  async function refresh() {
    clearTimeout(timer);
    const mine = ++generation;
    try {
      const query = "/alerts?limit=" + LIMIT + (sid ? "&sid=" + sid : "");
      const alerts = await (await get(query)).json();
      if (mine !== generation) {
        return;
      }
      render(alerts);
      showError("");
      $("status").textContent =
        "updated " + new Date().toLocaleTimeString() + ", every " + REFRESH_MS / 1000 + " s";
    } catch (e) {
      if (e instanceof Refused) {
        return showLogin("The operator token was refused (HTTP 401): enter it again.");
      }
      if (mine === generation) {
        showError("Cannot load the alerts: " + e.message);
      }
    }
    if (mine === generation) {
      timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  // /rules: a summary (bundle digest, rule counts) when it answers JSON, else the rule text.
  async function loadRules() {
    const summary = $("rules-summary");
    summary.replaceChildren();
    $("rules-text").hidden = true;
    try {
      const response = await get("/rules");
      const type = response.headers.get("Content-Type") || "";
      if (type.startsWith("application/json")) {
        describe(summary, await response.json(), "");
        return;
      }
      const rules = await response.text();
      const active = rules.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
      term(summary, "rules", String(active.length));
      $("rules-text").querySelector("pre").textContent = rules;
      $("rules-text").hidden = false;
    } catch (e) {
      if (!(e instanceof Refused)) {
        term(summary, "rules", "not available: " + e.message);
      }
    }
  }

  // Scalars of a JSON object, one level of nesting spelled "outer.inner"; lists by length.
  function describe(list, value, prefix) {
    for (const [key, item] of Object.entries(value || {})) {
      if (Array.isArray(item)) {
        term(list, prefix + key, item.length + " entries");
      } else if (item && typeof item === "object") {
        if (!prefix) {
          describe(list, item, key + ".");
        }
      } else {
        term(list, prefix + key, text(item));
      }
    }
  }

  function term(list, name, value) {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }

  function start() {
    if (!token()) {
      return showLogin("");
    }
    $("login").hidden = true;
    $("view").hidden = false;
    $("sid").value = sid;
    loadRules();
    refresh();
  }

  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    const value = $("token").value.trim();
    $("token").value = "";
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
      showError("");
      start();
    }
  });

  $("filter").addEventListener("submit", (e) => {
    e.preventDefault();
    const wanted = $("sid").value.trim();
    if (wanted && !SID.test(wanted)) {
      return showError("A signature id is a whole number, e.g. 1000001.");
    }
    sid = wanted;
    writeFragment();
    refresh();
  });

  $("all").addEventListener("click", () => {
    sid = "";
    $("sid").value = "";
    writeFragment();
    refresh();
  });

  $("forget").addEventListener("click", () => showLogin(""));

  window.addEventListener("hashchange", () => {
    readFragment();
    start();
  });

  readFragment();
  start();
})();
