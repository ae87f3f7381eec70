// Draws the overlays into the (script-less, sandboxed) page frame from its data-tg-mark attributes,
// and wires the legend (show/hide a kind of mark) and the panel (scroll to a mark).
"use strict";
(() => {
  const frame = document.getElementById("tg-page");
  const entries = Array.from(document.querySelectorAll(".tg-entry"));
  const legend = Array.from(document.querySelectorAll(".tg-legend-item"));
  const hidden = new Set();
  let layer = null;
  let pending = false;

  const markOf = (doc, id) => doc.querySelector('[data-tg-mark~="' + id + '"]');

  function draw() {
    pending = false;
    const doc = frame.contentDocument;
    if (!doc || !doc.documentElement) return;
    const view = frame.contentWindow;
    if (layer) layer.remove();
    layer = doc.createElement("div");
    layer.id = "tg-overlays";
    for (const entry of entries) {
      const element = markOf(doc, entry.dataset.tgTarget);
      const rect = element ? element.getBoundingClientRect() : null;
      const shown = rect !== null && (rect.width > 0 || rect.height > 0);
      entry.classList.toggle("tg-unrendered", !shown);
      if (!shown) continue;
      const box = doc.createElement("div");
      box.className = "tg-box tg-role-" + entry.dataset.tgRole;
      box.dataset.tgFor = entry.dataset.tgTarget;
      box.style.left = rect.left + view.scrollX + "px";
      box.style.top = rect.top + view.scrollY + "px";
      box.style.width = rect.width + "px";
      box.style.height = rect.height + "px";
      const label = doc.createElement("span");
      label.className = "tg-box-label";
      label.textContent = entry.dataset.tgLabel;
      box.append(label);
      layer.append(box);
    }
    for (const role of hidden) layer.classList.add("tg-hide-" + role);
    doc.documentElement.append(layer);
    document.body.dataset.tgDrawn = String(layer.childElementCount);
  }

  function redraw() {
    if (!pending) { pending = true; requestAnimationFrame(draw); }
  }

  let observed = null;
  function ready() {
    draw();
    const doc = frame.contentDocument;
    if (doc && doc.body && doc.body !== observed && "ResizeObserver" in window) {
      observed = doc.body;  // the frame may report "load" after the script already found it loaded
      new ResizeObserver(redraw).observe(doc.body);
    }
  }

  for (const item of legend) {
    item.addEventListener("click", () => {
      const role = item.dataset.tgRole;
      const show = hidden.has(role);
      if (show) hidden.delete(role); else hidden.add(role);
      item.setAttribute("aria-pressed", String(show));
      if (layer) layer.classList.toggle("tg-hide-" + role, !show);
    });
  }

  for (const entry of entries) {
    entry.addEventListener("click", () => {
      const doc = frame.contentDocument;
      const element = doc && markOf(doc, entry.dataset.tgTarget);
      if (!element) return;
      element.scrollIntoView({ block: "center", inline: "nearest" });
      for (const other of entries) other.removeAttribute("aria-current");
      entry.setAttribute("aria-current", "true");
      if (!layer) return;
      for (const box of layer.querySelectorAll(".tg-active")) box.classList.remove("tg-active");
      const box = layer.querySelector('[data-tg-for="' + entry.dataset.tgTarget + '"]');
      if (box) box.classList.add("tg-active");
    });
  }

  window.addEventListener("resize", redraw);
  if (frame.contentDocument && frame.contentDocument.readyState === "complete" && frame.contentDocument.body
      && frame.contentDocument.body.childElementCount) ready();
  frame.addEventListener("load", ready);
})();
