// The convviz player: draws the figure it is handed with Plotly.react, steps its frames, and tells Python
// two things: the step it shows whenever it comes to rest (paused, ended, stepped, clicked) and the room the page
// gives the diagram (so that Python can lay the diagram out for it). Everything else is decided in Python
// (convviz/figures/animation.py builds the figure; convviz/ui/player/__init__.py hands it over).
//
// In class mode (convviz/ui/class_room.py) Python may also lead the player: `lead` {seq, step} moves it to the
// teacher's step once per seq, `hide` blanks the output cell of a step in every output map (the class predicts
// it), and `locked` disables its controls while a question is open.
//
// Streamlit calls the default export on every script run whose data changed, with the same parentElement; the
// player keeps its state on that element, so a re-run never restarts playback or moves the step.

const CONFIG = { displayModeBar: false, scrollZoom: false, doubleClick: false, showTips: false, responsive: false };
const ROOM_STEP = 16; // rooms are reported in steps of this many pixels ...
const ROOM_SLACK = 40; // ... and only when they differ from the drawn one by more than this
const NARROW_PX = 600; // convviz.figures.animation.NARROW_PX: below it the page scrolls and the diagram is not fitted to it
const WATCHDOG_MS = 5000; // a student's page whose poll beacon is silent this long asks for a full run
const ROOM_COOKIE = "convviz_room"; // convviz.ui.player.ROOM_COOKIE: the next page open is laid out for it at once

function build(root) {
  const holder = document.createElement("div"); // beside the <style> Streamlit puts in root: never root.innerHTML
  root.appendChild(holder);
  holder.innerHTML = `
    <div class="cvp" data-testid="convviz-player">
      <div class="cvp-plot" tabindex="0"></div>
      <p class="cvp-note" hidden></p>
      <div class="cvp-controls" role="toolbar">
        <button type="button" class="cvp-prev"></button>
        <button type="button" class="cvp-play"></button>
        <button type="button" class="cvp-next"></button>
        <input type="range" class="cvp-slider" min="0" max="0" step="1" value="0">
        <span class="cvp-label" aria-live="polite"></span>
      </div>
    </div>`;
  const q = (sel) => holder.querySelector(sel);
  return {
    box: q(".cvp"), plot: q(".cvp-plot"), note: q(".cvp-note"), prev: q(".cvp-prev"), play: q(".cvp-play"),
    next: q(".cvp-next"), slider: q(".cvp-slider"), label: q(".cvp-label"),
  };
}

function scrollTopOf(el) {
  for (let node = el.parentElement; node; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowY;
    if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) return node.scrollTop;
  }
  return window.scrollY;
}

// The room for the diagram: the column's width; on a wide screen the window's height under the page's top
// (as it stands with the page scrolled to the top) less the controls; a phone's page scrolls, so its height.
function measureRoom(p) {
  const width = p.el.box.clientWidth;
  const controls = p.el.box.querySelector(".cvp-controls").offsetHeight || 48;
  let height = window.innerHeight;
  if (width >= NARROW_PX) {
    const top = p.el.box.getBoundingClientRect().top + scrollTopOf(p.el.box);
    height = Math.max(window.innerHeight * 0.5, window.innerHeight - top - controls - 12);
  }
  return [Math.floor(width / ROOM_STEP) * ROOM_STEP, Math.floor(height / ROOM_STEP) * ROOM_STEP];
}

// The step line names the output cell in the whole map: a picture's region starts at meta.origin. A figure whose
// steps are not output cells says so with its own line (meta.step_label: transposed convolution's input cells).
function stepLabel(p, s) {
  const w = p.meta.out_w;
  const [row, col] = p.meta.origin || [0, 0];
  return (p.meta.step_label || p.labels.step).replace("{s}", s + 1).replace("{n}", p.meta.n_steps)
    .replace("{i}", row + Math.floor(s / w)).replace("{j}", col + (s % w));
}

function inspectShape(p, s) {
  const path = p.figure.frames[s].layout.shapes[1].path;
  return { type: "path", path, line: { color: p.inspectColour, width: 3, dash: "dot" } };
}

function draw(p) {
  const fig = p.figure;
  const s = p.step;
  const frame = fig.frames[s];
  const data = fig.data.slice();
  p.meta.animated_traces.forEach((index, k) => { data[index] = Object.assign({}, fig.data[index], frame.data[k]); });
  const shapes = frame.layout.shapes.slice();
  if (p.inspect !== null) shapes.push(inspectShape(p, p.inspect));
  hideCell(p, data);
  const layout = Object.assign({}, fig.layout, { shapes });
  p.el.slider.value = String(s);
  p.el.label.textContent = stepLabel(p, s);
  p.el.box.dataset.step = String(s);
  return window.Plotly.react(p.el.plot, data, layout, CONFIG).catch(() => null);
}

