// The inspector page: plain JavaScript, no build step. It only draws what the runtime sends over the
// socket (docs/inspector.md) and sends edits back; every edit is applied by the runtime at its next
// frame boundary.
"use strict";

const CELL = { width: 160, height: 90 };
const NODE = { width: 176, gapX: 60, gapY: 24, top: 16, left: 16 };
const DEBUG_HISTORY = 120;

const state = {
  operators: [],
  params: new Map(), // "op\0param" → ParamEntry
  values: {},
  selected: null,
  solo: null,
  pending: [],
  debug: new Map(), // name → number[] (for sparklines) and last value
  nodes: new Map(), // name → { element, canvas?, valueElement? }
  editing: new Set(), // "op\0param" being dragged: the runtime's echo does not move the slider under the pointer
};

const $ = (id) => document.getElementById(id);
let socket;

function connect() {
  const token = new URLSearchParams(location.search).get("token");
  socket = new WebSocket(`ws://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ""}`);
  socket.binaryType = "arraybuffer";
  socket.onopen = () => {
    $("connection").textContent = "connected";
    $("connection").className = "on";
    for (const type of ["request_operators", "request_pending_changes", "request_status", "request_stats"]) send({ type });
    send({ type: "watch_thumbnails", on: true });
  };
  socket.onclose = () => {
    $("connection").textContent = "disconnected (retrying)";
    $("connection").className = "off";
    setTimeout(connect, 1000);
  };
  socket.onmessage = (event) => {
    if (typeof event.data !== "string") return drawThumbnails(new Uint8Array(event.data));
    const message = JSON.parse(event.data);
    const handler = handlers[message.type];
    if (handler) handler(message);
  };
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

const handlers = {
  hello(m) {
    $("project").textContent = `${m.project} — ${m.chainFile}`;
    document.title = `${m.project} · Vivid inspector`;
  },
  operator_list(m) {
    state.operators = m.operators;
    layoutGraph();
    renderParams();
  },
  param_values(m) {
    for (const p of m.params) state.params.set(`${p.operator}\0${p.name}`, p);
    state.values = m.values;
    for (const [name, value] of Object.entries(m.values)) {
      const node = state.nodes.get(name);
      if (node && node.valueElement) node.valueElement.textContent = formatNumber(value);
    }
    refreshParamValues();
  },
  solo_state(m) {
    state.solo = m.active ? m.operator : null;
    $("solo-banner").hidden = !m.active;
    $("solo-banner").textContent = m.active ? `SOLO: ${m.operator}` : "";
    for (const [name, node] of state.nodes) node.element.classList.toggle("soloed", name === state.solo);
    const screen = state.nodes.get("screen");
    if (screen) screen.element.querySelector(".type").textContent = state.solo ? `solo: ${state.solo}` : "output";
    renderActions();
  },
  pending_changes(m) {
    state.pending = m.changes;
    const list = $("pending");
    list.replaceChildren(
      ...m.changes.map((c) => {
        const item = document.createElement("li");
        item.dataset.pending = `${c.operator}.${c.param}`;
        const where = c.writeBack.kind === "replace" ? `line ${c.sourceLine}` : c.writeBack.kind === "insert" ? `new line after ${c.sourceLine} (${c.writeBack.reason})` : `not writable: ${c.writeBack.reason}`;
        item.innerHTML = `<b></b> <span class="change"></span> <span class="where"></span>`;
        item.querySelector("b").textContent = `${c.operator}.${c.param}`;
        item.querySelector(".change").textContent = `${formatValue(c.oldValue)} → ${formatValue(c.newValue)}`;
        item.querySelector(".where").textContent = where;
        return item;
      }),
    );
    $("commit").disabled = !m.hasChanges;
    $("discard").disabled = !m.hasChanges;
  },
  commit_result(m) {
    const el = $("commit-result");
    el.dataset.ok = String(m.ok);
    el.textContent = m.ok ? `${m.message}${m.edits.map((e) => `\nline ${e.line}: ${e.text.trim()}`).join("")}` : `commit failed: ${m.message}`;
    el.style.whiteSpace = "pre-wrap";
  },
  compile_status(m) {
    showError(m.success ? null : m.error);
  },
  runtime_status(m) {
    if (m.error) showError(m.error);
  },
  runtime_error(m) {
    showError(m.error);
  },
  ledger(m) {
    const e = m.entry;
    const item = document.createElement("li");
    item.className = e.ok ? "ok" : "bad";
    item.dataset.ok = String(e.ok);
    item.dataset.created = JSON.stringify(e.created);
    const created = Object.values(e.created).reduce((a, b) => a + b, 0);
    item.textContent = `${e.file} ${e.ok ? "ok" : "FAILED"} ${e.ms.toFixed(0)} ms, created ${created}${e.ok ? "" : `: ${e.error ? e.error.message : ""}`}`;
    $("ledger").prepend(item);
    while ($("ledger").children.length > 10) $("ledger").lastElementChild.remove();
    if (e.ok) showError(null);
  },
  performance_stats(m) {
    $("stats-line").textContent = `${m.fps.toFixed(0)} fps · ${m.frameTimeMs.toFixed(2)} ms`;
    $("stats").textContent = `${m.fps.toFixed(1)} fps, frame ${m.frameTimeMs.toFixed(2)} ms (p99 ${m.frameTimeP99Ms.toFixed(2)}), textures ${(m.textureMemoryBytes / 1048576).toFixed(1)} MB, buffers ${(m.bufferMemoryBytes / 1048576).toFixed(2)} MB`;
    sparkline($("frame-sparkline"), m.frameTimeHistory);
  },
  memory(m) {
    const leak = m.leak ? `leak ${m.leak.state}${m.leak.upperMBh !== null ? ` (≤ ${m.leak.upperMBh} MB/h)` : ""}` : "leak: measuring";
    $("stats").dataset.memory = `RSS ${m.rssMB.toFixed(1)} MB, heap ${m.heapMB.toFixed(1)} MB, GPU ${m.gpuMB.toFixed(1)} MB, ${leak}`;
    $("stats").title = $("stats").dataset.memory;
    $("census").dataset.memory = $("stats").dataset.memory;
    renderCensus();
  },
  census(m) {
    $("census").dataset.live = Object.entries(m.live).map(([k, v]) => `${k} ${v}`).join(", ");
    renderCensus();
  },
  debug_values(m) {
    for (const { name, value } of m.values) {
      const entry = state.debug.get(name) || { history: [], value };
      entry.value = value;
      if (typeof value === "number") {
        entry.history.push(value);
        if (entry.history.length > DEBUG_HISTORY) entry.history.shift();
      }
      state.debug.set(name, entry);
    }
    renderDebug();
  },
  snapshot() {},
  request_error(m) {
    const el = $("commit-result");
    el.textContent = `${m.request}: ${m.message}`;
  },
};

function renderCensus() {
  const c = $("census");
  c.textContent = `${c.dataset.memory || ""}\nlive GPU objects: ${c.dataset.live || "…"}`;
  c.style.whiteSpace = "pre-wrap";
}

// ── the graph: a layered DAG, inputs left, the screen right ──

function layoutGraph() {
  const graph = $("graph");
  const byName = new Map(state.operators.map((op) => [op.name, op]));
  const layer = new Map();
  const layerOf = (name, seen = new Set()) => {
    if (layer.has(name)) return layer.get(name);
    if (seen.has(name)) return 0;
    seen.add(name);
    const op = byName.get(name);
    const inputs = op ? op.inputs.filter((input) => byName.has(input)) : [];
    const value = inputs.length ? 1 + Math.max(...inputs.map((input) => layerOf(input, seen))) : 0;
    layer.set(name, value);
    return value;
  };
  for (const op of state.operators) layerOf(op.name);
  const output = state.operators.find((op) => op.output);
  const screenLayer = Math.max(0, ...layer.values()) + 1;
  const columns = [];
  for (const op of state.operators) (columns[layer.get(op.name)] ||= []).push(op.name);
  columns[screenLayer] = ["screen"];

  for (const node of state.nodes.values()) node.element.remove();
  state.nodes.clear();
  const positions = new Map();
  let height = 0;
  columns.forEach((names, column) => {
    (names || []).forEach((name, row) => {
      const element = makeNode(name === "screen" ? null : byName.get(name));
      const x = NODE.left + column * (NODE.width + NODE.gapX);
      const y = NODE.top + row * (CELL.height + 60 + NODE.gapY);
      element.style.left = `${x}px`;
      element.style.top = `${y}px`;
      graph.appendChild(element);
      positions.set(name, { x, y });
      height = Math.max(height, y + CELL.height + 70);
    });
  });
  const width = NODE.left + (screenLayer + 1) * (NODE.width + NODE.gapX);
  graph.style.width = `${width}px`;
  graph.style.height = `${height}px`;
  const svg = $("edges");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  const edges = [];
  for (const op of state.operators) for (const input of op.inputs) if (positions.has(input)) edges.push([input, op.name]);
  if (output) edges.push([output.name, "screen"]);
  svg.innerHTML = edges
    .map(([from, to]) => {
      const a = positions.get(from);
      const b = positions.get(to);
      const x1 = a.x + NODE.width;
      const y1 = a.y + 60;
      const x2 = b.x;
      const y2 = b.y + 60;
      return `<path d="M${x1},${y1} C${x1 + 30},${y1} ${x2 - 30},${y2} ${x2},${y2}"/>`;
    })
    .join("");
  if (state.selected && !byName.has(state.selected)) state.selected = null;
  for (const [name, node] of state.nodes) node.element.classList.toggle("selected", name === state.selected);
}

function makeNode(op) {
  const element = document.createElement("div");
  const name = op ? op.name : "screen";
  element.className = `node${op ? "" : " screen"}${op && op.bypass ? " bypassed" : ""}${name === state.solo ? " soloed" : ""}`;
  element.dataset.node = name;
  element.innerHTML = `<div class="title"><b></b><span class="type"></span></div>`;
  element.querySelector("b").textContent = name;
  element.querySelector(".type").textContent = op ? op.displayName : state.solo ? `solo: ${state.solo}` : "output";
  const node = { element };
  if (!op || op.outputType === "texture") {
    const canvas = document.createElement("canvas");
    canvas.className = "thumb";
    canvas.width = CELL.width;
    canvas.height = CELL.height;
    element.appendChild(canvas);
    node.canvas = canvas;
  } else if (op.outputType === "value") {
    const value = document.createElement("div");
    value.className = "value";
    value.textContent = name in state.values ? formatNumber(state.values[name]) : "…";
    element.appendChild(value);
    node.valueElement = value;
  } else {
    const kind = document.createElement("div");
    kind.className = "kind";
    kind.textContent = op.outputType;
    element.appendChild(kind);
  }
  if (op) element.addEventListener("click", () => select(name));
  state.nodes.set(name, node);
  return element;
}

function drawThumbnails(data) {
  const length = new DataView(data.buffer, data.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + length)));
  const rgba = data.subarray(4 + length);
  const atlasWidth = header.columns * header.cellWidth;
  header.operators.forEach((name, index) => {
    const node = state.nodes.get(name);
    if (!node || !node.canvas) return;
    const x0 = (index % header.columns) * header.cellWidth;
    const y0 = Math.floor(index / header.columns) * header.cellHeight;
    const image = new ImageData(header.cellWidth, header.cellHeight);
    for (let y = 0; y < header.cellHeight; y++) {
      const from = ((y0 + y) * atlasWidth + x0) * 4;
      image.data.set(rgba.subarray(from, from + header.cellWidth * 4), y * header.cellWidth * 4);
    }
    node.canvas.getContext("2d").putImageData(image, 0, 0);
    node.canvas.dataset.frames = String(Number(node.canvas.dataset.frames || 0) + 1);
  });
}

