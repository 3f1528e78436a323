#!/usr/bin/env python3
"""Turn synth.py's pytm JSON into a native .stride.json model, plus two edited variants.

Usage: merge_native.py APP.pytm.json OUT_DIR
Writes OUT_DIR/base.stride.json, ours.stride.json and theirs.stride.json. Ids are UUID v5 of the
names, so the same input always gives the same files. Ours renames every 50th element and sets a
property on every 50th from another offset; theirs edits other elements, moves some to another
boundary and deletes a few (with their flows); both redraw part of the layout. The edits are
disjoint, so the merge is clean.
"""
import json, sys, uuid, copy, os

NS = uuid.UUID("6f1d5a52-8c3e-4a59-9d43-0b5e1e7c2a10")
KINDS = {"Actor": ("external_entity", "generic.external_entity"),
         "Process": ("process", "generic.process"),
         "Server": ("process", "generic.process"),
         "Datastore": ("data_store", "generic.data_store")}

def uid(kind, name):
    return str(uuid.uuid5(NS, f"{kind}:{name}"))

def native(app):
    boundaries = [{"id": uid("b", b["name"]), "name": b["name"],
                   "kind": "internet" if b["name"] == "Internet" else "virtual_network"}
                  for b in app["boundaries"]]
    elements, layout = [], {}
    for i, e in enumerate(app["elements"]):
        kind, stencil = KINDS[e["__class__"]]
        el = {"id": uid("e", e["name"]), "kind": kind, "name": e["name"], "stencil": stencil}
        if e.get("inBoundary"):
            el["boundary"] = uid("b", e["inBoundary"])
        if "isEncrypted" in e:
            el["properties"] = {"encrypted_at_rest": e["isEncrypted"]}
        elements.append(el)
        layout[el["id"]] = {"x": float(i % 200) * 120, "y": float(i // 200) * 100, "width": 100.0, "height": 60.0}
    flows = []
    for f in app["flows"]:
        flows.append({"id": uid("f", f["name"]), "name": f["name"], "source": uid("e", f["source"]),
                      "target": uid("e", f["sink"]), "protocol": f["protocol"],
                      "properties": {"encrypted": f["isEncrypted"]}})
    return {"schema_version": 1, "id": uid("m", app["name"]), "name": app["name"],
            "description": app["description"], "boundaries": boundaries, "elements": elements,
            "flows": flows, "layout": {"nodes": layout}}

def ours(m):
    m = copy.deepcopy(m)
    for i, e in enumerate(m["elements"]):
        if i % 50 == 1:
            e["name"] += "-ours"
        elif i % 50 == 2:
            e.setdefault("properties", {})["reviewed"] = True
    for i, (k, v) in enumerate(m["layout"]["nodes"].items()):
        if i % 10 == 0:
            v["x"] += 5
    return m

def theirs(m):
    m = copy.deepcopy(m)
    target = m["boundaries"][1]["id"]
    gone = set()
    for i, e in enumerate(m["elements"]):
        if i % 50 == 26:
            e["notes"] = "checked by theirs"
        elif i % 50 == 27:
            e["boundary"] = target
        elif i % 500 == 28:
            gone.add(e["id"])
    m["elements"] = [e for e in m["elements"] if e["id"] not in gone]
    m["flows"] = [f for f in m["flows"] if f["source"] not in gone and f["target"] not in gone]
    for k in gone:
        m["layout"]["nodes"].pop(k, None)
    for i, (k, v) in enumerate(m["layout"]["nodes"].items()):
        if i % 10 == 5:
            v["y"] += 5
    return m

if __name__ == "__main__":
    app = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    base = native(app)
    for name, m in (("base", base), ("ours", ours(base)), ("theirs", theirs(base))):
        with open(os.path.join(out, f"{name}.stride.json"), "w") as fh:
            json.dump(m, fh, indent=2)
            fh.write("\n")
