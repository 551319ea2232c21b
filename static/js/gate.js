// The gate without network (templates/staff/checkin_home.html). The phone gets its own
// credential and today's list, answers scans and booking codes from that list, queues
// the check-ins it could not send and sends them when the network returns: on
// reconnect, on focus and every few seconds (Background Sync is not in every browser).
// The server's side: staff/checkin.py and registrations/gate.py.
(function () {
  "use strict";
  const root = document.getElementById("gate");
  const Store = window.ElbeGateStore;
  const Scanner = window.ElbeGateScanner;
  if (!root || !Store || !Scanner) {
    return;
  }

  // The catalogue (/jsi18n/) may be missing offline before the page was ever kept.
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
  const interpolate =
    window.interpolate ||
    ((format, values) => format.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name])));
  const say = (format, values) => interpolate(format, values, true);
  // `format` from ngettext, with `count` the number `n` written for the page's language.
  const sayCount = (format, n, values) =>
    interpolate(format, Object.assign({ count: number(n) }, values), true);

  const LANGUAGE = document.documentElement.lang || "en";
  const SYNC_EVERY_MS = 5000;
  const COUNTS_EVERY_MS = 15000;
  const ADMIT_TIMEOUT_MS = 4000;
  const REQUEST_TIMEOUT_MS = 10000;
  const BATCH = 500;
  const FLAGGED_KEPT = 50;
  // Why a request came to nothing: no answer (or none in time), the phone's credential
  // gone, or a refusal whose message (the server's, translated) the volunteer may read.
  const OFFLINE = { offline: true };
  const REVOKED = { revoked: true };
  function Refusal(message) {
    this.message = message;
  }
  const urls = root.dataset;
  const numbers = new Intl.NumberFormat(LANGUAGE);
  const number = (n) => numbers.format(n);

  const $ = (id) => document.getElementById(id);
  const el = {
    status: $("gate-status"),
    notice: $("gate-notice"),
    signOut: $("gate-sign-out"),
    signOutText: $("gate-sign-out-text"),
    signOutStay: $("gate-sign-out-stay"),
    signOutAnyway: $("gate-sign-out-anyway"),
    offline: $("gate-offline"),
    prepare: $("gate-prepare"),
    prepareButton: $("gate-prepare-button"),
    labelField: $("gate-label-field"),
    label: $("gate-label"),
    listInfo: $("gate-list-info"),
    scan: $("gate-scan"),
    scanStart: $("gate-scan-start"),
    scanStop: $("gate-scan-stop"),
    video: $("gate-video"),
    scanMessage: $("gate-scan-message"),
    code: $("gate-code"),
    codeInput: $("gate-code-input"),
    answer: $("gate-answer"),
    answerName: $("gate-answer-name"),
    answerBody: $("gate-answer-body"),
    result: $("gate-result"),
    total: $("gate-total"),
    devices: $("gate-devices"),
    volunteers: $("gate-volunteers"),
    flagged: $("gate-flagged"),
    flaggedList: $("gate-flagged-list"),
    liveCounts: document.getElementById("live-counts")
  };
  // The button's name in the template's language; once the phone has a list, "Update".
  const prepareLabel = el.prepareButton.textContent;

  // What the phone keeps (see gate-store.js): `meta` holds the credential and the state
  // of the list; entries are also indexed in memory by ticket hash and booking code.
  const state = {
    meta: null,
    entries: new Map(),
    byTicket: new Map(),
    byCode: new Map(),
    queue: [],
    reachable: navigator.onLine,
    lastSync: 0,
    // The page came with the counts of this moment.
    lastCounts: Date.now(),
    syncing: null,
    keeping: null,
    shown: null,
    admitting: false,
    preparing: false
  };
  const canKeepTheList = Boolean(
    Store.available() && window.crypto && window.crypto.subtle && window.TextEncoder
  );

  // --- Small helpers -----------------------------------------------------------------

  function make(tag, className, text) {
    const element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  function setText(element, text) {
    // Unchanged text is not written again, so that live regions do not repeat it.
    if (element.textContent !== text) {
      element.textContent = text;
    }
  }

  function uuid() {
    if (window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)]
      .join("-");
  }

  async function ticketHash(token) {
    const digest = await window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0"))
      .join("")
      .slice(0, 32);
  }

  function normaliseCode(text) {
    return text.replace(/[\s-]+/g, "").toUpperCase();
  }

  function clock(date) {
    return date.toLocaleTimeString(LANGUAGE, {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23"
    });
  }

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    if (cookie) {
      return decodeURIComponent(cookie.slice("csrftoken=".length));
    }
    const input = el.prepare.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // A request to the server that never rejects with a network error of its own: it
  // rejects with OFFLINE (no answer, or none in time), else resolves {status, data}.
  async function request(url, options, timeout) {
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), timeout || REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(url, Object.assign(
        { credentials: "same-origin", cache: "no-store", signal: controller.signal },
        options
      ));
      let data = null;
      if ((response.headers.get("Content-Type") || "").indexOf("json") !== -1) {
        data = await response.json();
      }
      return { status: response.status, data: data || {} };
    } catch (error) {
      throw OFFLINE;
    } finally {
      window.clearTimeout(timer);
    }
  }

  function bearer(extra) {
    return Object.assign({ Authorization: "Bearer " + state.meta.token }, extra || {});
  }

  function hasList() {
    return Boolean(state.meta && state.meta.token && state.meta.cursor);
  }

  function isOnline() {
    return navigator.onLine && state.reachable;
  }

  // --- Storage -----------------------------------------------------------------------

  function index(entry) {
    const old = state.entries.get(entry.id);
    if (old) {
      state.byTicket.delete(old.ticket);
      state.byCode.delete(old.code);
    }
    state.entries.set(entry.id, entry);
    state.byTicket.set(entry.ticket, entry);
    state.byCode.set(entry.code, entry);
  }

  function forgetEntries() {
    state.entries.clear();
    state.byTicket.clear();
    state.byCode.clear();
  }

  async function load() {
    const [meta, entries, queue] = await Promise.all([
      Store.get("meta", "state"),
      Store.all("entries"),
      Store.all("queue")
    ]);
    state.meta = meta || null;
    entries.forEach(index);
    state.queue = queue.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  function saveMeta() {
    return state.meta ? Store.put("meta", state.meta, "state") : Store.clear(["meta"]);
  }

  // People of a party let in on this phone whose check-ins have not reached the server:
  // the list's `in` does not count them yet.
  function waiting(registration) {
    return state.queue
      .filter((item) => item.registration === registration)
      .reduce((sum, item) => sum + item.people, 0);
  }

  function peopleIn(entry) {
    return entry.in + waiting(entry.id);
  }

  // --- Talking to the server ---------------------------------------------------------

  async function signIn() {
    const body = new URLSearchParams();
    body.set("label", el.label.value.trim());
    const answer = await request(urls.deviceUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      body: body
    });
    if (answer.status !== 201 || !answer.data.token) {
      throw new Refusal(
        answer.data.error || gettext("Sign in again, then get ready for offline.")
      );
    }
    state.meta = {
      token: answer.data.token,
      device: { id: answer.data.device.id, label: answer.data.device.label },
      expires: answer.data.device.expires,
      cursor: null,
      flagged: (state.meta && state.meta.flagged) || []
    };
    await saveMeta();
  }

  async function fetchList(full) {
    const since = !full && state.meta.cursor && state.meta.language === LANGUAGE
      ? "?since=" + encodeURIComponent(state.meta.cursor)
      : "";
    const answer = await request(urls.listUrl + since, { headers: bearer() });
    if (answer.status === 401) {
      throw REVOKED;
    }
    if (answer.status !== 200) {
      throw OFFLINE;
    }
    const data = answer.data;
    const before = state.shown && JSON.stringify(state.entries.get(state.shown));
    if (data.full) {
      forgetEntries();
    }
    data.entries.forEach(index);
    await Store.putMany("entries", data.entries, data.full);
    Object.assign(state.meta, {
      cursor: data.cursor,
      generated: data.generated,
      fetchedAt: Date.now(),
      expires: data.expires,
      device: data.device,
      ceremonies: data.ceremonies,
      counts: data.counts,
      language: LANGUAGE
    });
    await saveMeta();
    const shown = state.shown && state.entries.get(state.shown);
    if (shown && JSON.stringify(shown) !== before) {
      // Another phone let the party in, or the ticket was cancelled: said at once.
      const focused = el.answer.contains(document.activeElement)
        ? document.activeElement.id
        : null;
      renderAnswer(shown, null, false);
      if (focused !== null) {
        (document.getElementById(focused) || el.answerName).focus();
      }
    }
  }

  async function post(items, timeout) {
    const answer = await request(urls.syncUrl, {
      method: "POST",
      headers: bearer({ "Content-Type": "application/json" }),
      body: JSON.stringify({
        checkins: items.map((item) => ({
          id: item.id,
          registration: item.registration,
          people: item.people,
          at: item.at,
          offline: item.offline
        }))
      })
    }, timeout);
    if (answer.status === 401) {
      throw REVOKED;
    }
    if (answer.status !== 200 || !Array.isArray(answer.data.results)) {
      throw OFFLINE;
    }
    return answer.data;
  }

  function flag(item, result) {
    state.meta.flagged = [
      {
        name: item.name || "",
        people: item.people,
        at: item.at,
        message: result.message || ""
      },
      ...(state.meta.flagged || [])
    ].slice(0, FLAGGED_KEPT);
  }

  // The server's answers to sent check-ins: a check-in leaves the queue only once it is
  // recorded, flagged or refused, never on a lost answer.
  async function settle(items, data) {
    const byId = new Map(items.map((item) => [item.id, item]));
    const done = [];
    const changed = new Map();
    data.results.forEach((result) => {
      const item = byId.get(result.id);
      if (!item || ["recorded", "conflict", "refused"].indexOf(result.result) === -1) {
        return;
      }
      done.push(item.id);
      // A refusal of a check-in made online admitted nobody: the volunteer sees it now.
      if (result.result === "conflict" || (result.result === "refused" && item.offline)) {
        flag(item, result);
      }
      const entry = state.entries.get(result.registration);
      if (entry && typeof result.in === "number") {
        entry.in = result.in;
        changed.set(entry.id, entry);
      }
    });
    state.queue = state.queue.filter((item) => done.indexOf(item.id) === -1);
    state.meta.counts = data.counts || state.meta.counts;
    await Promise.all([
      Store.remove("queue", done),
      Store.putMany("entries", Array.from(changed.values()), false),
      saveMeta()
    ]);
    return done.length;
  }

  async function sendQueue() {
    while (state.queue.length) {
      const batch = state.queue.slice(0, BATCH);
      const data = await post(batch);
      if (!(await settle(batch, data))) {
        return;
      }
    }
  }

  async function expire() {
    // The queue stays: it is sent with the credential of the next sign-in.
    forgetEntries();
    Object.assign(state.meta, { token: null, cursor: null, counts: null, ceremonies: null });
    await Promise.all([Store.clear(["entries"]), saveMeta()]);
    setText(el.notice, gettext("Today's list has expired and was deleted from this phone."));
    setText(el.listInfo, gettext("This phone has no list yet."));
  }

  function expired() {
    return Boolean(
      state.meta && state.meta.token && state.meta.expires &&
      Date.now() > Date.parse(state.meta.expires)
    );
  }

  // Removes everything the phone keeps for the gate.
  async function forget() {
    state.meta = null;
    state.queue = [];
    state.shown = null;
    forgetEntries();
    await Store.clear(["meta", "entries", "queue"]);
  }

  async function revoked() {
    // Counted before they go: a revoked phone can no longer send them.
    const lost = state.queue.length;
    await forget();
    el.answer.hidden = true;
    setText(el.listInfo, gettext("This phone has no list yet."));
    setText(el.notice, lost
      ? sayCount(ngettext(
        "This phone was signed out by the organisers; %(count)s check-in could not be sent.",
        "This phone was signed out by the organisers; %(count)s check-ins could not be sent.",
        lost
      ), lost)
      : gettext("This phone was signed out by the organisers. Its list was deleted."));
  }

  async function refreshCeremonyCounts() {
    if (!el.liveCounts || Date.now() - state.lastCounts < COUNTS_EVERY_MS) {
      return;
    }
    state.lastCounts = Date.now();
    try {
      const answer = await request(urls.countsUrl, {});
      if (answer.status === 200) {
        renderCeremonies(Object.keys(answer.data).map((id) => Object.assign(
          { id: Number(id) }, answer.data[id]
        )));
      }
    } catch (error) {
      // Offline: the counts stay as they were.
    }
  }

  async function runSync() {
    if (state.preparing) {
      return;
    }
    if (!state.meta || !state.meta.token) {
      if (navigator.onLine) {
        await refreshCeremonyCounts();
      }
      return;
    }
    if (expired()) {
      await expire();
      return;
    }
    try {
      await sendQueue();
      await fetchList(false);
      state.reachable = true;
      state.lastSync = Date.now();
      if (!state.meta.kept && !state.keeping) {
        // Got the list but not the page (the network went during "Get ready"): kept now.
        state.keeping = keepThePage()
          .catch((error) => console.error(error))
          .finally(() => {
            state.keeping = null;
          });
      }
    } catch (error) {
      if (error === REVOKED) {
        await revoked();
      } else {
        if (error !== OFFLINE) {
          console.error(error);
        }
        state.reachable = false;
      }
    }
  }

  // One sync at a time; a caller during one waits for it.
  function sync() {
    if (!state.syncing) {
      state.syncing = runSync().catch((error) => console.error(error)).finally(() => {
        state.syncing = null;
        render();
      });
    }
    return state.syncing;
  }

  // --- Getting ready for offline -----------------------------------------------------

  async function keepThePage() {
    if (navigator.storage && navigator.storage.persist) {
      await navigator.storage.persist().catch(() => false);
    }
    if (!("serviceWorker" in navigator)) {
      return;
    }
    await navigator.serviceWorker.register(urls.swUrl, { scope: urls.scope });
    const registration = await navigator.serviceWorker.ready;
    // The worker stores the page and its files when installed; asked again here, so that
    // a phone getting ready a second time keeps the page as it is now. Not waited for
    // long: a slow network must not hold the volunteer up.
    await new Promise((resolve) => {
      const channel = new MessageChannel();
      const timer = window.setTimeout(resolve, 15000);
      channel.port1.onmessage = () => {
        window.clearTimeout(timer);
        resolve();
      };
      registration.active.postMessage({ type: "keep" }, [channel.port2]);
    });
    if (state.meta) {
      state.meta.kept = true;
      await saveMeta();
    }
  }

  async function prepare(event) {
    event.preventDefault();
    if (state.preparing) {
      return;
    }
    state.preparing = true;
    // Not at the same time as a sync: both would send the queue and write the list.
    await state.syncing;
    el.prepareButton.disabled = true;
    el.prepare.setAttribute("aria-busy", "true");
    setText(el.listInfo, gettext("Getting ready…"));
    setText(el.notice, "");
    try {
      if (!state.meta || !state.meta.token) {
        await signIn();
      }
      await sendQueue();
      await fetchList(true);
      state.reachable = true;
      state.lastSync = Date.now();
      await keepThePage();
    } catch (error) {
      if (error === REVOKED) {
        await revoked();
      } else if (error instanceof Refusal) {
        setText(el.listInfo, error.message);
      } else {
        if (error !== OFFLINE) {
          console.error(error);
        }
        state.reachable = error !== OFFLINE && state.reachable;
        setText(el.listInfo, gettext(
          "There is no network: get ready for offline where the phone has a connection."
        ));
      }
    } finally {
      state.preparing = false;
      el.prepareButton.disabled = false;
      el.prepare.removeAttribute("aria-busy");
      render();
    }
  }

  // --- Answering a scan or a booking code --------------------------------------------

  function fact(list, term, value) {
    if (value === "" || value === null || value === undefined) {
      return;
    }
    list.append(make("dt", "col-sm-4", term), make("dd", "col-sm-8", value));
  }

  function ceremonyTitle(id) {
    const ceremony = ((state.meta && state.meta.ceremonies) || []).find((c) => c.id === id);
    return ceremony ? ceremony.title + ", " + ceremony.time : "";
  }

  function admitLabel(n) {
    return sayCount(ngettext("Admit %(count)s person", "Admit %(count)s people", n), n);
  }

  function admitForm(entry, remaining) {
    const form = make("form", "gate-admit");
    form.noValidate = true;
    const field = make("div", "mb-3");
    const label = make("label", "form-label", gettext("People to admit"));
    label.htmlFor = "gate-people";
    const input = make("input", "form-control gate-people");
    Object.assign(input, { type: "number", id: "gate-people", min: 1, max: remaining });
    input.value = String(remaining);
    input.inputMode = "numeric";
    const help = make("div", "invalid-feedback", say(
      gettext("Between 1 and %(count)s."), { count: number(remaining) }
    ));
    help.id = "gate-people-help";
    field.append(label, input, help);
    const button = make(
      "button", "btn btn-success btn-lg gate-admit-button", admitLabel(remaining)
    );
    button.type = "submit";
    input.addEventListener("input", () => {
      const n = Number(input.value);
      if (Number.isInteger(n) && n >= 1 && n <= remaining) {
        setText(button, admitLabel(n));
      }
    });
    form.append(field, button);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const n = Number(input.value);
      const valid = Number.isInteger(n) && n >= 1 && n <= remaining;
      input.classList.toggle("is-invalid", !valid);
      if (valid) {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
        admit(entry, n);
      } else {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", help.id);
        input.focus();
      }
    });
    return form;
  }

  // Shows what the list says about `entry` (null: not on the list); `outcome` is the
  // answer to an admission, `focus` whether this is a new answer the volunteer should
  // be taken to.
  function renderAnswer(entry, outcome, focus, notFound) {
    state.shown = entry ? entry.id : null;
    el.answer.hidden = false;
    const body = make("div");
    body.id = "gate-answer-body";
    if (!entry) {
      setText(el.answerName, gettext("Not on today's list"));
      body.append(make("p", "alert alert-warning", notFound.message));
      if (notFound.link && navigator.onLine) {
        const link = make("a", "", gettext("Look the ticket up on the server"));
        link.href = notFound.link;
        const line = make("p");
        line.append(link);
        body.append(line);
      }
    } else {
      setText(el.answerName, entry.name);
      const inside = peopleIn(entry);
      const remaining = Math.max(0, entry.party - inside);
      if (entry.refuse) {
        const refusal = make("div", "alert alert-danger gate-refuse");
        refusal.append(
          make("p", "gate-refuse-title", gettext("Do not admit")),
          make("p", "mb-0", entry.refuse)
        );
        body.append(refusal);
      } else if (outcome && outcome.refused) {
        const refusal = make("div", "alert alert-danger gate-refuse");
        refusal.setAttribute("role", "alert");
        refusal.append(
          make("p", "gate-refuse-title", gettext("Not admitted")),
          make("p", "mb-0", outcome.refused)
        );
        body.append(refusal);
      } else if (!remaining) {
        body.append(make("p", "alert alert-warning", sayCount(ngettext(
          "The whole party (%(count)s person) is already in.",
          "The whole party (%(count)s people) is already in.",
          entry.party
        ), entry.party)));
      }
      const facts = make("dl", "row ticket-facts gate-facts");
      fact(facts, gettext("Party"), sayCount(
        ngettext("%(count)s person", "%(count)s people", entry.party),
        entry.party
      ));
      fact(facts, gettext("Already in"), say(gettext("%(in)s of %(party)s"), {
        in: number(inside),
        party: number(entry.party)
      }));
      fact(facts, gettext("Seat category"), entry.category);
      fact(facts, gettext("Needs"), (entry.needs || []).join(", "));
      fact(facts, gettext("Note on needs"), entry.needs_note);
      fact(facts, gettext("Assistance"), entry.assistance);
      fact(facts, gettext("Guests"), entry.guests);
      fact(facts, gettext("Ceremony"), ceremonyTitle(entry.ceremony));
      fact(facts, gettext("Booking code"), entry.code_display);
      body.append(facts);
      if (!entry.refuse && remaining) {
        body.append(admitForm(entry, remaining));
      }
    }
    el.answerBody.replaceWith(body);
    el.answerBody = body;
    if (outcome !== null) {
      el.result.className =
        "gate-result" + (outcome && outcome.kind ? " gate-result-" + outcome.kind : "");
      setText(el.result, (outcome && outcome.text) || "");
    }
    if (focus) {
      el.answerName.focus();
    }
  }

  async function showTicket(text) {
    const match = /\/checkin\/([^/?#]+)/.exec(text);
    if (!match) {
      setText(el.scanMessage, gettext("This QR code is not a ticket for this site."));
      return;
    }
    let token = match[1];
    try {
      token = decodeURIComponent(token);
    } catch (error) {
      // Left as it was read.
    }
    const online = urls.ticketUrl.replace("TOKEN", encodeURIComponent(token));
    if (!hasList()) {
      if (navigator.onLine) {
        window.location.assign(online);
      } else {
        setText(el.scanMessage, gettext(
          "This phone is not ready for offline: it has no list to check the ticket against."
        ));
      }
      return;
    }
    const entry = state.byTicket.get(await ticketHash(token)) || null;
    renderAnswer(entry, { text: "" }, true, {
      message: gettext("This ticket is not on today's list."),
      link: online
    });
  }

  function showCode(event) {
    event.preventDefault();
    const code = normaliseCode(el.codeInput.value);
    if (!code) {
      el.codeInput.focus();
      return;
    }
    if (!hasList()) {
      if (navigator.onLine) {
        window.location.assign(window.location.pathname + "?q=" + encodeURIComponent(code));
      } else {
        setText(el.scanMessage, gettext(
          "This phone is not ready for offline: it has no list to check the code against."
        ));
      }
      return;
    }
    el.codeInput.value = "";
    renderAnswer(state.byCode.get(code) || null, { text: "" }, true, {
      message: gettext("No booking with this code is on today's list.")
    });
  }

  async function enqueue(item) {
    item.offline = true;
    state.queue.push(item);
    await Store.put("queue", item);
  }

  // Lets `people` of the party in: at once on the server when the network is up (which
  // may refuse), else into the queue.
  async function admit(entry, people) {
    if (state.admitting) {
      return;
    }
    state.admitting = true;
    const button = el.answerBody.querySelector("button");
    if (button) {
      button.disabled = true;
    }
    try {
      const outcome = await admitted(entry, {
        id: uuid(),
        registration: entry.id,
        people: people,
        at: new Date().toISOString(),
        offline: false,
        name: entry.name
      });
      if (outcome) {
        renderAnswer(state.entries.get(entry.id) || entry, outcome, false);
        el.result.focus();
      }
    } finally {
      state.admitting = false;
      render();
    }
  }

  // What became of the check-in `item`: its outcome for the answer, or null when the
  // phone turned out to be signed out.
  async function admitted(entry, item) {
    try {
      if (!navigator.onLine || !state.meta || !state.meta.token) {
        throw OFFLINE;
      }
      const data = await post([item], ADMIT_TIMEOUT_MS);
      const result = data.results.find((r) => r.id === item.id);
      if (!result) {
        throw OFFLINE;
      }
      state.reachable = true;
      await settle([item], data);
      if (result.result === "refused") {
        return { refused: result.message, kind: "refused", text: "" };
      }
      const done = sayCount(
        ngettext("%(count)s person admitted.", "%(count)s people admitted.", item.people),
        item.people
      );
      return {
        kind: result.result,
        text: result.result === "conflict" ? done + " " + result.message : done
      };
    } catch (error) {
      if (error === REVOKED) {
        await revoked();
        return null;
      }
      if (error !== OFFLINE) {
        console.error(error);
      }
    }
    // No answer: the people are let in and the check-in waits, with the same id, so that
    // if the server did record it, sending it again records nothing new.
    state.reachable = false;
    await enqueue(item);
    return {
      kind: "queued",
      text: sayCount(ngettext(
        "%(count)s person checked in (offline; will be sent).",
        "%(count)s people checked in (offline; will be sent).",
        item.people
      ), item.people)
    };
  }

  // --- The camera --------------------------------------------------------------------

  const scanner = new Scanner({
    video: el.video,
    jsqrUrl: urls.jsqrUrl,
    onFound: (text) => {
      setText(el.scanMessage, "");
      showTicket(text).catch((error) => console.error(error));
    },
    onStateChange: (running) => {
      el.video.hidden = !running;
      el.scanStart.hidden = running;
      el.scanStop.hidden = !running;
      (running ? el.scanStop : el.scanStart).focus({ preventScroll: true });
      if (running) {
        setText(el.scanMessage, gettext("Point the camera at the ticket's QR code."));
      }
    },
    onProblem: (error) => {
      const name = error && error.name;
      let message = gettext("The camera could not be started: type the booking code instead.");
      if (name === "NotAllowedError") {
        message = gettext(
          "The camera may not be used: allow it in the browser's settings, or type the " +
            "booking code."
        );
      } else if (name === "NotFoundError" || name === "OverconstrainedError") {
        message = gettext("No camera was found: type the booking code instead.");
      }
      setText(el.scanMessage, message);
    }
  });

  // --- Sign-out ----------------------------------------------------------------------

  async function leaveForGood(form) {
    // The server's answer to the sign-out clears the site's data too; this is for
    // browsers that ignore Clear-Site-Data (or plain HTTP, where it does not apply).
    const cleanUp = (async () => {
      await forget();
      if ("serviceWorker" in navigator) {
        const registration = await navigator.serviceWorker.getRegistration(urls.scope);
        if (registration) {
          await registration.unregister();
        }
      }
    })().catch(() => {});
    await Promise.race([cleanUp, new Promise((resolve) => window.setTimeout(resolve, 2000))]);
    form.dataset.confirmed = "true";
    form.submit();
  }

  function watchSignOut(form) {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.confirmed) {
        return;
      }
      event.preventDefault();
      if (state.queue.length && state.meta && state.meta.token) {
        await sync();
      }
      const lost = state.queue.length;
      if (!lost) {
        leaveForGood(form);
        return;
      }
      setText(el.signOutText, sayCount(ngettext(
        "%(count)s check-in has not been sent yet: there is no network. " +
          "If you sign out now, it is lost.",
        "%(count)s check-ins have not been sent yet: there is no network. " +
          "If you sign out now, they are lost.",
        lost
      ), lost));
      el.signOut.hidden = false;
      el.signOut.focus();
      el.signOutAnyway.onclick = () => leaveForGood(form);
    });
  }

  // --- What the page shows -----------------------------------------------------------

  function statusText() {
    const waitingCount = state.queue.length;
    if (!isOnline()) {
      if (waitingCount) {
        return sayCount(ngettext(
          "Offline · %(count)s check-in waiting",
          "Offline · %(count)s check-ins waiting",
          waitingCount
        ), waitingCount);
      }
      return hasList()
        ? gettext("Offline · no check-ins waiting")
        : gettext("Not ready for offline");
    }
    if (waitingCount) {
      return sayCount(ngettext(
        "Online · %(count)s check-in waiting",
        "Online · %(count)s check-ins waiting",
        waitingCount
      ), waitingCount);
    }
    if (!hasList()) {
      return gettext("Not ready for offline");
    }
    const seconds = Math.round((Date.now() - state.lastSync) / 1000);
    if (!state.lastSync) {
      return gettext("Online · not synced yet");
    }
    if (seconds < 10) {
      return gettext("Online · synced just now");
    }
    if (seconds < 120) {
      return say(gettext("Online · synced %(seconds)s s ago"), { seconds: number(seconds) });
    }
    return say(gettext("Online · synced %(minutes)s min ago"), {
      minutes: number(Math.floor(seconds / 60))
    });
  }

  function renderCeremonies(ceremonies) {
    if (!el.liveCounts || !ceremonies) {
      return;
    }
    ceremonies.forEach((ceremony) => {
      const line = el.liveCounts.querySelector('[data-ceremony="' + ceremony.id + '"]');
      if (line) {
        setText(line, line.dataset.template
          .replace("ARRIVED", number(ceremony.arrived))
          .replace("EXPECTED", number(ceremony.expected)));
      }
    });
  }

  function renderList(list, rows, text) {
    const lines = rows.length ? rows.map(text) : [list.dataset.empty];
    if (Array.from(list.children, (item) => item.textContent).join("\n") !== lines.join("\n")) {
      list.replaceChildren(...lines.map((line) => make("li", "", line)));
    }
  }

  function renderCounts() {
    const counts = state.meta && state.meta.counts;
    if (!counts) {
      return;
    }
    el.total.hidden = false;
    setText(el.total, say(gettext("In total: %(arrived)s of %(expected)s guests are in."), {
      arrived: number(counts.total.arrived),
      expected: number(counts.total.expected)
    }));
    renderList(el.devices, counts.devices, (row) =>
      row.label + ": " + number(row.people) +
        (row.this ? " (" + el.devices.dataset.this + ")" : ""));
    renderList(el.volunteers, counts.volunteers, (row) => row.name + ": " + number(row.people));
  }

  function renderFlagged() {
    const flagged = (state.meta && state.meta.flagged) || [];
    el.flagged.hidden = !flagged.length;
    renderList(el.flaggedList, flagged, (row) =>
      say(gettext("%(time)s, %(name)s (%(people)s): %(message)s"), {
        time: clock(new Date(row.at)),
        name: row.name,
        people: number(row.people),
        message: row.message
      }));
  }

  function render() {
    setText(el.status, statusText());
    el.status.classList.toggle("gate-status-offline", !isOnline());
    const ready = hasList();
    el.labelField.hidden = Boolean(state.meta && state.meta.token);
    setText(el.prepareButton, ready ? el.prepareButton.dataset.again : prepareLabel);
    if (ready && !state.preparing) {
      setText(el.listInfo, sayCount(ngettext(
        "List of %(count)s party, updated %(time)s.",
        "List of %(count)s parties, updated %(time)s.",
        state.entries.size
      ), state.entries.size, { time: clock(new Date(state.meta.fetchedAt)) }));
    } else if (!state.preparing && !el.listInfo.textContent) {
      setText(el.listInfo, gettext("This phone has no list yet."));
    }
    if (state.meta) {
      renderCeremonies(state.meta.ceremonies);
    }
    renderCounts();
    renderFlagged();
  }

  // --- Start -------------------------------------------------------------------------

  async function start() {
    el.status.hidden = false;
    el.offline.hidden = false;
    el.scan.hidden = false;
    if (!Scanner.supported()) {
      el.scanStart.hidden = true;
      setText(el.scanMessage, gettext(
        "This browser cannot use the camera here: type the booking code."
      ));
    }
    el.scanStart.addEventListener("click", () => scanner.start());
    el.scanStop.addEventListener("click", () => scanner.stop());
    el.code.addEventListener("submit", showCode);
    el.signOutStay.addEventListener("click", () => {
      el.signOut.hidden = true;
      document.getElementById("main").focus();
    });
    document.querySelectorAll("form.staff-sign-out").forEach(watchSignOut);
    if (!canKeepTheList) {
      el.prepare.hidden = true;
      setText(el.listInfo, gettext("This browser cannot keep the list for offline use."));
      render();
      return;
    }
    el.prepare.addEventListener("submit", prepare);
    await load();
    if (expired()) {
      await expire();
    }
    render();
    window.addEventListener("online", () => {
      state.reachable = true;
      sync();
    });
    window.addEventListener("offline", () => {
      state.reachable = false;
      render();
    });
    window.addEventListener("focus", () => sync());
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) {
        scanner.stop();
      } else {
        sync();
      }
    });
    window.setInterval(() => {
      if (navigator.onLine && !document.hidden) {
        sync();
      } else {
        if (expired()) {
          expire().then(render);
        }
        render();
      }
    }, SYNC_EVERY_MS);
    // Offline, the service worker answers a ticket's address inside the gate's folder
    // (/<lang>/checkin/<token>/) with this page: the ticket is looked up here.
    const path = window.location.pathname;
    if (path !== urls.scope && path.startsWith(urls.scope)) {
      await showTicket(path);
    }
    if (navigator.onLine) {
      sync();
    }
  }

  start().catch((error) => {
    console.error(error);
    render();
  });
})();
