#!/usr/bin/env python3
"""Convert a pytm JSON model (as written by /work/shared/bench/synth.py) into a native
`.stride.json` service model, for the workspace benchmark.

Usage: pytm_to_stride.py IN.pytm.json > OUT.stride.json

Ids are UUID v5 of the names, so the same input always gives the same model. Only what the
synthetic model uses is mapped: Actor -> external entity, Server/Process -> process,
Datastore -> data store (isEncrypted -> encrypted_at_rest), flows (protocol, isEncrypted ->
encrypted), boundaries (Internet -> internet, the others -> generic), plus a grid layout so the
document has realistic geometry too.
"""
import json
import sys
import uuid

NS = uuid.UUID("6f2b4a0e-6c55-4d3c-9d8e-5a7f3f1b2c10")


def uid(kind, name):
    return str(uuid.uuid5(NS, f"{kind}:{name}"))


def convert(src):
    boundaries = []
    for b in src["boundaries"]:
        boundaries.append({
            "id": uid("boundary", b["name"]),
            "name": b["name"],
            "kind": "internet" if b["name"].lower() == "internet" else "generic",
        })
    kinds = {"Actor": ("external_entity", "generic.external_entity"),
             "Server": ("process", "generic.process"),
             "Process": ("process", "generic.process"),
             "Datastore": ("data_store", "generic.data_store")}
    elements, nodes = [], {}
    for i, e in enumerate(src["elements"]):
        kind, stencil = kinds[e["__class__"]]
        el = {"id": uid("element", e["name"]), "kind": kind, "name": e["name"], "stencil": stencil}
        if e.get("inBoundary"):
            el["boundary"] = uid("boundary", e["inBoundary"])
        if kind == "data_store":
            el["properties"] = {"encrypted_at_rest": bool(e.get("isEncrypted", False))}
        elements.append(el)
        nodes[el["id"]] = {"x": float((i % 100) * 160), "y": float((i // 100) * 120),
                           "width": 120.0, "height": 60.0}
    flows = []
    for f in src["flows"]:
        flows.append({
            "id": uid("flow", f["name"]),
            "name": f["name"],
            "source": uid("element", f["source"]),
            "target": uid("element", f["sink"]),
            "protocol": f.get("protocol", ""),
            "properties": {"encrypted": bool(f.get("isEncrypted", False))},
        })
    return {
        "schema_version": 1,
        "id": uid("model", src["name"]),
        "name": src["name"],
        "description": src.get("description", ""),
        "boundaries": boundaries,
        "elements": elements,
        "flows": flows,
        "layout": {"nodes": nodes},
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as fh:
        json.dump(convert(json.load(fh)), sys.stdout, indent=2)
        sys.stdout.write("\n")