// ── the selected node's params ──

function select(name) {
  state.selected = name;
  for (const [other, node] of state.nodes) node.element.classList.toggle("selected", other === name);
  renderParams();
}

function renderActions() {
  const op = state.operators.find((o) => o.name === state.selected);
  $("node-actions").hidden = !op;
  if (!op) return;
  $("solo-button").textContent = state.solo === op.name ? "Exit solo" : "Solo";
  $("solo-button").disabled = op.outputType !== "texture";
  $("bypass-button").textContent = op.bypass ? "Un-bypass" : "Bypass";
  $("bypass-button").disabled = op.outputType !== "texture" || op.inputs.length === 0;
}

function renderParams() {
  const form = $("params");
  const op = state.operators.find((o) => o.name === state.selected);
  $("selected-title").textContent = op ? `${op.name} (${op.displayName}${op.sourceLine ? `, line ${op.sourceLine}` : ""})` : "Click a node";
  renderActions();
  if (!op) return form.replaceChildren();
  const params = [...state.params.values()].filter((p) => p.operator === op.name);
  form.replaceChildren(...params.map(makeControl));
}

function makeControl(p) {
  const row = document.createElement("div");
  row.className = `param${p.bound ? " bound" : ""}`;
  row.dataset.param = p.name;
  const label = document.createElement("label");
  label.textContent = p.name;
  row.appendChild(label);
  const output = document.createElement("output");
  const key = `${p.operator}\0${p.name}`;
  const change = (value) => send({ type: "param_change", operator: p.operator, param: p.name, value });
  const hold = (input) => {
    input.addEventListener("pointerdown", () => state.editing.add(key));
    input.addEventListener("pointerup", () => state.editing.delete(key));
    input.addEventListener("change", () => state.editing.delete(key));
  };
  let control;
  if (p.type === "float" || p.type === "int") {
    control = document.createElement("input");
    control.type = "range";
    const [min, max] = rangeOf(p);
    control.min = String(min);
    control.max = String(max);
    control.step = p.type === "int" ? "1" : String((max - min) / 1000);
    control.value = String(p.value);
    control.addEventListener("input", () => {
      output.textContent = formatNumber(Number(control.value));
      change(Number(control.value));
    });
    hold(control);
    output.textContent = formatNumber(p.value);
  } else if (p.type === "bool") {
    control = document.createElement("input");
    control.type = "checkbox";
    control.checked = p.value;
    control.addEventListener("change", () => change(control.checked));
  } else if (p.type === "enum") {
    control = document.createElement("select");
    for (const option of p.options) control.add(new Option(option, option, false, option === p.value));
    control.addEventListener("change", () => change(control.value));
  } else if (p.type === "color") {
    control = document.createElement("div");
    control.className = "vector";
    const picker = document.createElement("input");
    picker.type = "color";
    picker.value = toHex(p.value);
    const alpha = document.createElement("input");
    alpha.type = "range";
    alpha.min = "0";
    alpha.max = "1";
    alpha.step = "0.001";
    alpha.value = String(p.value[3] ?? 1);
    const send = () => change([...fromHex(picker.value), Number(alpha.value)]);
    picker.addEventListener("input", send);
    alpha.addEventListener("input", send);
    hold(alpha);
    control.append(picker, alpha);
    output.textContent = formatValue(p.value);
  } else if (p.type === "vec2" || p.type === "vec3" || p.type === "vec4") {
    control = document.createElement("div");
    control.className = "vector";
    const [min, max] = rangeOf(p);
    const inputs = p.value.map((component) => {
      const input = document.createElement("input");
      input.type = "range";
      input.min = String(Math.min(min, component));
      input.max = String(Math.max(max, component));
      input.step = String((max - min) / 1000);
      input.value = String(component);
      hold(input);
      return input;
    });
    for (const input of inputs) {
      input.addEventListener("input", () => {
        const value = inputs.map((i) => Number(i.value));
        output.textContent = formatValue(value);
        change(value);
      });
    }
    control.append(...inputs);
    output.textContent = formatValue(p.value);
  } else {
    control = document.createElement("input");
    control.type = "text";
    control.value = String(p.value);
    control.addEventListener("change", () => change(control.value));
  }
  row.append(control, output);
  return row;
}

