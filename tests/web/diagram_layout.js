// What a person reading a diagram drawn by bpmn-js would stumble on, measured on the drawing itself:
// a name split inside a word, text under a task's icon or marker, a label outside the lanes or on another
// shape, label or line, a boundary event on its activity's marker, and two flows drawn on the same line.
// Called as `layoutProblems(viewer)` on a bpmn-js viewer that has imported a diagram; answers a list of
// sentences naming the elements.
window.layoutProblems = function layoutProblems(viewer) {
  const registry = viewer.get("elementRegistry");
  const problems = [];
  const all = registry.getAll();
  const GAP = 1;

  const overlaps = (a, b) =>
    a.x < b.x + b.width - GAP && b.x < a.x + a.width - GAP && a.y < b.y + b.height - GAP && b.y < a.y + a.height - GAP;
  const inside = (a, b) =>
    a.x >= b.x - GAP && a.y >= b.y - GAP && a.x + a.width <= b.x + b.width + GAP && a.y + a.height <= b.y + b.height + GAP;
  const words = (text) => (text || "").replace(/\u00AD/g, "").split(/\s+/).filter(Boolean);

  // The boxes of an element's drawn text lines, in diagram coordinates, and the lines themselves.
  function textOf(element) {
    const gfx = registry.getGraphics(element);
    const text = gfx && gfx.querySelector(".djs-visual > text");
    if (!text) return null;
    const lines = [...text.querySelectorAll("tspan")].map((t) => t.textContent);
    const boxes = [...text.querySelectorAll("tspan")]
      .filter((t) => t.textContent.trim())
      .map((t) => {
        const b = t.getBBox();
        return { x: b.x + element.x, y: b.y + element.y, width: b.width, height: b.height };
      });
    return { lines, boxes };
  }

  function pathBoxes(element) {
    const gfx = registry.getGraphics(element);
    return [...gfx.querySelectorAll(".djs-visual > path")].map((p) => {
      const b = p.getBBox();
      return { x: b.x + element.x, y: b.y + element.y, width: b.width, height: b.height };
    });
  }

  // The drawn lines put back together: a line ending in a hyphen (the name's own, or a soft hyphen drawn as
  // one) joins the next without a space, any other break is a space. A name cut inside a word reads otherwise.
  function splitInsideAWord(name, lines) {
    const rebuilt = lines.filter((l) => l.trim()).reduce((text, line) =>
      (text === null ? "" : /[-\u00AD]$/.test(text) ? text.slice(0, -1) : text + " ") + line.trim(), null) || "";
    const plain = (t) => words(t.replace(/[-\u00AD]/g, "")).join(" ");
    return plain(rebuilt) !== plain(name);
  }

  const lanes = all.filter((e) => e.type === "bpmn:Lane" || e.type === "bpmn:Participant");
  const area = lanes.length
    ? lanes.reduce((a, l) => {
        const x = Math.min(a.x, l.x), y = Math.min(a.y, l.y);
        return { x, y, width: Math.max(a.x + a.width, l.x + l.width) - x, height: Math.max(a.y + a.height, l.y + l.height) - y };
      })
    : null;
  const shapes = all.filter((e) => !e.waypoints && e.type !== "label" && e.type !== "bpmn:Lane" &&
    e.type !== "bpmn:Participant" && e.parent && e.type !== "bpmn:Process");
  const expanded = (e) => e.type === "bpmn:SubProcess" && !e.collapsed;
  const connections = all.filter((e) => e.waypoints && e.type !== "label");
  const segments = (c) => c.waypoints.slice(1).map((p, i) => [c.waypoints[i], p]);
  const segmentHits = (box, [a, b]) => {
    const x1 = Math.min(a.x, b.x), x2 = Math.max(a.x, b.x), y1 = Math.min(a.y, b.y), y2 = Math.max(a.y, b.y);
    return x1 < box.x + box.width - GAP && box.x + GAP < x2 + (x1 === x2 ? 1 : 0) &&
      y1 < box.y + box.height - GAP && box.y + GAP < y2 + (y1 === y2 ? 1 : 0);
  };

  for (const element of shapes) {
    const name = element.businessObject.name;
    const drawn = textOf(element);
    if (name && drawn && drawn.lines.length) {
      if (splitInsideAWord(name, drawn.lines)) problems.push(`${element.id}: "${name}" is split inside a word (${JSON.stringify(drawn.lines)})`);
      if (!expanded(element)) {
        for (const mark of pathBoxes(element)) {
          if (drawn.boxes.some((b) => overlaps(b, mark))) {
            problems.push(`${element.id}: its name "${name}" is drawn under its icon or marker`);
            break;
          }
        }
      }
    }
    if (element.type === "bpmn:BoundaryEvent" && element.host) {
      if (pathBoxes(element.host).some((m) => overlaps(element, m))) {
        problems.push(`${element.id}: covers the icon or a marker of ${element.host.id}`);
      }
    }
  }

  for (const label of all.filter((e) => e.type === "label")) {
    const owner = label.labelTarget;
    const name = owner.businessObject.name;
    const drawn = textOf(label);
    if (!name || !drawn) continue;
    if (splitInsideAWord(name, drawn.lines)) problems.push(`${owner.id}: label "${name}" is split inside a word (${JSON.stringify(drawn.lines)})`);
    for (const box of drawn.boxes) {
      if (area && !inside(box, area)) problems.push(`${owner.id}: label "${name}" is outside the lanes`);
      for (const other of shapes) {
        if (expanded(other)) {
          if (overlaps(box, other) && !inside(box, other)) problems.push(`${owner.id}: label "${name}" crosses the border of ${other.id}`);
        } else if (overlaps(box, other)) {
          problems.push(`${owner.id}: label "${name}" lies on ${other.id}`);
        }
      }
      for (const c of connections) {
        if (c === owner) continue;
        if (segments(c).some((s) => segmentHits(box, s))) problems.push(`${owner.id}: label "${name}" is crossed by ${c.id}`);
      }
      for (const otherLabel of all.filter((e) => e.type === "label" && e !== label)) {
        const theirs = textOf(otherLabel);
        if (theirs && theirs.boxes.some((b) => overlaps(b, box))) problems.push(`${owner.id}: label "${name}" lies on the label of ${otherLabel.labelTarget.id}`);
      }
    }
  }

  // A flow drawn through a shape it does not connect reads as if it went there.
  for (const c of connections) {
    for (const other of shapes) {
      if (other === c.source || other === c.target || expanded(other)) continue;
      if (other.host && (other.host === c.source || other.host === c.target)) continue;
      if (c.source && c.source.host === other) continue;
      const inner = { x: other.x + 2, y: other.y + 2, width: other.width - 4, height: other.height - 4 };
      if (segments(c).some((s) => segmentHits(inner, s))) problems.push(`${c.id} is drawn through ${other.id}`);
    }
  }

  // Two flows drawn along the same stretch of line read as one.
  for (let i = 0; i < connections.length; i++) {
    for (let j = i + 1; j < connections.length; j++) {
      const shared = segments(connections[i]).some(([a, b]) => segments(connections[j]).some(([c, d]) => {
        if (a.y === b.y && c.y === d.y && a.y === c.y) {
          return Math.min(Math.max(a.x, b.x), Math.max(c.x, d.x)) - Math.max(Math.min(a.x, b.x), Math.min(c.x, d.x)) > 2;
        }
        if (a.x === b.x && c.x === d.x && a.x === c.x) {
          return Math.min(Math.max(a.y, b.y), Math.max(c.y, d.y)) - Math.max(Math.min(a.y, b.y), Math.min(c.y, d.y)) > 2;
        }
        return false;
      }));
      if (shared) problems.push(`${connections[i].id} and ${connections[j].id} are drawn on the same line`);
    }
  }
  return [...new Set(problems)];
};
