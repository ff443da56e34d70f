#!/usr/bin/python3
# ==============================================================================
# description : Peer of the seed P2P file synchronizer protocol (stand-in for
#               the course's fileSynchronizer.py, written from seed-protocol.md).
# usage       : cd FOLDER && python3 fileSynchronizer.py TRACKER_HOST TRACKER_PORT
# env         : SEED_FIRST_PORT         first file-server port tried (8000)
#               SEED_KEEPALIVE_SECONDS  KeepAlive interval (5)
#               SEED_PEER_TIMEOUT_SECONDS  peer-to-peer socket timeout (5)
# python      : 3.9+, standard library only
# ==============================================================================

import json
import os
import socket
import sys
import threading
import time

FIRST_PORT = int(os.environ.get('SEED_FIRST_PORT', '8000'))
KEEPALIVE = float(os.environ.get('SEED_KEEPALIVE_SECONDS', '5'))
PEER_TIMEOUT = float(os.environ.get('SEED_PEER_TIMEOUT_SECONDS', '5'))  # every peer-to-peer socket

PRINT_LOCK = threading.Lock()


def log(msg):
    """print(..., flush=True) that keeps lines from different threads apart."""
    with PRINT_LOCK:
        print(msg, flush=True)


def get_file_info():
    """Regular files directly in the cwd, minus .py/.dll/.so, with integer mtimes."""
    return [{'name': name, 'mtime': int(os.path.getmtime(name))}
            for name in sorted(os.listdir('.'))
            if os.path.isfile(name) and not name.endswith(('.py', '.dll', '.so'))]


def get_next_available_port(host, start):
    """First port >= start that we can bind; returns (port, bound socket)."""
    port = start
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return port, s
        except OSError:
            s.close()
            port += 1


def recv_line(sock, buf=b''):
    """Reads up to and including '\\n'; returns (line without '\\n', rest) or (None, buf) on EOF."""
    while b'\n' not in buf:
        part = sock.recv(4096)
        if not part:
            return None, buf
        buf += part
    line, rest = buf.split(b'\n', 1)
    return line, rest


class FileSynchronizer:
    def __init__(self, tracker_host, tracker_port):
        bind_host = '127.0.0.1' if tracker_host.startswith('127.') or tracker_host == 'localhost' else ''
        self.port, self.server = get_next_available_port(bind_host, FIRST_PORT)
        self.server.listen(16)
        log('Waiting for connections on port %d' % self.port)
        threading.Thread(target=self.serve, daemon=True).start()

        log(('connect to:' + tracker_host, tracker_port))
        self.tracker = socket.create_connection((tracker_host, tracker_port))
        self.my_ip = self.tracker.getsockname()[0]
        self.send({'port': self.port, 'files': get_file_info()})  # Init

    def send(self, msg):
        self.tracker.sendall((json.dumps(msg) + '\n').encode('utf-8'))

    # ---- file server: one request per connection ----
    def serve(self):
        while True:
            conn, addr = self.server.accept()
            threading.Thread(target=self.process_message, args=(conn,), daemon=True).start()

    def process_message(self, conn):
        try:
            conn.settimeout(PEER_TIMEOUT)
            line, _ = recv_line(conn)
            if line is not None:
                name = line.decode('utf-8')
                known = [f['name'] for f in get_file_info()]
                data = b''
                if name in known:
                    with open(name, 'rb') as f:
                        data = f.read()
                # header and body in one sendall; unknown name -> Content-Length: 0
                conn.sendall(('Content-Length: %d\n' % len(data)).encode('ascii') + data)
        except (OSError, UnicodeDecodeError) as e:
            log('serving request failed: %s' % e)
        finally:
            conn.close()

    # ---- tracker connection ----
    def keepalive(self):
        try:
            while True:
                time.sleep(KEEPALIVE)
                self.send({'port': self.port})
        except OSError:
            try:
                self.tracker.shutdown(socket.SHUT_RDWR)  # wakes the reader, which exits
            except OSError:
                pass

    def run(self):
        threading.Thread(target=self.keepalive, daemon=True).start()
        buf = b''
        while True:
            try:
                line, buf = recv_line(self.tracker, buf)
            except OSError:
                line = None
            if line is None:
                log('tracker connection lost, exiting')
                return
            text = line.decode('utf-8', errors='replace')
            log('received from tracker: ' + text)
            try:
                self.sync(json.loads(text))
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                log('bad directory: %s' % e)

    def sync(self, directory):
        for name, info in directory.items():
            if (info['ip'], info['port']) == (self.my_ip, self.port):
                continue  # never download from ourselves
            if os.path.basename(name) != name or name in ('', '.', '..') or '\n' in name:
                continue  # only plain names in our own folder
            if os.path.isfile(name) and int(os.path.getmtime(name)) >= info['mtime']:
                continue
            self.download(name, info['ip'], info['port'], info['mtime'])

    def download(self, name, ip, port, mtime):
        part = name + '.part'
        try:
            with socket.create_connection((ip, port), timeout=PEER_TIMEOUT) as s:
                s.sendall((name + '\n').encode('utf-8'))
                header, body = recv_line(s)
                if header is None or not header.startswith(b'Content-Length: '):
                    raise OSError('bad header %r' % header)
                size = int(header[len('Content-Length: '):])
                if size < 0:
                    raise ValueError('negative Content-Length')
                with open(part, 'wb') as f:
                    got = len(body[:size])
                    f.write(body[:size])
                    while got < size:
                        chunk = s.recv(min(65536, size - got))
                        if not chunk:
                            raise OSError('connection closed after %d of %d bytes' % (got, size))
                        f.write(chunk)
                        got += len(chunk)
            os.replace(part, name)
            os.utime(name, (mtime, mtime))
            log('downloaded %s (%d bytes) from %s:%d' % (name, size, ip, port))
        except (OSError, ValueError) as e:
            log('download of %s from %s:%d failed: %s' % (name, ip, port, e))
            if os.path.exists(part):
                os.remove(part)


if __name__ == '__main__':
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        print('usage: python3 fileSynchronizer.py TRACKER_HOST TRACKER_PORT')
        sys.exit(1)
    try:
        FileSynchronizer(sys.argv[1], int(sys.argv[2])).run()
    except (OSError, KeyboardInterrupt) as e:
        log('exiting: %s' % e)
    sys.exit(1)
