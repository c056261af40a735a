"""Loops a case could never stop going round, or never leave, refused before they are deployed.

Each process, and each subprocess drawn inside one, is a graph: its flow nodes joined by their sequence flows,
a boundary event hanging off the activity it is attached to, and a link throw event joined to the link catch
events of its name. Two kinds of cycle in it are refused, each reported once, naming the file, the elements of
the loop in order (ids and names) and the line of the first:

A loop without a wait state -- a cycle with no wait state on it: no user, manual or receive task (nor a plain task),
    no catching timer, message, signal or conditional event, no event-based gateway, and no subprocess or call
    activity that has one. The engine runs such a loop round within the step that reached it, as long as its
    gateway says so, and nothing outside the case can change that; the step fails when the engine's limit is
    reached, at every try. A task with a boundary event counts as the task: the boundary event only waits for
    its event while the task itself waits.
A loop without a choice -- a cycle with no element that can decide to leave it: no exclusive, inclusive or
    event-based gateway and no boundary event. A case that enters it can never leave, and the engine, which
    looks ahead along every step that is sure to follow, recurses on it without end, so every case reaching
    it fails (when it is near the start: every start). A branch of a parallel gateway that flows back into
    the gateway is such a loop, whatever waits on it.

A loop that flows back into a parallel gateway which flows from before the loop also come into is refused too:
the gateway waits for a token on every flow coming in, and those from before the loop never bring one again, so
a case going round waits there for ever (SpiffWorkflow only seems to run it while the finished tasks of the
first round are kept; the engine drops them when it stores a case). Loops between processes (a call activity calling
its own process) are not looked for here; the runtime stops them (`engine.runtime.limits`). One loop between
cases is: a start of the main process that reaches an event sending the message named like it (which starts
the next case) with nothing to wait for on the way.
"""

from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CHECK = "loops"
MAX_LOOPS_PER_FILE = 50
MAX_NAMED = 20  # elements named in one problem; a longer loop is cut short

FLOW_NODES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "scriptTask", "businessRuleTask", "serviceTask", "manualTask", "sendTask", "receiveTask",
    "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "exclusiveGateway", "parallelGateway", "eventBasedGateway", "inclusiveGateway", "complexGateway",
}
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
# Tasks that wait for a person (or, a receive task, for a message).
WAITING_TASKS = {"task", "userTask", "manualTask", "receiveTask"}
# Event definitions a catching event waits for; a link, error, escalation, compensation or none event does not.
WAITING_EVENTS = {"timerEventDefinition", "messageEventDefinition", "signalEventDefinition",
                  "conditionalEventDefinition"}
# Where the engine decides which way a case goes; a boundary event's path is taken only if its event occurs.
CHOOSING = {"exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway", "boundaryEvent"}

WAIT_STATES = ("a user, manual or receive task, a catching timer, message or signal event, an event-based "
               "gateway, or a subprocess or call activity with one of these")
WAIT_STATES_SV = ("en användaruppgift, manuell uppgift eller mottagande uppgift, en timer-, meddelande- eller "
                  "signalhändelse som väntar, en händelsebaserad gateway, eller en underprocess eller ett anrop med "
                  "något av dessa")


def _q(local: str) -> str:
    return f"{{{BPMN_NS}}}{local}"


def _local(el) -> str | None:
    if not isinstance(el.tag, str):
        return None
    qname = etree.QName(el)
    return qname.localname if qname.namespace == BPMN_NS else None


def _event_kinds(el) -> set[str]:
    return {_local(child) for child in el if _local(child) and _local(child).endswith("EventDefinition")}


def _flow_nodes(scope) -> list:
    return [child for child in scope if _local(child) in FLOW_NODES and child.get("id")]


def _is_event_subprocess(el) -> bool:
    return _local(el) in SUBPROCESSES and (el.get("triggeredByEvent") or "").strip().lower() == "true"


