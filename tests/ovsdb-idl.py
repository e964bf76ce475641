#!/usr/bin/python3
"""Usage: ovsdb-idl.py REMOTE SCHEMA

Drives Open vSwitch's Python IDL (python3-openvswitch) against REMOTE:
reads the bridges, writes a key into br0's external_ids, sees its own
write come back, sees a bridge that ovs-vsctl adds, and narrows what it
watches with a condition (monitor_cond_change).  Prints what it saw."""

import subprocess
import sys

import ovs.db.idl
import ovs.poller

remote, schema_file = sys.argv[1], sys.argv[2]
helper = ovs.db.idl.SchemaHelper(schema_file)
helper.register_all()
idl = ovs.db.idl.Idl(remote, helper)


def run_until(condition, what):
    for _ in range(200):
        idl.run()
        if condition():
            return
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.timer_wait(100)
        poller.block()
    sys.exit("timed out waiting for " + what)


def bridge_names():
    return sorted(b.name for b in idl.tables["Bridge"].rows.values())


run_until(idl.has_ever_connected, "the initial contents")
print("bridges:", bridge_names())

txn = ovs.db.idl.Transaction(idl)
br0 = next(b for b in idl.tables["Bridge"].rows.values() if b.name == "br0")
br0.setkey("external_ids", "from", "python")
print("commit:", ovs.db.idl.Transaction.status_to_string(txn.commit_block()))
run_until(lambda: br0.external_ids.get("from") == "python", "our own write")
print("br0 external_ids:", br0.external_ids)

subprocess.run(["ovs-vsctl", "--db=" + remote, "--no-wait", "add-br", "br1"],
               check=True)
run_until(lambda: "br1" in bridge_names(), "br1 from ovs-vsctl")
print("bridges:", bridge_names())

idl.cond_change("Bridge", [["name", "==", "br1"]])
run_until(lambda: bridge_names() == ["br1"], "the condition to apply")
print("bridges named br1:", bridge_names())