/** Moves the controls to the values the runtime reports (update() may drive them), except one being dragged. */
function refreshParamValues() {
  const form = $("params");
  for (const row of form.children) {
    const p = state.params.get(`${state.selected}\0${row.dataset.param}`);
    if (!p || state.editing.has(`${p.operator}\0${p.name}`)) continue;
    const output = row.querySelector("output");
    if (p.type === "float" || p.type === "int") {
      const input = row.querySelector("input");
      if (document.activeElement !== input) input.value = String(p.value);
      output.textContent = formatNumber(p.value);
    } else if (p.type === "bool") row.querySelector("input").checked = p.value;
    else if (p.type === "enum") row.querySelector("select").value = p.value;
    else if (Array.isArray(p.value)) output.textContent = formatValue(p.value);
  }
}

function rangeOf(p) {
  if (p.min !== undefined && p.min !== null && p.max !== undefined && p.max !== null) return [p.min, p.max];
  const magnitude = Math.max(1, ...[].concat(p.value).map((v) => Math.abs(v) * 2));
  return [p.min ?? -magnitude, p.max ?? magnitude];
}

// ── debug values, errors ──

function renderDebug() {
  const table = $("debug");
  table.replaceChildren(
    ...[...state.debug].map(([name, entry]) => {
      const row = document.createElement("tr");
      row.dataset.debug = name;
      row.innerHTML = `<td></td><td class="v"></td><td><canvas width="120" height="20"></canvas></td>`;
      row.children[0].textContent = name;
      row.children[1].textContent = typeof entry.value === "number" ? formatNumber(entry.value) : String(entry.value);
      sparkline(row.querySelector("canvas"), entry.history);
      return row;
    }),
  );
}

