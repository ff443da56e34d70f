# A deliberately broken seed peer for the conformance kit's tests: the stand-in
# fileSynchronizer.py with one fault, so the kit must fail exactly the case that fault breaks.
# usage: python3 broken_peer.py VARIANT INTEROP_DIR TRACKER_HOST TRACKER_PORT
#   drop-segment  drops the body bytes that arrive in the same recv as the Content-Length header
#   no-utime      leaves a pulled file's mtime at the time it was written
import os
import sys
import types

variant, interop, host, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, interop)
import fileSynchronizer  # noqa: E402

if variant == 'drop-segment':
    original = fileSynchronizer.recv_line

    def recv_line(sock, buf=None):
        # download() is the only caller without a buffer: what came with its header is lost
        if buf is None:
            line, _ = original(sock)
            return line, b''
        return original(sock, buf)
    fileSynchronizer.recv_line = recv_line
elif variant == 'no-utime':
    fileSynchronizer.os = types.SimpleNamespace(
        **{k: getattr(os, k) for k in dir(os) if not k.startswith('__')})
    fileSynchronizer.os.utime = lambda *args, **kwargs: None
else:
    sys.exit('unknown variant ' + variant)

try:
    fileSynchronizer.FileSynchronizer(host, port).run()
except (OSError, KeyboardInterrupt) as e:
    fileSynchronizer.log('exiting: %s' % e)
sys.exit(1)
