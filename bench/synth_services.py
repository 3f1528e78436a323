#!/usr/bin/env python3
"""Write SERVICES native service models of PER elements each, for the consolidation benchmark.

Usage: synth_services.py SERVICES PER OUTDIR

Each service sits in a shared region-stamp boundary behind the shared internet boundary: an
entry process reached from the internet, a chain of processes and data stores, a shared global
database (same shared_key in every service, with one service disagreeing about a property) and
a reference to the next service's entry, so consolidation has real work: shared resources,
references and shared boundaries. Ids are UUID v5, so the output is deterministic.
"""
import json, os, sys, uuid

NS = uuid.UUID("8f0e1c52-4b7a-4f0e-9a3c-5d2b7e6f1a90")


def uid(*parts):
    return str(uuid.uuid5(NS, "/".join(str(p) for p in parts)))


def service(s, services, per):
    name = f"svc{s}"
    internet = {"id": uid(name, "b-internet"), "name": "Internet", "kind": "internet", "shared_key": "internet"}
    stamp = {"id": uid(name, "b-stamp"), "name": "Stamp", "kind": "azure_region_stamp", "shared_key": "stamp"}
    user = {"id": uid(name, "user"), "kind": "external_entity", "name": "User", "stencil": "generic.external_entity",
            "boundary": internet["id"], "shared_key": "user"}
    elements, flows = [user], []
    prev = None
    for e in range(per - 3):
        if e % 4 == 3:
            el = {"id": uid(name, e), "kind": "data_store", "name": f"{name}-store{e}", "stencil": "azure.sql_database",
                  "properties": {"encrypted_at_rest": e % 8 == 3}}
        else:
            el = {"id": uid(name, e), "kind": "process", "name": f"{name}-proc{e}", "stencil": "azure.aks"}
        el["boundary"] = stamp["id"]
        elements.append(el)
        if prev is None:
            flows.append({"id": uid(name, "f-entry"), "name": "request", "source": user["id"], "target": el["id"],
                          "protocol": "HTTPS", "properties": {"encrypted": True}})
        else:
            flows.append({"id": uid(name, "f", e), "name": f"f{e}", "source": prev, "target": el["id"],
                          "protocol": "HTTPS"})
        if el["kind"] == "process":
            prev = el["id"]
    db = {"id": uid(name, "global-db"), "kind": "data_store", "name": "Global DB", "stencil": "azure.cosmos_db",
          "shared_key": "global-db", "properties": {"public_network_access": s != 0}}
    elements.append(db)
    flows.append({"id": uid(name, "f-db"), "name": "read global", "source": prev, "target": db["id"], "protocol": "HTTPS"})
    nxt = (s + 1) % services
    ref = {"id": uid(name, "next"), "kind": "process", "name": f"svc{nxt} entry", "stencil": "azure.aks",
           "refers_to": {"service": f"svc{nxt}", "element": f"svc{nxt}-proc0"}}
    elements.append(ref)
    flows.append({"id": uid(name, "f-next"), "name": "call next", "source": prev, "target": ref["id"], "protocol": "HTTPS"})
    return {"schema_version": 1, "id": uid(name), "name": name, "boundaries": [internet, stamp],
            "elements": elements, "flows": flows}


if __name__ == "__main__":
    services, per, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    for s in range(services):
        with open(os.path.join(out, f"svc{s}.stride.json"), "w") as f:
            json.dump(service(s, services, per), f, indent=2)