// The cell the class is asked to predict: blank in every output map of the diagram's width (Y[o] and the finals).
function hideCell(p, data) {
  if (p.hide === null || p.hide === undefined) return;
  const w = p.meta.out_w;
  const [row, col] = [Math.floor(p.hide / w), p.hide % w];
  Object.entries(p.meta.output_traces).forEach(([index, shape]) => {
    const trace = data[Number(index)];
    if (!trace || !Array.isArray(trace.z) || shape[1] !== w || !Array.isArray(trace.z[row])) return;
    const z = trace.z.slice();
    z[row] = z[row].slice();
    z[row][col] = null;
    data[Number(index)] = Object.assign({}, trace, { z });
  });
}

// Class mode: what Python says of the lead, the hidden cell and the lock. True when the drawing must change.
function follow(p, d) {
  let changed = false;
  const hide = typeof d.hide === "number" ? d.hide : null;
  if (hide !== p.hide) { p.hide = hide; changed = true; }
  const locked = Boolean(d.locked);
  if (locked !== Boolean(p.locked)) {
    p.locked = locked;
    [p.el.prev, p.el.play, p.el.next, p.el.slider].forEach((control) => { control.disabled = locked; });
    p.el.box.dataset.locked = String(locked);
  }
  if (d.lead && d.lead.seq > (p.leadSeq === undefined ? -1 : p.leadSeq)) { // each lead once, the newest only
    p.leadSeq = d.lead.seq;
    p.step = d.lead.step;
    p.reported = d.lead.step; // Python knows this step: no report, so no run, for a step it sent ...
    if (d.lead.report) report(p, true); // ... unless it asks to hear that the step was taken
    changed = true;
  }
  if (changed || locked) setPlaying(p, false);
  return changed;
}

// A student's page between runs: the room's beacon (convviz.ui.player.lead_beacon) announces the teacher's step,
// the hidden cell and the lock, once a second. When it falls silent (a poll lost in a race can end a page's
// polling for good), the player asks Python for a full run, which starts the polling again.
function listenForLead(p) {
  window.addEventListener("convviz:lead", function onLead(e) {
    if (!p.el.box.isConnected) { window.removeEventListener("convviz:lead", onLead); return; }
    p.lastBeat = performance.now();
    if (!p.watchdog) p.watchdog = setInterval(() => watch(p), WATCHDOG_MS / 2);
    const d = e.detail;
    if (!p.figure || !follow(p, { lead: d, hide: d.hide, locked: d.locked })) return;
    p.step = Math.min(p.step, p.meta.n_steps - 1);
    draw(p);
  });
}

function watch(p) {
  if (!p.el.box.isConnected) { clearInterval(p.watchdog); return; }
  const now = performance.now();
  if (document.visibilityState !== "visible" || now - p.lastBeat < WATCHDOG_MS) return;
  if (p.woken && now - p.woken < 2 * WATCHDOG_MS) return; // one call at a time
  p.woken = now;
  p.setStateValue("wake", Math.round(now));
}

function report(p, again = false) {
  if (p.reported === p.step && !again) return;
  p.reported = p.step;
  p.setStateValue("step", p.step);
}

function setPlaying(p, playing) {
  p.playing = playing;
  clearTimeout(p.timer);
  p.el.play.textContent = playing ? p.labels.pause : p.labels.play;
  p.el.play.setAttribute("aria-pressed", String(playing));
  p.el.box.dataset.playing = String(playing);
  if (!playing) report(p);
}

function goTo(p, s) {
  if (p.locked) return null;
  p.step = Math.min(Math.max(s, 0), p.meta.n_steps - 1);
  return draw(p);
}

function tick(p) {
  if (!p.playing) return;
  if (!p.el.box.isConnected) { p.playing = false; return; }
  p.beat += 1;
  goTo(p, p.step + 1);
  if (p.step >= p.meta.n_steps - 1) { setPlaying(p, false); return; }
  // Scheduled from the start of playback, so slow draws do not add up.
  p.timer = setTimeout(() => tick(p), Math.max(0, p.started + (p.beat + 1) * p.frameMs - performance.now()));
}

function play(p) {
  if (p.locked) return;
  if (p.playing) { setPlaying(p, false); return; }
  if (p.step >= p.meta.n_steps - 1) goTo(p, 0); // at the end, Play starts over
  setPlaying(p, true);
  p.started = performance.now();
  p.beat = 0;
  p.timer = setTimeout(() => tick(p), p.frameMs);
}

