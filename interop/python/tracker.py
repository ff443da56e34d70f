#!/usr/bin/python3
# ==============================================================================
# description : Tracker of the seed P2P file synchronizer protocol (stand-in
#               for the course's tracker.py, written from seed-protocol.md).
# usage       : python3 tracker.py HOST PORT
# env         : SEED_EXPIRY_SECONDS  silence after which a peer is dropped (180)
# python      : 3.9+, standard library only
# ==============================================================================

import json
import os
import socket
import sys
import threading
import time

EXPIRY = float(os.environ.get('SEED_EXPIRY_SECONDS', '180'))

PRINT_LOCK = threading.Lock()


def log(msg):
    """print(..., flush=True) that keeps lines from different threads apart."""
    with PRINT_LOCK:
        print(msg, flush=True)


class Tracker:
    def __init__(self, host, port):
        self.host = host
        self.port = port
        # (ip, server port) -> {'files': {name: (seq, mtime)}, 'last': monotonic time}
        # seq numbers every advertisement in the order the tracker first saw it.
        self.peers = {}
        self.seq = 0
        self.lock = threading.Lock()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((host, port))
        self.server.listen(16)

    def run(self):
        log('Waiting for connections on port %d' % self.port)
        while True:
            conn, addr = self.server.accept()
            threading.Thread(target=self.process_messages, args=(conn, addr), daemon=True).start()

    def expire_peers(self):
        # Called with self.lock held. A peer is dropped only when it has been
        # silent for EXPIRY seconds, never because its connection closed.
        now = time.monotonic()
        for key in [k for k, p in self.peers.items() if now - p['last'] > EXPIRY]:
            del self.peers[key]

    def directory(self):
        # Called with self.lock held. Replays every live advertisement in the
        # order the tracker first saw it: a strictly newer mtime replaces the
        # entry, so on a tie the entry seen first stays.
        self.expire_peers()
        adverts = sorted((seq, name, mtime, ip, port)
                         for (ip, port), peer in self.peers.items()
                         for name, (seq, mtime) in peer['files'].items())
        files = {}
        for seq, name, mtime, ip, port in adverts:
            if name not in files or mtime > files[name]['mtime']:
                files[name] = {'ip': ip, 'port': port, 'mtime': mtime}
        return files

    def handle(self, ip, msg):
        # Returns the reply line, or None when the message gets no reply.
        if not isinstance(msg, dict) or 'port' not in msg:
            return None
        key = (ip, msg['port'])
        with self.lock:
            self.expire_peers()
            if key not in self.peers:
                self.peers[key] = {'files': {}, 'last': 0}
                log('client server' + ip + ':' + str(msg['port']))
            peer = self.peers[key]
            peer['last'] = time.monotonic()
            if 'files' in msg:  # replaces this peer's list; an unchanged entry keeps its seq
                old, peer['files'] = peer['files'], {}
                for f in msg['files']:
                    name, mtime = f['name'], f['mtime']
                    if old.get(name, (0, None))[1] != mtime:
                        self.seq += 1
                        old[name] = (self.seq, mtime)
                    peer['files'][name] = old[name]
            return json.dumps(self.directory()) + '\n'

    def process_messages(self, conn, addr):
        log('Client connected with ' + addr[0] + ':' + str(addr[1]))
        try:
            reader = conn.makefile('rb')
            for line in reader:
                try:
                    msg = json.loads(line.decode('utf-8'))
                except ValueError:  # invalid JSON (or UTF-8): close the connection
                    break
                reply = self.handle(addr[0], msg)
                if reply is not None:
                    conn.sendall(reply.encode('utf-8'))
        except Exception as e:  # broken connection or malformed message
            log('connection %s:%d closed: %s' % (addr[0], addr[1], e))
        finally:
            conn.close()


if __name__ == '__main__':
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        print('usage: python3 tracker.py HOST PORT')
        sys.exit(1)
    tracker = Tracker(sys.argv[1], int(sys.argv[2]))
    try:
        tracker.run()
    except KeyboardInterrupt:
        pass
