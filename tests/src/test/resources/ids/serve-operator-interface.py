#!/usr/bin/python3
"""Runs the snort appliance's real operator interface (recipes/snort/files/appliance-ids-alerts)
on the host, without a VM, for SnortOperatorPageTest.

usage: serve-operator-interface.py SCRIPT PAGE_DIR WORK

The guest's paths are moved under WORK (WORK/eve.json, WORK/token, WORK/active.rules, ...), the
server binds 127.0.0.1 on a free port and writes it to WORK/port, and every request line and
header except Authorization goes to WORK/requests.log: what a server log could keep, so the
test can show the token never reaches it.
"""
import http.server
import importlib.machinery
import importlib.util
import os
import sys

script, page_dir, work = sys.argv[1:4]
loader = importlib.machinery.SourceFileLoader("appliance_ids_alerts", script)
spec = importlib.util.spec_from_loader(loader.name, loader)
ids = importlib.util.module_from_spec(spec)
loader.exec_module(ids)

ids.EVE = os.path.join(work, "eve.json")
ids.PIDFILE = os.path.join(work, "suricata.pid")
ids.RULES = os.path.join(work, "active.rules")
ids.INTERFACE = os.path.join(work, "interface")
ids.CAPTURE_FILTER = os.path.join(work, "capture.bpf")
ids.PARAMS = os.path.join(work, "params")
ids.TOKEN = os.path.join(work, "token")
ids.PAGE_DIR = page_dir
requests_log = open(os.path.join(work, "requests.log"), "a", encoding="utf-8", buffering=1)


class RecordingHandler(ids.Handler):
    def log_request(self, code="-", size="-"):
        headers = "".join("  %s: %s\n" % (k, v) for k, v in self.headers.items()
                          if k.lower() != "authorization")
        requests_log.write("%s -> %s\n%s" % (self.requestline, code, headers))


def loopback_server(address, handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    with open(os.path.join(work, "port.tmp"), "w", encoding="ascii") as f:
        f.write(str(server.server_address[1]))
    os.rename(os.path.join(work, "port.tmp"), os.path.join(work, "port"))
    return server


ids.ThreadingHTTPServer = loopback_server
ids.main()
