# A deliberately broken seed tracker for the conformance kit's tests: the stand-in
# tracker.py with one fault, so the kit must fail exactly the case that fault breaks.
# usage: python3 broken_tracker.py VARIANT INTEROP_DIR HOST PORT
#   compact      writes JSON with "," and ":" separators (not json.dumps' defaults)
#   first-mtime  keeps the first mtime it saw for a name, even when a newer one comes
import json
import sys
import types

variant, interop, host, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, interop)
import tracker  # noqa: E402

if variant == 'compact':
    tracker.json = types.SimpleNamespace(
        loads=json.loads, dumps=lambda o: json.dumps(o, separators=(',', ':')))
elif variant == 'first-mtime':
    def directory(self):
        self.expire_peers()
        adverts = sorted((seq, name, mtime, ip, p)
                         for (ip, p), peer in self.peers.items()
                         for name, (seq, mtime) in peer['files'].items())
        files = {}
        for seq, name, mtime, ip, p in adverts:
            if name not in files:
                files[name] = {'ip': ip, 'port': p, 'mtime': mtime}
        return files
    tracker.Tracker.directory = directory
else:
    sys.exit('unknown variant ' + variant)

tracker.Tracker(host, port).run()
