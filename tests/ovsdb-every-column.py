#!/usr/bin/python3
"""Usage: ovsdb-every-column.py SOCKET SCHEMA

Proves that a server stores every column of every table of SCHEMA: for
each table, one transaction inserts a row with a value in every column
(references point at rows inserted alongside), selects it back and
aborts, so that neither garbage collection nor a table's row limit come
into play and nothing stays.  Prints one line per table, and each column
whose value came back different."""

import json
import socket
import sys


def rpc(sock, method, params, state={"id": 0}):
    state["id"] += 1
    sock.sendall(json.dumps({"id": state["id"], "method": method,
                             "params": params}).encode())
    decoder = json.JSONDecoder()
    buf = ""
    while True:
        data = sock.recv(65536)
        if not data:
            sys.exit("connection closed")
        buf += data.decode()
        try:
            msg, _ = decoder.raw_decode(buf.lstrip())
        except ValueError:
            continue
        if msg.get("id") == state["id"]:
            return msg
        buf = ""


def base(b):
    return {"type": b} if isinstance(b, str) else b


def atom(b, table_rows, serial):
    """A value of base type 'b' that is not the type's default."""
    b = base(b)
    t = b["type"]
    if "enum" in b:
        choices = b["enum"][1] if isinstance(b["enum"], list) else [b["enum"]]
        return sorted(choices)[-1]
    if t == "integer":
        lo = b.get("minInteger", 1)
        hi = b.get("maxInteger", 2 ** 62)
        return min(max(lo, 1) + serial, hi)
    if t == "real":
        return max(b.get("minReal", 1.5), 1.5)
    if t == "boolean":
        return True
    if t == "string":
        return "v%d" % serial + "x" * b.get("minLength", 0)
    if t == "uuid":
        if "refTable" in b:
            return ["named-uuid", table_rows(b["refTable"])]
        return ["uuid", "01234567-89ab-cdef-0123-456789abcdef"]
    sys.exit("unknown type " + t)


def value(ctype, table_rows, serial):
    if isinstance(ctype, str):
        ctype = {"key": ctype}
    key = atom(ctype["key"], table_rows, serial)
    if "value" in ctype:
        return ["map", [[key, atom(ctype["value"], table_rows, serial)]]]
    return key                  # A set of one element is its element.


def main():
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(sys.argv[1])
    schema = json.load(open(sys.argv[2]))
    tables = schema["tables"]
    bad = 0
    for name in sorted(tables):
        ops = []
        serial = [0]

        def table_rows(ref_table):
            # A row of 'ref_table' with its required references filled.
            serial[0] += 1
            uuid_name = "r%d" % serial[0]
            row = {}
            for col, cdef in tables[ref_table]["columns"].items():
                ctype = cdef["type"]
                required = isinstance(ctype, dict) and ctype.get("min", 1)
                if isinstance(ctype, str) or "key" not in ctype:
                    continue
                if required or col == "name" or col == "target":
                    row[col] = value(ctype, table_rows, serial[0])
            ops.append({"op": "insert", "table": ref_table, "row": row,
                        "uuid-name": uuid_name})
            return uuid_name

        serial[0] += 100
        row = {col: value(cdef["type"], table_rows, serial[0])
               for col, cdef in tables[name]["columns"].items()}
        ops.append({"op": "insert", "table": name, "row": row,
                    "uuid-name": "main"})
        ops.append({"op": "select", "table": name,
                    "where": [["_uuid", "==", ["named-uuid", "main"]]]})
        ops.append({"op": "abort"})
        reply = rpc(sock, "transact", [schema["name"]] + ops)
        result = reply.get("result") or []
        if (len(result) != len(ops)
                or any("error" in r for r in result[:-1] if r)
                or result[-1].get("error") != "aborted"):
            print("%s: transaction failed: %s" % (name, json.dumps(reply)))
            bad += 1
            continue
        uuids = {op["uuid-name"]: r["uuid"][1]
                 for op, r in zip(ops, result) if "uuid-name" in op}
        got = result[-2]["rows"][0]
        wrong = []
        for col, want in row.items():
            text = json.dumps(want)
            for uuid_name, uuid in uuids.items():
                text = text.replace('["named-uuid", "%s"]' % uuid_name,
                                    '["uuid", "%s"]' % uuid)
            if json.loads(text) != got.get(col):
                wrong.append("%s: sent %s, got %s"
                             % (col, text, json.dumps(got.get(col))))
        print("%s: %d columns%s" % (name, len(row),
                                    "".join("\n  " + w for w in wrong)))
        bad += len(wrong)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