function stepBy(p, delta) {
  if (p.locked) return;
  setPlaying(p, false);
  goTo(p, p.step + delta);
  report(p);
}

function outputCell(p, event) {
  const point = event && event.points && event.points[0];
  if (!point) return null;
  const shape = p.meta.output_traces[String(point.curveNumber)];
  if (!shape || !Array.isArray(point.pointNumber)) return null;
  const [i, j] = point.pointNumber;
  return i * shape[1] + j;
}

function wire(p) {
  const { el } = p;
  el.play.addEventListener("click", () => play(p));
  el.prev.addEventListener("click", () => stepBy(p, -1));
  el.next.addEventListener("click", () => stepBy(p, 1));
  el.slider.addEventListener("input", () => { setPlaying(p, false); goTo(p, Number(el.slider.value)); });
  el.slider.addEventListener("change", () => report(p));
  el.box.addEventListener("keydown", (e) => {
    if (e.target === el.slider || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      e.preventDefault();
      stepBy(p, e.key === "ArrowLeft" ? -1 : 1);
    } else if (e.key === " " && e.target.tagName !== "BUTTON") {
      e.preventDefault();
      play(p);
    }
  });
  el.plot.addEventListener("pointerdown", () => el.plot.focus({ preventScroll: true }));
  el.plot.on("plotly_hover", (e) => {
    const s = outputCell(p, e);
    if (s === null || s === p.inspect) return;
    p.inspect = s;
    if (!p.playing) draw(p);
  });
  el.plot.on("plotly_unhover", () => {
    if (p.inspect === null) return;
    p.inspect = null;
    if (!p.playing) draw(p);
  });
  el.plot.on("plotly_click", (e) => {
    const s = outputCell(p, e);
    if (s === null || p.locked) return;
    setPlaying(p, false);
    p.inspect = null;
    goTo(p, s);
    report(p);
  });
  // A new window size, or a new column width (the sidebar opened or closed): ask for a layout for it.
  let pending;
  const later = () => { clearTimeout(pending); pending = setTimeout(() => askForRoom(p), 250); };
  const resized = new ResizeObserver(later);
  resized.observe(el.box);
  window.addEventListener("resize", function onResize() {
    if (el.box.isConnected) { later(); return; }
    window.removeEventListener("resize", onResize);
    resized.disconnect();
  });
}

function askForRoom(p) {
  if (!p.el.box.isConnected || !p.room) return false;
  const [w, h] = measureRoom(p);
  if (p.offline) { refit(p, w, h); return false; } // no Python behind an offline file: it carries a few layouts
  // Kept for the next page open on this browser: its first run lays the diagram out for this room, no second run.
  document.cookie = `${ROOM_COOKIE}=${w},${h}; path=/; max-age=31536000; SameSite=Lax`;
  if (p.choices) { // layouts for the usual screens came with the figure: one of them may be this room's
    const best = bestFit(p.choices, w, h);
    if (near(best.room, w, h)) { refit(p, w, h); return false; }
  }
  if (!near(p.room, w, h)) {
    if (p.asked && p.asked[0] === w && p.asked[1] === h) return false;
    p.asked = [w, h];
    p.setStateValue("room", [w, h]);
    return true;
  }
  return false;
}

// Whether a layout made for `room` serves the room measured: its width, and on a wide screen its height, within
// ROOM_SLACK (a phone's page scrolls, so there only the width counts).
function near(room, w, h) {
  const [dw, dh] = room;
  const heightMatters = w >= NARROW_PX || dw >= NARROW_PX;
  return Math.abs(w - dw) <= ROOM_SLACK && (!heightMatters || Math.abs(h - dh) <= ROOM_SLACK);
}

// A set of layouts, each for a room (the offline file's, or the usual screens' sent with a page's first run):
// the largest that fits the room measured, else the smallest.
function bestFit(figures, w, h) {
  const area = (f) => f.room[0] * f.room[1];
  const fits = figures.filter((f) => f.room[0] <= w && f.room[1] <= h + ROOM_SLACK);
  const pool = fits.length ? fits : [figures.reduce((a, b) => (area(a) <= area(b) ? a : b))];
  return pool.reduce((a, b) => (area(a) >= area(b) ? a : b));
}

// The note under the diagram, shown when the figure says its numbers did not fit.
function showNote(p) {
  const note = p.meta.numbers === false ? p.noteText : "";
  p.el.note.hidden = !note;
  p.el.note.textContent = note;
}