function sparkline(canvas, values) {
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  if (values.length < 2) return;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  g.strokeStyle = "#4fc3f7";
  g.beginPath();
  values.forEach((v, i) => {
    const x = (i / (values.length - 1)) * (canvas.width - 1);
    const y = canvas.height - 1 - ((v - min) / span) * (canvas.height - 2);
    i === 0 ? g.moveTo(x, y) : g.lineTo(x, y);
  });
  g.stroke();
}

function showError(error) {
  $("error").hidden = !error;
  if (!error) return;
  const where = error.file ? `${error.file}${error.line ? `:${error.line}` : ""}${error.column ? `:${error.column}` : ""}` : "";
  $("error-where").textContent = where;
  $("error-where").dataset.line = error.line ?? "";
  $("error-message").textContent = error.message;
  $("error-source").textContent = error.sourceLine !== undefined ? `${error.line ?? ""} | ${error.sourceLine}\n${" ".repeat(String(error.line ?? "").length)} | ${" ".repeat(Math.max(0, (error.column ?? 1) - 1))}^` : "";
}

// ── formatting ──

function formatNumber(v) {
  return typeof v === "number" ? String(Number(v.toPrecision(4))) : String(v);
}

function formatValue(v) {
  return Array.isArray(v) ? `[${v.map(formatNumber).join(", ")}]` : typeof v === "string" ? JSON.stringify(v) : formatNumber(v);
}

function toHex(rgba) {
  return `#${rgba.slice(0, 3).map((c) => Math.round(Math.min(1, Math.max(0, c)) * 255).toString(16).padStart(2, "0")).join("")}`;
}

function fromHex(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
}

$("commit").addEventListener("click", () => send({ type: "commit_changes" }));
$("discard").addEventListener("click", () => send({ type: "discard_changes" }));
$("solo-button").addEventListener("click", () => send(state.solo === state.selected ? { type: "solo_exit" } : { type: "solo_node", operator: state.selected }));
$("bypass-button").addEventListener("click", () => {
  const op = state.operators.find((o) => o.name === state.selected);
  if (op) send({ type: "bypass_node", operator: op.name, bypass: !op.bypass });
});
connect();