class _Waits:
    """Whether a process or subprocess has a wait state anywhere in its own flow (not counting its event
    subprocesses, which wait for their trigger beside it), through the processes it calls too."""

    def __init__(self, processes: dict):
        self.processes = processes
        self.known: dict[str, bool] = {}
        self.looking: set[str] = set()

    def node_waits(self, el) -> bool:
        kind = _local(el)
        if kind in WAITING_TASKS or kind == "eventBasedGateway":
            return True
        if kind in ("intermediateCatchEvent", "boundaryEvent"):
            return bool(_event_kinds(el) & WAITING_EVENTS)
        if kind in SUBPROCESSES:
            return self.scope_waits(el)
        if kind == "callActivity":
            called = (el.get("calledElement") or "").strip()
            if called not in self.processes:
                return True  # reported by the references check; nothing to say about it here
            return self.process_waits(called)
        return False

    def scope_waits(self, scope) -> bool:
        return any(self.node_waits(el) for el in _flow_nodes(scope) if not _is_event_subprocess(el))

    def process_waits(self, process_id: str) -> bool:
        if process_id not in self.known:
            if process_id in self.looking:
                return False  # a process calling itself waits only if it waits elsewhere
            self.looking.add(process_id)
            self.known[process_id] = self.scope_waits(self.processes[process_id])
            self.looking.discard(process_id)
        return self.known[process_id]


def check_loops(bpmn_trees: dict, key: str | None = None) -> list[dict]:
    """Every refused loop of a set's BPMN files (path -> parsed root), as deployment problems; with the main
    process `key`, also a start of it that sends the message starting the next case before it waits."""
    processes = {el.get("id"): el for root in bpmn_trees.values() for el in root.iter(_q("process"))
                 if el.get("id")}
    waits = _Waits(processes)
    found = _starting_itself(bpmn_trees, processes, waits, key) if key in processes else []
    for path, root in sorted(bpmn_trees.items()):
        in_file = []
        for process in root.iter(_q("process")):
            for scope in [process, *(el for el in process.iter() if _local(el) in SUBPROCESSES)]:
                in_file.extend(_scope_loops(path, scope, waits))
        found.extend(in_file[:MAX_LOOPS_PER_FILE])
    return found


def _scope_loops(path: str, scope, waits: _Waits) -> list[dict]:
    nodes = {el.get("id"): el for el in _flow_nodes(scope)}
    edges = _edges(scope, nodes)
    found = []
    unchoosing = [n for n, el in nodes.items() if _local(el) not in CHOOSING]
    reported: set[str] = set()
    for component in _cycles(unchoosing, edges):
        reported |= component
        found.append(_problem(path, nodes, component, edges, "loop-without-choice"))
    not_waiting = [n for n, el in nodes.items() if not waits.node_waits(el)]
    for component in _cycles(not_waiting, edges):
        if not component <= reported:
            found.append(_problem(path, nodes, component, edges, "loop-without-wait"))
    incoming: dict[str, list[str]] = {n: [] for n in nodes}
    for source, targets in edges.items():
        for target in targets:
            incoming[target].append(source)
    for component in _cycles(list(nodes), edges):
        for n in (n for n in nodes if n in component and n not in reported):
            sources = incoming[n]
            if _local(nodes[n]) == "parallelGateway" and any(s in component for s in sources) \
                    and any(s not in component for s in sources):
                found.append(_join_problem(path, nodes, n, component, edges))
    return found