function refit(p, w, h) {
  const best = bestFit(p.choices, w, h);
  if (best.revision === p.revision) return;
  p.figure = best.figure;
  p.meta = best.figure.layout.meta;
  showNote(p);
  p.revision = best.revision;
  p.room = best.room;
  p.inspect = null;
  p.el.slider.max = String(p.meta.n_steps - 1);
  drawn(p);
}

async function mount(p, d) {
  const Plotly = await loadPlotly(d.plotly_src, d.plotly_version);
  // Layouts for several rooms: the offline file's, or the usual screens' from a run that does not know this
  // browser's room. The one for this window is drawn at once; Python hears of the room only when none of them
  // serves it (see askForRoom), and the offline file refits on every resize.
  p.offline = Boolean(d.offline);
  p.choices = d.choices ? d.choices.map((c) => ({ ...c, figure: d.layouts[c.layout] })) : null;
  if (p.choices) {
    const best = bestFit(p.choices, ...measureRoom(p));
    Object.assign(d, { figure: best.figure, revision: best.revision, room: best.room });
  }
  const first = !p.figure;
  const newFigure = d.revision !== p.revision;
  if (p.playing && p.frameMs !== d.frame_ms) { p.started = performance.now() - p.beat * d.frame_ms; }
  p.frameMs = d.frame_ms; // a new speed applies from the next step on
  p.labels = d.labels;
  p.inspectColour = d.inspect_colour;
  p.room = d.room;
  p.reported = p.reported === undefined ? d.step : p.reported;
  document.body.classList.toggle("convviz-present", Boolean(d.present));
  if (first) {
    p.el.prev.textContent = d.labels.prev;
    p.el.next.textContent = d.labels.next;
    p.el.prev.setAttribute("aria-label", d.labels.prev_help);
    p.el.next.setAttribute("aria-label", d.labels.next_help);
    p.el.slider.setAttribute("aria-label", d.labels.slider);
    p.el.plot.setAttribute("aria-label", d.labels.diagram);
    p.step = d.step;
    setPlaying(p, false);
  }
  const led = follow(p, d);
  if (!newFigure) {
    if (led && p.figure) {
      p.step = Math.min(p.step, p.meta.n_steps - 1);
      await draw(p);
      return;
    }
    // Python says which step it last heard of; at rest, anything else means a report was lost or overtaken
    // (but a step that only repeats the lead is Python's, not a report's).
    const echo = d.lead && d.lead.seq === p.leadSeq && d.step === d.lead.step;
    if (!first && !p.playing && d.step !== p.step && !echo) report(p, true);
    return;
  }
  p.figure = d.figure;
  p.meta = d.figure.layout.meta;
  p.revision = d.revision;
  p.inspect = null;
  p.step = Math.min(p.step, p.meta.n_steps - 1); // a new setting keeps the step where it can
  p.el.slider.max = String(p.meta.n_steps - 1);
  p.noteText = d.note || "";
  showNote(p);
  p.el.box.dataset.settled = "false";
  if (first && askForRoom(p)) {
    // Python lays the diagram out for the room measured; draw this one only if that answer is slow to come.
    p.fallback = setTimeout(() => { if (p.revision === d.revision) drawn(p); }, 1500);
    return;
  }
  clearTimeout(p.fallback);
  await drawn(p);
  if (!first && !p.playing && d.step !== p.step) report(p, true);
  if (!first && !p.playing && askForRoom(p)) p.el.box.dataset.settled = "false";
  void Plotly;
}

// Draw a newly arrived figure; the box says which one is on screen (tests wait for `data-settled`).
async function drawn(p) {
  // A diagram taller than its room (presentation mode keeping its numbers, or a larger text size) scrolls inside
  // the player, so the controls stay on screen under it and never cover it; a phone's page scrolls instead.
  const tall = p.room[0] >= NARROW_PX && p.figure.layout.height > p.room[1] + 4;
  p.el.plot.classList.toggle("cvp-scroll", tall);
  p.el.plot.style.maxHeight = tall ? `${p.room[1]}px` : "";
  await draw(p);
  wireOnce(p);
  p.el.box.dataset.revision = p.revision;
  p.el.box.dataset.room = p.room.join(","); // the room this layout was made for
  p.el.box.dataset.settled = "true";
}

function wireOnce(p) {
  if (p.wired) return;
  p.wired = true;
  wire(p);
  listenForLead(p);
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let p = parentElement.__convvizPlayer;
  if (!p) {
    p = { el: build(parentElement), playing: false, inspect: null, timer: null };
    parentElement.__convvizPlayer = p;
  }
  p.setStateValue = setStateValue;
  const d = decode(data);
  if (d) {
    mount(p, d).catch((err) => {
      p.el.note.hidden = false;
      p.el.note.textContent = String(err && err.message ? err.message : err);
    });
  }
}