def _join_problem(path: str, nodes: dict, gateway: str, component: set[str], edges: dict) -> dict:
    el = nodes[gateway]
    cycle = _cycle_through(gateway, component, edges)
    steps = [_named(nodes[n]) for n in cycle[:-1]][:MAX_NAMED]
    message = (f"The loop {' → '.join([*steps, gateway])} flows back into the parallel gateway {gateway}, where "
               "flows from before the loop come in too: a parallel gateway waits for every flow coming in, and those "
               "from before the loop never come again, so a case going round would wait there for ever. Let the "
               "flows meet at an exclusive gateway before it")
    message_sv = (f"Slingan {' → '.join([*steps, gateway])} i diagrammet {path} (rad {el.sourceline}) går tillbaka "
                  f"in i den parallella gatewayen {_named(el)}, dit även flöden från före slingan kommer. En parallell "
                  "gateway väntar på alla inkommande flöden, och de från före slingan kommer aldrig igen, så ett "
                  "ärende som går ett varv till skulle vänta där för alltid. Låt flödena mötas i en exklusiv gateway "
                  "före den")
    return {"file": path, "element": gateway, "line": el.sourceline, "message": message, "message_sv": message_sv,
            "check": CHECK}


def _starting_itself(bpmn_trees: dict, processes: dict, waits: _Waits, key: str) -> list[dict]:
    """A start of the main process that reaches, with nothing to wait for on the way, an event sending the message
    named like it: that message starts a new case of it (`engine.services.cases`), which sends it again, without
    end. Followed into subprocesses and called processes that do not wait."""
    files = {id(el): path for path, root in bpmn_trees.items() for el in root.iter(_q("process"))}
    names = {el.get("id"): el.get("name") for root in bpmn_trees.values() for el in root.iter(_q("message"))}
    found = []
    entered: set[int] = set()

    def enter(scope, path: str) -> None:
        if id(scope) in entered:
            return
        entered.add(id(scope))
        nodes = {el.get("id"): el for el in _flow_nodes(scope)}
        edges = _edges(scope, nodes)
        todo = [n for n, el in nodes.items() if _local(el) == "startEvent"]
        seen = set(todo)
        while todo:
            node = todo.pop()
            el = nodes[node]
            if waits.node_waits(el):
                continue
            kind = _local(el)
            message = el.find(_q("messageEventDefinition"))
            if kind in ("endEvent", "intermediateThrowEvent") and message is not None \
                    and names.get(message.get("messageRef")) == key:
                found.append({"file": path, "element": node, "line": el.sourceline, "check": CHECK, "message": (
                    f"A case of {key!r} reaches {_named(el)}, which sends the message {key!r} that starts a new "
                    "case, with nothing to wait for on the way: each case would start the next at once, without "
                    "end. Put a wait state before it"), "message_sv": (
                    f"Ett ärende av '{key}' når {_named(el)} i diagrammet {path} (rad {el.sourceline}), som skickar "
                    f"meddelandet '{key}' som startar ett nytt ärende, utan något att vänta på på vägen: varje ärende "
                    "skulle genast starta nästa, utan slut. Lägg ett vänteläge (t.ex. en användaruppgift eller en "
                    "timer) före det")})
            if kind in SUBPROCESSES and not _is_event_subprocess(el):
                enter(el, path)
            elif kind == "callActivity" and (el.get("calledElement") or "").strip() in processes:
                called = processes[el.get("calledElement").strip()]
                enter(called, files.get(id(called), path))
            for succ in edges[node]:
                if succ not in seen:
                    seen.add(succ)
                    todo.append(succ)

    main = processes[key]
    enter(main, files.get(id(main)))
    return found


def _edges(scope, nodes: dict) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {n: [] for n in nodes}
    for flow in scope.iterchildren(_q("sequenceFlow")):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in nodes and target in nodes:
            edges[source].append(target)
    catches: dict[str, list[str]] = {}
    for n, el in nodes.items():
        if _local(el) == "boundaryEvent" and el.get("attachedToRef") in nodes:
            edges[el.get("attachedToRef")].append(n)
        link = el.find(_q("linkEventDefinition"))
        if link is not None and _local(el) == "intermediateCatchEvent":
            catches.setdefault(link.get("name") or "", []).append(n)
    for n, el in nodes.items():
        link = el.find(_q("linkEventDefinition"))
        if link is not None and _local(el) == "intermediateThrowEvent":
            edges[n].extend(catches.get(link.get("name") or "", []))
    return edges


def _cycles(members: list[str], edges: dict[str, list[str]]) -> list[set[str]]:
    """The strongly connected components of the graph on `members` that hold a cycle, in the order of their
    first member (Tarjan's algorithm, without recursion: a file may hold thousands of elements)."""
    inside = set(members)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in members:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in inside:
                    continue
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(edges[succ])))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    components.append(component)
    order = {n: i for i, n in enumerate(members)}
    return sorted(components, key=lambda c: min(order[n] for n in c))


def _cycle_through(start: str, component: set[str], edges: dict[str, list[str]]) -> list[str]:
    """The shortest cycle from `start` back to it within the component: the loop as a reader follows it."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in edges[node]:
                if succ not in component or succ in came_from:
                    continue
                came_from[succ] = node
                if succ == start:
                    path = [start]
                    step = node
                    while step != start:
                        path.append(step)
                        step = came_from[step]
                    return [start, *reversed(path[1:]), start]
                following.append(succ)
        frontier = following
    return [start, start]


def _named(el) -> str:
    name = " ".join((el.get("name") or "").split())
    return f"{el.get('id')} ({name!r})" if name else el.get("id")


def _problem(path: str, nodes: dict, component: set[str], edges: dict, kind: str) -> dict:
    ordered = [n for n in nodes if n in component]  # document order
    start = next((n for n in ordered if _local(nodes[n]).endswith("Gateway")), ordered[0])
    cycle = _cycle_through(start, component, edges)
    steps = [_named(nodes[n]) for n in cycle[:-1]]
    if len(steps) > MAX_NAMED:
        steps = [*steps[:MAX_NAMED], f"… ({len(steps) - MAX_NAMED} more)"]
    loop = " → ".join([*steps, start])
    on_cycle = set(cycle)
    others = [_named(nodes[n]) for n in ordered if n not in on_cycle]
    if others:
        more = f", … ({len(others) - MAX_NAMED} more)" if len(others) > MAX_NAMED else ""
        loop += f" (and, in loops with it, {', '.join(others[:MAX_NAMED])}{more})"
    loop_sv = loop.replace(" more)", " till)").replace("(and, in loops with it, ", "(och, i slingor med den, ")
    if kind == "loop-without-choice":
        message = (f"The loop {loop} has no gateway that decides whether to go round again (exclusive, inclusive "
                   "or event-based) and no boundary event: a case that enters it can never leave it, and the "
                   "engine cannot run it (every case reaching it would fail). A parallel gateway's branch must "
                   "not flow back into it; decide with an exclusive gateway whether to go round again")
        message_sv = (f"Slingan {loop_sv} i diagrammet {path} har ingen gateway som avgör om den ska gå ett varv "
                      "till (exklusiv, inkluderande eller händelsebaserad) och ingen gränshändelse: ett ärende som "
                      "kommer in i den kan aldrig lämna den, och motorn kan inte köra den (varje ärende som når den "
                      "skulle stoppas). En gren från en parallell gateway får inte gå tillbaka in i den; låt en "
                      "exklusiv gateway avgöra om slingan ska gå ett varv till")
    else:
        message = (f"The loop {loop} has no wait state ({WAIT_STATES}): the engine would go round it without "
                   "end in one step, and the case could not go on. Put a wait state in the loop, or decide "
                   "before it whether to go round")
        message_sv = (f"Slingan {loop_sv} i diagrammet {path} har inget vänteläge ({WAIT_STATES_SV}): motorn "
                      "skulle gå runt i den utan slut i ett enda steg, och ärendet kunde inte fortsätta. Lägg ett "
                      "vänteläge i slingan, eller avgör före den om den ska gå ett varv till")
    el = nodes[start]
    return {"file": path, "element": el.get("id"), "line": el.sourceline, "message": message,
            "message_sv": message_sv, "check": CHECK}
